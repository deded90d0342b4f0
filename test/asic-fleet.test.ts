/** The cgminer source over several cycles against fake miners: backoff, re-detection, overrides, deadlines. */
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { CgminerConfig } from '../agent/sources/cgminer/config.js';
import { CgminerFleet } from '../agent/sources/cgminer/fleet/fleet.js';
import { FakeMinerServer, type FakeMiner, type Listening } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';

const fakes = new FakeMinerServer();
afterAll(() => fakes.close());

const S19PRO: Record<string, string> = {
  version: '{"STATUS":[{"STATUS":"S","Code":22,"Msg":"CGMiner versions","Description":"cgminer 1.0.0"}],"VERSION":[{"Type":"Antminer S19 Pro"}],"id":1}',
  summary: asicFixture('antminer-s19pro-bmminer-summary.json'),
  stats: asicFixture('antminer-s19pro-bmminer-stats.json'),
};
const LUXOS: Record<string, string> = { summary: asicFixture('luxos-s19kpro-summary.json'), power: asicFixture('luxos-s19kpro-power.json') };

function fleetFor(miners: unknown[], options: { intervalMs?: number; clock?: () => number; config?: Record<string, unknown> } = {}) {
  const config = CgminerConfig.parse({ type: 'cgminer', miners, jitter: 0, ...options.config });
  return new CgminerFleet(config, { logger: silentLogger(), intervalMs: options.intervalMs ?? 10_000, hostName: 'gw-test' }, { clock: options.clock, random: () => 0.5 });
}

const idOf = (m: Listening) => `${m.host}:${m.port}`;
const read = (fleet: CgminerFleet) => fleet.read(new AbortController().signal);

describe('cgminer fleet over several cycles', () => {
  it('backs off a dead miner but keeps publishing it as down with the reason', async () => {
    const spec: FakeMiner = { behaviour: 'close' };
    const dead = await fakes.listen(spec);
    let now = 1_000_000;
    const fleet = fleetFor([`${dead.host}:${dead.port}`], { clock: () => now });

    const first = await read(fleet);
    expect(first).toEqual([{ id: idOf(dead), kind: 'asic', up: false, error: `${idOf(dead)} closed the connection without replying` }]);
    now += 10_000;
    await read(fleet); // second failure: retried at once (a blip is not a pattern), then a pause of one interval
    expect(dead.requests).toEqual(['version', 'version']);

    now += 4_000;
    const paused = await read(fleet);
    expect(paused[0]).toMatchObject({ up: false, error: `${idOf(dead)} closed the connection without replying (next attempt in 6 s)` });
    expect(dead.requests).toHaveLength(2); // not contacted while backing off

    now += 6_000;
    spec.behaviour = 'reply';
    spec.replies = S19PRO;
    const back = await read(fleet);
    expect(back[0]).toMatchObject({ up: true, model: 'Antminer S19 Pro', power_source: 'estimated' });
    expect(fleet.stats().errors.closed).toBe(2);
  });

  it('detects the firmware again after repeated failures (a reflashed miner)', async () => {
    const spec: FakeMiner = { replies: S19PRO };
    const miner = await fakes.listen(spec);
    let now = 0;
    const fleet = fleetFor([`${miner.host}:${miner.port}`], { clock: () => now, config: { redetect_after: 2, max_backoff: '1s', timeout: '300ms', connect_timeout: '100ms' } });
    expect((await read(fleet))[0]).toMatchObject({ up: true, vendor: 'bitmain', model: 'Antminer S19 Pro' });
    expect(miner.requests).toEqual(['version', 'summary+stats']);

    spec.behaviour = 'hang';
    for (let i = 0; i < 2; i++) {
      now += 60_000;
      expect((await read(fleet))[0]).toMatchObject({ up: false, model: 'Antminer S19 Pro' });
    }
    spec.behaviour = 'reply';
    spec.replies = LUXOS;
    now += 60_000;
    const after = await read(fleet);
    expect(after[0]).toMatchObject({ up: true, power_w: 1051, power_source: 'reported' });
    expect(miner.requests.slice(-5)).toEqual(['version', 'devdetails', 'stats', 'summary', 'summary+power+temps+fans']);
  });

  it("applies the operator's power figure (measured), model and efficiency overrides", async () => {
    const a = await fakes.listen({ replies: S19PRO });
    const b = await fakes.listen({ replies: S19PRO });
    const c = await fakes.listen({ replies: S19PRO });
    const fleet = fleetFor(
      [
        { host: a.host, port: a.port, power_w: 3300 },
        { host: b.host, port: b.port, model: 'Antminer S19j Pro' },
        { host: c.host, port: c.port },
      ],
      { config: { efficiency: { 'Antminer S19 Pro': 31 } } },
    );
    const [ra, rb, rc] = await read(fleet);
    expect(ra).toMatchObject({ power_w: 3300, power_source: 'measured' });
    expect(rb).toMatchObject({ model: 'Antminer S19j Pro', power_source: 'estimated' });
    // J/TH × the summary's "GHS 30m" 111878.26 GH/s
    expect(rb!.power_w).toBeCloseTo(30.5 * 111.87826, 6);
    expect(rc!.power_w).toBeCloseTo(31 * 111.87826, 6);
    expect(b.requests).toEqual(['version', 'summary+stats']); // the model override does not skip family detection
  });

  it('does not let a hung miner hold up the others', async () => {
    const hung = await fakes.listen({ behaviour: 'hang' });
    const fast = await Promise.all([1, 2, 3].map(() => fakes.listen({ replies: LUXOS })));
    // Deadlines roomy enough for the fast ones on a loaded CI machine; the hung one still fails on its own.
    const fleet = fleetFor([hung, ...fast].map(idOf), { config: { concurrency: 2, timeout: '1s', connect_timeout: '500ms' } });
    const readings = await read(fleet);
    expect(readings.map((r) => [r.id, r.up])).toEqual([[idOf(hung), false], ...fast.map((m) => [idOf(m), true])]);
    expect(readings[0]!.error).toMatch(/no complete reply .* within 1000 ms/);
  });

  it('finishes when the agent aborts the cycle, leaving out the miners it could not finish', async () => {
    const hung = await Promise.all([1, 2].map(() => fakes.listen({ behaviour: 'hang' })));
    const fast = await fakes.listen({ replies: LUXOS });
    const fleet = fleetFor([fast, ...hung].map(idOf), { config: { timeout: '30s', connect_timeout: '1s' }, intervalMs: 60_000 });
    const controller = new AbortController();
    const pending = fleet.read(controller.signal);
    setTimeout(() => controller.abort(), 300);
    const readings = await pending;
    expect(readings.map((r) => r.id)).toEqual([idOf(fast)]);
    expect(fleet.stats().skipped).toBe(2);
    expect(fleet.stats().errors.aborted).toBe(0); // the agent's deadline is not held against the miners
  });

  it('judges a hung miner within a short cycle rather than letting the cycle cut it off', async () => {
    const hung = await fakes.listen({ behaviour: 'hang' });
    const fleet = fleetFor([idOf(hung)], { intervalMs: 1000, config: { connect_timeout: '100ms' } }); // timeout 3s > the 0.8 s budget
    const readings = await read(fleet);
    expect(readings).toEqual([{ id: idOf(hung), kind: 'asic', up: false, error: `no complete reply from ${idOf(hung)} within 400 ms` }]);
  });

  it('finds a Whatsminer API v3 miner on port 4433 and reads it', async () => {
    // Hand-written v3 replies with the documented field names (no published capture exists).
    const v3 = await fakes.listen(
      {
        framing: 'v3',
        replies: {
          'get.device.info miner': '{"code":0,"when":1,"msg":{"miner":{"type":"M60S_VK30"}},"desc":"get.device.info"}',
          'get.miner.status summary':
            '{"code":0,"when":1,"msg":{"summary":{"elapsed":7200,"hash-1min":172.4,"power-realtime":3344,"board-temperature":[58,61.5,60],"fan-speed-in":4500,"fan-speed-out":4560}},"desc":"get.miner.status"}',
        },
      },
      '127.0.0.33',
      4433,
    );
    const readings = await read(fleetFor(['127.0.0.33:4433']));
    expect(readings).toEqual([
      {
        id: '127.0.0.33:4433',
        kind: 'asic',
        vendor: 'microbt',
        model: 'Whatsminer M60S',
        model_raw: 'Whatsminer M60S VK30', // miner.type "M60S_VK30": VK30 is the board revision
        algorithm: 'sha256',
        up: true,
        hashrate_hs: 172.4e12,
        power_w: 3344,
        power_source: 'reported',
        temp_c: 61.5,
        fan_rpm: 4560,
        uptime_s: 7200,
      },
    ]);
    expect(v3.requests).toEqual(['get.device.info miner', 'get.miner.status summary']);
  });
});
