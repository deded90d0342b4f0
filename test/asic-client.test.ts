/** The CGMiner / Whatsminer v3 client against fake miners on loopback: framing, deadlines, limits, failures. */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgminerQuery } from '../agent/sources/cgminer/wire/cgminer-api.js';
import { MinerError, type MinerErrorKind } from '../agent/sources/cgminer/wire/errors.js';
import type { QueryOptions } from '../agent/sources/cgminer/wire/protocol.js';
import { newRepairStats } from '../agent/sources/cgminer/wire/repair.js';
import { whatsminerV3Query } from '../agent/sources/cgminer/wire/whatsminer-v3-api.js';
import { FakeMinerServer, type FakeMiner } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';

const fakes = new FakeMinerServer();
afterAll(() => fakes.close());

const options = (overrides: Partial<QueryOptions> = {}): QueryOptions => ({ connectTimeoutMs: 1000, timeoutMs: 1500, maxBytes: 1024 * 1024, ...overrides });

async function failure(promise: Promise<unknown>): Promise<MinerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MinerError) return error;
    throw error;
  }
  throw new Error('expected a MinerError');
}

async function miner(spec: FakeMiner) {
  return fakes.listen(spec);
}

describe('CGMiner API client', () => {
  it('sends one JSON command and reads the reply up to the NUL', async () => {
    const m = await miner({ replies: { summary: asicFixture('luxos-s19kpro-summary.json') } });
    const reply = await cgminerQuery(m, 'summary', options());
    expect((reply.SUMMARY as any)[0]['GHS 5s']).toBe(59756.06);
    expect(m.requests).toEqual(['summary']);
  });

  it('reads until EOF from daemons that send no NUL', async () => {
    const m = await miner({ replies: { summary: asicFixture('braiins-bosplus-s9-summary.json') }, nul: false });
    const reply = await cgminerQuery(m, 'summary', options());
    expect((reply.SUMMARY as any)[0].Elapsed).toBe(3680);
  });

  it('sends multi-commands and btminer "cmd" requests as asked', async () => {
    const m = await miner({ replies: { summary: asicFixture('antminer-s19pro-bmminer-summary.json'), status: asicFixture('whatsminer-m31s-status.btmineroff.json') } });
    const joined = await cgminerQuery(m, 'summary+stats', options());
    expect(Object.keys(joined)).toEqual(['summary', 'stats', 'id']);
    const status = await cgminerQuery(m, 'status', options(), 'cmd');
    expect((status.Msg as any).btmineroff).toBe('true');
    expect(m.requests).toEqual(['summary+stats', 'status']);
  });

  it('repairs replies on the wire and counts the repairs', async () => {
    const m = await miner({ replies: { stats: asicFixture('antminer-s9-hiveon-stats.invalid-missing-comma.txt') } });
    const repairs = newRepairStats();
    const reply = await cgminerQuery(m, 'stats', options({ repairs }));
    expect((reply.STATS as any)[1].chain_power).toBe('34.65 (AB)');
    expect(repairs).toMatchObject({ missing_comma: 1, numeric_string: 1 });
  });

  it.each<[string, FakeMiner, MinerErrorKind, RegExp]>([
    ['hangs', { behaviour: 'hang' }, 'timeout', /no complete reply .* within 300 ms/],
    ['closes without replying', { behaviour: 'close' }, 'closed', /closed the connection without replying/],
    ['sends garbage', { behaviour: 'garbage', replies: { summary: '{}' } }, 'malformed', /reply/],
    ['cuts the reply inside a value', { behaviour: 'truncate', replies: { summary: asicFixture('luxos-s19kpro-summary.json') } }, 'malformed', /cut inside a value/],
  ])('fails cleanly when the miner %s', async (_, spec, kind, message) => {
    const m = await miner(spec);
    const error = await failure(cgminerQuery(m, 'summary', options({ timeoutMs: 300 })));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
  });

  it('refuses a reply larger than the cap', async () => {
    const m = await miner({ replies: { stats: asicFixture('avalon-1246-stats.json') } });
    const error = await failure(cgminerQuery(m, 'stats', options({ maxBytes: 2048 })));
    expect(error).toMatchObject({ kind: 'too-large' });
  });

  it('reports a closed port as refused', async () => {
    // Nothing listens on 127.0.0.250 (the fakes bind 127.0.0.1).
    const error = await failure(cgminerQuery({ host: '127.0.0.250', port: 4028 }, 'summary', options()));
    expect(error.kind).toBe('refused');
    expect(error.transport).toBe(true);
  });

  it('stops at once when the cycle is aborted', async () => {
    const m = await miner({ behaviour: 'hang' });
    const controller = new AbortController();
    const pending = failure(cgminerQuery(m, 'summary', options({ timeoutMs: 60_000, signal: controller.signal })));
    setTimeout(() => controller.abort(), 20);
    expect((await pending).kind).toBe('aborted');
  });

  it('leaves no socket open on the miner side after any outcome', async () => {
    const m = await miner({ replies: { summary: asicFixture('luxos-s19kpro-summary.json') }, delayMs: 50 });
    const server = createServer();
    let open = 0;
    server.on('connection', (socket) => {
      open += 1;
      socket.resume(); // read the request, so the client's close is seen
      socket.on('close', () => (open -= 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const silent = { host: '127.0.0.1', port: (server.address() as { port: number }).port };
    await Promise.all([cgminerQuery(m, 'summary', options()), failure(cgminerQuery(silent, 'summary', options({ timeoutMs: 100 })))]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(open).toBe(0);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('Whatsminer API v3 client (4-byte length prefix)', () => {
  let v3: { host: string; port: number; requests: string[] };
  beforeAll(async () => {
    // Hand-written reply with the documented v3 field names (no capture exists).
    v3 = await fakes.listen({ framing: 'v3', replies: { 'get.device.info miner': '{"code":0,"when":1,"msg":{"miner":{"type":"M60S_VK30"}},"desc":"get.device.info"}' } });
  });

  it('frames the request and reads exactly the declared reply', async () => {
    const reply = await whatsminerV3Query(v3, 'get.device.info', 'miner', options());
    expect(reply).toEqual({ code: 0, when: 1, msg: { miner: { type: 'M60S_VK30' } }, desc: 'get.device.info' });
    expect(v3.requests).toEqual(['get.device.info miner']);
  });

  it('returns the error reply for an unknown command (the adapter judges it)', async () => {
    const reply = await whatsminerV3Query(v3, 'get.nothing', undefined, options());
    expect(reply.code).toBe(-1);
  });

  it('reports a v3 reply cut short as closed', async () => {
    const m = await fakes.listen({ framing: 'v3', behaviour: 'truncate', replies: { 'get.device.info': '{"code":0,"msg":{"miner":{"type":"M60S_VK30"}}}' } });
    const error = await failure(whatsminerV3Query(m, 'get.device.info', 'miner', options()));
    expect(error.kind).toBe('closed');
  });
});
