// The `powersite` executable as a user runs it: help, config checking and exit codes.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FakeMinerServer } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));

function powersite(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function yamlFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'powersite-cli-')), 'config.yaml');
  await writeFile(path, text);
  return path;
}

describe('powersite CLI', () => {
  it('lists its subcommands in --help', async () => {
    const { code, stdout } = await powersite(['--help']);
    expect(code).toBe(0);
    for (const cmd of ['agent', 'collector', 'demo', 'check-config']) expect(stdout).toContain(cmd);
  });

  it('collector with a bad config exits 78 naming the file and the key', async () => {
    const path = await yamlFile('mqtt: { url: "not a url" }\nhttp: { port: 99999 }\n');
    const { code, stderr } = await powersite(['collector', '--config', path]);
    expect(code).toBe(78);
    expect(stderr).toContain(path);
    expect(stderr).toMatch(/mqtt\.url: expected a broker URL/);
    expect(stderr).toMatch(/http\.port: /);
  });

  it('agent with a missing config file exits 78', async () => {
    const { code, stderr } = await powersite(['agent', '--config', '/nonexistent/agent.yaml']);
    expect(code).toBe(78);
    expect(stderr).toMatch(/\/nonexistent\/agent\.yaml:\n\s+- cannot read the file \(ENOENT\)/);
  });

  it('check-config accepts the shipped examples', async () => {
    for (const example of ['deploy/agent.yaml', 'deploy/collector.yaml']) {
      // Keys and values only: the examples name files and tools of a production host, not of this one.
      const { code, stdout, stderr } = await powersite(['check-config', '--schema-only', fileURLToPath(new URL(`../${example}`, import.meta.url))], { POWERSITE_MQTT_PASSWORD_FILE: '' /* empty counts as unset */ });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/valid (agent|collector) configuration/);
    }
  });

  it('check-config explains every error and does not leak secrets', async () => {
    const path = await yamlFile('site: tx-1\nmqtt: { url: mqtt://b:1883, password: hunter2, keepalive: forever }\nsources: [{ type: nvidia, workload: crypto }]\n');
    const { code, stderr } = await powersite(['check-config', path]);
    expect(code).toBe(78);
    expect(stderr).toMatch(/mqtt\.keepalive: expected a duration/);
    expect(stderr).toMatch(/sources\[0\]\.workload: /);
    expect(stderr).not.toContain('hunter2');
  });

  it('scan finds fake miners on loopback and prints a sources block the agent accepts', async () => {
    const fakes = new FakeMinerServer();
    try {
      const whatsminer = { replies: { summary: asicFixture('whatsminer-m31s-summary.json'), edevs: asicFixture('whatsminer-m31s-edevs.json') } };
      const first = await fakes.listen(whatsminer, '127.0.0.9');
      await fakes.listen(whatsminer, '127.0.0.10', first.port);
      const { code, stdout, stderr } = await powersite(['scan', '127.0.0.8/30', '--ports', String(first.port), '--timeout', '500ms']);
      expect(stderr).toMatch(/found 2 miners/);
      expect(code).toBe(0);
      const doc = parse(stdout) as { sources: { type: string; workload: string; miners: string[] }[] };
      expect(doc.sources).toEqual([{ type: 'cgminer', workload: 'mining', miners: [`127.0.0.9:${first.port}`, `127.0.0.10:${first.port}`] }]);
      const path = await yamlFile(`site: s\n${stdout}`);
      const check = await powersite(['check-config', path, '--kind', 'agent']);
      expect(check.code).toBe(0);
    } finally {
      await fakes.close();
    }
  });

  it('scan refuses a range wider than a /16 and a bad port list', async () => {
    expect(await powersite(['scan', '10.0.0.0/8'])).toMatchObject({ code: 64, stderr: expect.stringMatching(/refusing to scan 10\.0\.0\.0\/8/) });
    expect(await powersite(['scan', '10.0.3.0/24', '--ports', '4028,http'])).toMatchObject({ code: 64, stderr: expect.stringMatching(/--ports/) });
  });

  it('an unknown subcommand is a usage error', async () => {
    const { code, stderr } = await powersite(['frobnicate']);
    expect(code).toBe(64);
    expect(stderr).toMatch(/unknown command/);
  });
});
