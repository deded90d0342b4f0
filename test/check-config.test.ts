// check-config catches what a valid-looking config still gets wrong on the host it is meant for,
// each trap the way a new user falls into it, against real files, users and PATH of this machine.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));
let dir: string;

function checkConfig(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('POWERSITE_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'check-config', ...args], { env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function file(name: string, text: string, mode = 0o644): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powersite-check-config-'));
  await chmod(dir, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('powersite check-config', () => {
  it('a secret readable only by its owner is refused for the service user, accepted once it may read it', async () => {
    const pass = await file('mqtt.pass', 'pw\n', 0o600);
    const config = await file('secret.yaml', `site: tx-1\nhost: gw-1\nmqtt: { url: "mqtt://b:1883", username: gw-1, password_file: ${pass} }\nsources: [{ type: host }]\n`);
    // The README's old install wrote the password root-only while the unit runs as its own user.
    const refused = await checkConfig([config, '--user', 'nobody']);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain(`mqtt.password_file: ${pass}: not readable by user nobody`);
    expect(refused.stderr).toContain('(checked as user nobody)');
    await chmod(pass, 0o644);
    const accepted = await checkConfig([config, '--user', 'nobody']);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('valid agent configuration (agent for tx-1/gw-1 with 1 source(s)) (checked as user nobody)');
  });

  it('a missing file is named with its key', async () => {
    const config = await file('missing.yaml', `site: tx-1\nhost: gw-1\nmqtt: { url: "mqtts://b:8883", ca: ${dir}/nope.pem }\nsources: [{ type: host }]\n`);
    const r = await checkConfig([config]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`mqtt.ca: ${dir}/nope.pem: no such file`);
  });

  it('an MQTT user name that is not the host is refused: the ACL would drop every message silently', async () => {
    const config = await file('acl.yaml', 'site: tx-1\nhost: gpu-07\nmqtt: { url: "mqtt://b:1883", username: gw-row12 }\nsources: [{ type: host }]\n');
    const r = await checkConfig([config]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/mqtt\.username: "gw-row12" is not this agent's host "gpu-07": the broker ACL .* set host: gw-row12 or mqtt\.username: gpu-07/);
  });

  it('TLS half set up is a warning: mqtts:// without a CA, a CA on plain mqtt://', async () => {
    const noCa = await checkConfig([await file('tls1.yaml', 'site: tx-1\nhost: h\nmqtt: { url: "mqtts://b:8883" }\nsources: [{ type: host }]\n')]);
    expect(noCa.code).toBe(0);
    expect(noCa.stderr).toMatch(/^warning: .*mqtt\.ca: mqtts:\/\/ without mqtt\.ca trusts the system CAs only/);
    const ca = await file('ca.pem', 'not checked here\n');
    const plain = await checkConfig([await file('tls2.yaml', `site: tx-1\nhost: h\nmqtt: { url: "mqtt://b:1883", ca: ${ca} }\nsources: [{ type: host }]\n`)]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/mqtt\.ca is set but mqtt:\/\/b:1883 is not TLS/);
  });

  it('a source timeout as long as the interval is refused', async () => {
    const r = await checkConfig([await file('timeout.yaml', 'site: tx-1\nhost: h\ninterval: 10s\nsources: [{ type: host }, { type: nvidia, timeout: 15s, command: /bin/true }]\n')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('sources[1].timeout: 15s is not shorter than interval 10s');
  });

  it('nvidia-smi and rocm-smi must be on PATH for the sources that run them', async () => {
    const config = await file('gpu.yaml', 'site: tx-1\nhost: h\nsources: [{ type: nvidia }, { type: amd }]\n');
    const missing = await checkConfig([config], { PATH: dir });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('sources[0].command: nvidia-smi is not installed or not on PATH');
    expect(missing.stderr).toContain('sources[1].command: rocm-smi is not installed or not on PATH');
    await file('nvidia-smi', '#!/bin/sh\n', 0o755);
    await file('rocm-smi', '#!/bin/sh\n', 0o755);
    expect((await checkConfig([config], { PATH: dir })).code).toBe(0);
  });

  it('unknown keys and unknown POWERSITE_* variables get a "did you mean"', async () => {
    const keys = await checkConfig([await file('typo.yaml', 'site: tx-1\nhots: h\nmqtt: { url: "mqtt://b:1883", pasword_file: /x }\nsources: [{ type: nvidia, comand: x }]\n')]);
    expect(keys.code).toBe(78);
    expect(keys.stderr).toContain('hots: unknown key (did you mean "host"?)');
    expect(keys.stderr).toContain('mqtt.pasword_file: unknown key (did you mean "password_file"?)');
    expect(keys.stderr).toContain('sources[0].comand: unknown key (did you mean "command"?)');
    const env = await checkConfig([await file('env.yaml', 'site: tx-1\nhost: h\nsources: [{ type: host }]\n'), '--schema-only'], { POWERSITE_MQTT_PASWORD: 'hunter2' });
    expect(env.code).toBe(78);
    expect(env.stderr).toContain('POWERSITE_MQTT_PASWORD: unknown environment variable, ignored by the service (did you mean POWERSITE_MQTT_PASSWORD?)');
    expect(env.stderr).not.toContain('hunter2');
  });

  it('--print shows the file with the environment applied and secrets masked', async () => {
    const config = await file('print.yaml', 'site: tx-1\nhost: h\nmqtt: { url: "mqtt://b:1883", password: inline-secret }\nsources: [{ type: host }]\n');
    const r = await checkConfig([config, '--print', '--schema-only'], { POWERSITE_SITE: 'tx-2', POWERSITE_MQTT_URL: 'mqtt://u:urlsecret@broker:1883' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# .* with environment overrides \((POWERSITE_SITE, POWERSITE_MQTT_URL|POWERSITE_MQTT_URL, POWERSITE_SITE)\)/);
    expect(parse(r.stdout)).toEqual({ site: 'tx-2', host: 'h', mqtt: { url: 'mqtt://u:***@broker:1883', password: '***' }, sources: [{ type: 'host' }] });
    expect(r.stdout).not.toMatch(/inline-secret|urlsecret/);
  });
});
