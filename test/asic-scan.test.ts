/**
 * `scan` over 127.0.0.0/29 with fake miners bound to 127.0.0.2–6 (all of 127/8 is loopback on Linux):
 * miners of different families are found with their models, a daemon that is not a miner and a hung
 * one are not, and the printed block is a valid cgminer source.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scan, type FoundMiner } from '../agent/discovery/scan.js';
import { sourcesYaml } from '../agent/discovery/sources-yaml.js';
import { CgminerConfig } from '../agent/sources/cgminer/config.js';
import { FakeMinerServer } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';

const fakes = new FakeMinerServer();
let cgPort: number;
/** API v3 is recognised by its port, so the v3 fakes take the real one (on addresses no one else uses). */
const v3Port = 4433;
let found: FoundMiner[];

// Hand-written v3 reply with the documented field names (no published capture exists).
const V3_INFO = '{"code":0,"when":1,"msg":{"miner":{"type":"M60S_VK30"}},"desc":"get.device.info"}';

beforeAll(async () => {
  cgPort = (await fakes.listen({ replies: { stats: asicFixture('antminer-s19pro-bmminer-stats.json') } }, '127.0.0.2')).port;
  await fakes.listen({ replies: { summary: asicFixture('luxos-s19kpro-summary.json') } }, '127.0.0.3', cgPort);
  await fakes.listen({ replyAll: 'HTTP/1.1 400 Bad Request\r\n\r\n' }, '127.0.0.5', cgPort);
  await fakes.listen({ behaviour: 'hang' }, '127.0.0.6', cgPort);
  await fakes.listen({ framing: 'v3', replies: { 'get.device.info miner': V3_INFO } }, '127.0.0.4', v3Port);
  // The LuxOS host also answers API v3: it must be listed once, on its CGMiner port.
  await fakes.listen({ framing: 'v3', replies: { 'get.device.info miner': V3_INFO } }, '127.0.0.3', v3Port);
  found = await scan('127.0.0.0/29', { ports: [cgPort, v3Port], timeoutMs: 300, concurrency: 8 });
});
afterAll(() => fakes.close());

describe('scan', () => {
  it('finds the miners on the range with family and model, sorted by address', () => {
    expect(found).toEqual([
      { host: '127.0.0.2', port: cgPort, family: 'antminer', model: 'Antminer S19 Pro', firmware: 'bmminer 1.0.0' },
      { host: '127.0.0.3', port: cgPort, family: 'luxos', firmware: 'LUXminer 2025.4.8.220305-57b389c7' }, // its summary's Description
      { host: '127.0.0.4', port: v3Port, family: 'whatsminer-v3', model: 'Whatsminer M60S', model_raw: 'Whatsminer M60S VK30' },
    ]);
  });

  it('prints a sources block the agent accepts', () => {
    const text = sourcesYaml(found, { scanned: '127.0.0.0/29' });
    const config = CgminerConfig.parse((parse(text) as { sources: unknown[] }).sources[0]);
    expect(config.miners.map((m) => m.id)).toEqual([`127.0.0.2:${cgPort}`, `127.0.0.3:${cgPort}`, `127.0.0.4:${v3Port}`]);
    expect(text).toContain(`- 127.0.0.2:${cgPort} # Antminer S19 Pro (antminer, bmminer 1.0.0)`);
  });

  it('as a command with stderr not a terminal: no progress line, each miner with model and firmware, then a summary', async () => {
    const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [bin, 'scan', '127.0.0.0/29', '--ports', String(cgPort), '--timeout', '300ms'], { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })));
    });
    expect(r.stderr).not.toContain('\r');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^scanning 127\.0\.0\.0\/29 on port \d+/);
    expect(lines.slice(1, -1)).toEqual([`  127.0.0.2:${cgPort}  Antminer S19 Pro (antminer, bmminer 1.0.0)`, `  127.0.0.3:${cgPort}  model unknown (luxos, LUXminer 2025.4.8.220305-57b389c7)`]);
    expect(lines.at(-1)).toMatch(/^found 2 miners in [\d.]+ s$/);
    expect(r.stdout).toContain(`- 127.0.0.2:${cgPort} # Antminer S19 Pro (antminer, bmminer 1.0.0)`);
  });

  it('refuses ranges wider than /16 before sending anything', async () => {
    await expect(scan('127.0.0.0/8')).rejects.toThrow(/refusing to scan 127\.0\.0\.0\/8/);
  });
});
