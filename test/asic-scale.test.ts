/**
 * Site scale in one process: 1,000 fake miners on loopback (stock Antminers, LuxOS and Whatsminers),
 * five of them hung and five with nothing listening. One read() with the default settings must return
 * every miner, the hung and dead ones as down with their reason, and must not have run out of its
 * cycle budget (no miner skipped). How fast a cycle is belongs to `npm run bench`, not here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { CgminerConfig } from '../agent/sources/cgminer/config.js';
import { CgminerFleet } from '../agent/sources/cgminer/fleet/fleet.js';
import type { DeviceReading } from '../agent/sources/source.js';
import { FakeMinerServer, type FakeMiner } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';

const MINERS = 1000;
const HUNG = new Set([3, 250, 499, 750, 998]);
const DEAD = new Set([10, 333, 666, 900, 999]);

const families: Array<{ spec: FakeMiner; model?: string }> = [
  {
    spec: {
      replies: {
        version: '{"STATUS":[{"STATUS":"S","Code":22,"Description":"cgminer 1.0.0"}],"VERSION":[{"Type":"Antminer S19 Pro"}],"id":1}',
        summary: asicFixture('antminer-s19pro-bmminer-summary.json'),
        stats: asicFixture('antminer-s19pro-bmminer-stats.json'),
      },
    },
    model: 'Antminer S19 Pro',
  },
  { spec: { replies: { summary: asicFixture('luxos-s19kpro-summary.json'), power: asicFixture('luxos-s19kpro-power.json') } } },
  { spec: { replies: { summary: asicFixture('whatsminer-m31s-summary.json'), edevs: asicFixture('whatsminer-m31s-edevs.json') } } },
];

const fakes = new FakeMinerServer();
const addresses: string[] = [];
let fleet: CgminerFleet;
let readings: DeviceReading[];

beforeAll(async () => {
  for (let i = 0; i < MINERS; i++) {
    if (DEAD.has(i)) {
      // Nothing listens on these loopback addresses (the fakes bind 127.0.0.1 only).
      addresses.push(`127.0.0.${200 + addresses.filter((a) => !a.includes(':')).length}`);
      continue;
    }
    const m = await fakes.listen(HUNG.has(i) ? { behaviour: 'hang' } : families[i % families.length]!.spec);
    addresses.push(`${m.host}:${m.port}`);
  }
  // A one-minute interval: the cycle budget (80 %) leaves room for a CI machine under heavy load; what
  // is tested is that every miner is read and judged, not how fast (that is `npm run bench`).
  fleet = new CgminerFleet(CgminerConfig.parse({ type: 'cgminer', miners: addresses }), { logger: silentLogger(), intervalMs: 60_000, hostName: 'gw-test' });
  readings = await fleet.read(new AbortController().signal);
}, 60_000);
afterAll(() => fakes.close());

describe('1,000 miners in one read', () => {
  it('returns every miner, in config order', () => {
    expect(readings.map((r) => r.id)).toEqual(addresses);
    expect(fleet.stats().skipped).toBe(0);
  });

  it('reports the hung ones as timed out and the dead ones as refused', () => {
    for (const i of HUNG) expect(readings[i]).toMatchObject({ up: false, error: expect.stringMatching(/no complete reply .* within 3000 ms/) });
    for (const i of DEAD) expect(readings[i]).toMatchObject({ up: false, error: expect.stringMatching(/connection refused/) });
    expect(fleet.stats().errors).toMatchObject({ timeout: HUNG.size, refused: DEAD.size });
  });

  it('reads all the others in full', () => {
    const healthy = readings.filter((_, i) => !HUNG.has(i) && !DEAD.has(i));
    expect(healthy).toHaveLength(MINERS - HUNG.size - DEAD.size);
    for (const reading of healthy) {
      expect(reading.up).toBe(true);
      expect(reading.hashrate_hs).toBeGreaterThan(1e13);
      expect(reading.power_w).toBeGreaterThan(1000);
    }
    const counts = { estimated: 0, reported: 0 };
    for (const reading of healthy) counts[reading.power_source as 'estimated' | 'reported'] += 1;
    expect(counts.estimated).toBe(healthy.filter((r) => r.model === families[0]!.model).length);
  });
});
