// `powersite probe` as a user runs it: one fake miner replaying a real Antminer S19 Pro capture
// (bmminer stats and summary), a daemon that is not a miner, and a bad address.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMinerServer, type Listening } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));
const fakes = new FakeMinerServer();
let antminer: Listening;
let http: Listening;

function probe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'probe', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  antminer = await fakes.listen({ replies: { stats: asicFixture('antminer-s19pro-bmminer-stats.json'), summary: asicFixture('antminer-s19pro-bmminer-summary.json') } }, '127.0.0.2');
  http = await fakes.listen({ replyAll: 'HTTP/1.1 400 Bad Request\r\n\r\n' }, '127.0.0.5');
});
afterAll(() => fakes.close());

describe('powersite probe', () => {
  it('names the family, model and firmware, the commands that told them, and the device as published (JSON)', async () => {
    const r = await probe([`127.0.0.2:${antminer.port}`, '--json', '--timeout', '2s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ found: true, host: '127.0.0.2', port: antminer.port, protocol: 'cgminer', identity: { family: 'antminer', model: 'Antminer S19 Pro', firmware: 'bmminer 1.0.0' } });
    // Detection asks in turn until a family recognises a reply: the fake knows only stats and summary.
    expect(out.detection.at(-1)).toMatchObject({ command: 'stats', outcome: 'reply' });
    expect(out.detection.slice(0, -1).every((s: { outcome: string }) => s.outcome.startsWith('error reply'))).toBe(true);
    // bmminer joins its reads into one request.
    expect(out.reads).toEqual(['summary+stats']);
    expect(out.device).toMatchObject({ id: `127.0.0.2:${antminer.port}`, kind: 'asic', workload: 'mining', model: 'Antminer S19 Pro', up: true });
    expect(out.device.hashrate_hs).toBeGreaterThan(1e12);
    // What the fake was asked: exactly the detection commands reported, then the family's reads.
    expect(antminer.requests).toEqual([...out.detection.map((s: { command: string }) => s.command), ...out.reads]);
  });

  it('prints a readable report by default', async () => {
    const r = await probe([`127.0.0.2:${antminer.port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`127.0.0.2:${antminer.port}: family antminer, speaking the cgminer API`);
    expect(r.stdout).toMatch(/^firmware: bmminer 1\.0\.0$/m);
    expect(r.stdout).toMatch(/^\s+\d+ stats\s+reply$/m);
    expect(r.stdout).toMatch(/^127\.0\.0\.2:\d+\s+asic\s+mining\s+Antminer S19 Pro\s+yes\s/m);
  });

  it('exits 69 when what answers is not a miner, showing what it said', async () => {
    const r = await probe([`127.0.0.5:${http.port}`, '--timeout', '1s']);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/^powersite: no miner at 127\.0\.0\.5/);
    expect(r.stdout).toMatch(/^detection:/);
  });

  it('exits 69 when nothing listens, and 64 for a bad address', async () => {
    expect((await probe([`127.0.0.7:${antminer.port}`, '--timeout', '1s'])).code).toBe(69);
    const bad = await probe(['10.0.3.300']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/expected an address like 10\.0\.3\.17/);
  });
});
