/**
 * Golden test: every recorded ASIC reply, served by fake miners on loopback, through the real
 * `cgminer` source (detection, client, repair, adapter, power) to the device reading the agent
 * publishes. The expected readings are written out from reading the fixtures by hand.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '../agent/sources/cgminer/families/registry.js';
import { replyStatus } from '../agent/sources/cgminer/wire/reply.js';
import type { FakeMiner } from './fakes/cgminer-server.js';
import { FakeFleet, type FleetCase } from './fakes/fake-fleet.js';
import { asicFixture, asicReply } from './fixtures/asic/index.js';

interface Golden extends Omit<FleetCase, 'fake'> {
  /** Fixture files this miner serves, by command. */
  serves: Record<string, string>;
  fake?: Omit<FakeMiner, 'replies'>;
}

const DETECT_CGMINER = ['version', 'devdetails', 'stats', 'summary'];

const GOLDEN: Record<string, Golden> = {
  'stock Antminer S19 Pro: no power reported, so estimated from 29.5 J/TH': {
    serves: { summary: 'antminer-s19pro-bmminer-summary.json', stats: 'antminer-s19pro-bmminer-stats.json' },
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S19 Pro',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 111878.26e9, // summary "GHS 30m" (beside "GHS 5s" 110566.89)
      power_w: expect.closeTo(29.5 * 111.87826, 6) as unknown as number, // 3300.41 W
      power_source: 'estimated',
      temp_c: 73,
      fan_rpm: 6000,
      uptime_s: 50474,
      hw_errors: 562,
      shares_accepted: 4057,
      shares_rejected: 11,
    },
    asked: ['version', 'devdetails', 'stats', 'summary+stats'],
  },
  'Hiveon S9 behind a denied devdetails: "}{" repaired, implausible chain_power replaced by the estimate': {
    // Two captures of different Hiveon miners, combined to exercise detection's fallback past code 45.
    serves: { devdetails: 'antminer-s19jpro-hiveon-devdetails.error-access-denied.json', stats: 'antminer-s9-hiveon-stats.invalid-missing-comma.txt' },
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S9',
      model_raw: 'Antminer S9 Hiveon',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 11781.4e9,
      power_w: expect.closeTo((1400 / 13.5) * 11.7814, 6) as unknown as number, // 1221.78 W, not the reported 34.65
      power_source: 'estimated',
      temp_c: 59,
      fan_rpm: 4920,
      uptime_s: 69,
      hw_errors: 0,
    },
    asked: ['version', 'devdetails', 'stats', 'summary+stats'],
  },
  'Antminer S9k that only answers version: identified, then down with the reason': {
    serves: { version: 'antminer-s9k-version.invalid-trailing-garbage.txt' },
    expected: { kind: 'asic', vendor: 'bitmain', model: 'Antminer S9k', up: false, error: 'summary: Invalid command (code 14)' },
    asked: ['version', 'summary+stats'],
  },
  'Whatsminer M20S (\\\' in its summary): Power reported, MH/s': {
    serves: { summary: 'whatsminer-m20s-summary.invalid-escape.txt' },
    expected: {
      kind: 'asic',
      vendor: 'microbt',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 67266447.69e6,
      power_w: 3491,
      power_source: 'reported',
      temp_c: 72,
      fan_rpm: 4950,
      uptime_s: 66295,
      hw_errors: 912,
      shares_accepted: 5018,
      shares_rejected: 29,
    },
    asked: [...DETECT_CGMINER, 'summary', 'edevs'],
  },
  'Whatsminer M20S V10': {
    serves: { summary: 'whatsminer-m20sv10-summary.json' },
    expected: {
      kind: 'asic',
      vendor: 'microbt',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: expect.closeTo(67439352.49e6, 0) as unknown as number,
      power_w: 3417,
      power_source: 'reported',
      temp_c: 71.5,
      fan_rpm: 6480,
      uptime_s: 10154,
      hw_errors: 69,
      shares_accepted: 2338,
      shares_rejected: 0,
    },
    asked: [...DETECT_CGMINER, 'summary', 'edevs'],
  },
  'Whatsminer M31S with per-board edevs': {
    serves: { summary: 'whatsminer-m31s-summary.json', edevs: 'whatsminer-m31s-edevs.json' },
    expected: {
      kind: 'asic',
      vendor: 'microbt',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 77909448.6e6,
      power_w: 3553,
      power_source: 'reported',
      temp_c: 72,
      fan_rpm: 5700,
      uptime_s: 33102,
      hw_errors: 0,
      shares_accepted: 2296,
      shares_rejected: 1,
    },
    asked: [...DETECT_CGMINER, 'summary', 'edevs'],
  },
  'sleeping Whatsminer M31S: up, hashing nothing, and why': {
    serves: { status: 'whatsminer-m31s-status.btmineroff.json' },
    config: { family: 'whatsminer' },
    expected: { kind: 'asic', vendor: 'microbt', up: true, algorithm: 'sha256', hashrate_hs: 0, error: 'mining stopped (btmineroff)' },
    asked: ['summary', 'edevs', 'status'],
  },
  "Whatsminer M30S rejecting every request (Missing JSON 'command'): down, counted as an api error": {
    serves: {},
    fake: { replyAll: asicFixture('whatsminer-m30s-error-missing-command.json') },
    expected: { kind: 'asic', up: false, error: "summary: Missing JSON 'command' (code 24)" },
    asked: [...DETECT_CGMINER, 'summary', 'stats'],
  },
  'Braiins OS+ S9: tunerstatus power': {
    serves: { summary: 'braiins-bosplus-s9-summary.json', temps: 'braiins-bosplus-s9-temps.json', tunerstatus: 'braiins-bosplus-s9-tunerstatus.json' },
    expected: {
      kind: 'asic',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 13967276.98800245e6,
      power_w: 1419,
      power_source: 'reported',
      temp_c: 75,
      uptime_s: 3680,
      hw_errors: 186,
      shares_accepted: 153,
      shares_rejected: 0,
    },
    asked: [...DETECT_CGMINER, 'summary+tunerstatus+temps+fans'],
  },
  'LuxOS S19k Pro: power command': {
    serves: { summary: 'luxos-s19kpro-summary.json', power: 'luxos-s19kpro-power.json' },
    expected: {
      kind: 'asic',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 60829.48e9,
      power_w: 1051,
      power_source: 'reported',
      uptime_s: 3453,
      hw_errors: 0,
      shares_accepted: 1483,
      shares_rejected: 1,
    },
    asked: [...DETECT_CGMINER, 'summary+power+temps+fans'],
  },
  'AvalonMiner 1246: everything from the MM ID0 string, PS[4] power': {
    serves: { stats: 'avalon-1246-stats.json' },
    expected: {
      kind: 'asic',
      vendor: 'canaan',
      model: 'AvalonMiner 1246',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 81072.68e9,
      power_w: 3189,
      power_source: 'reported',
      temp_c: 77,
      fan_rpm: 5392,
      uptime_s: 24684,
      hw_errors: 2735,
    },
    asked: ['version', 'devdetails', 'stats', 'summary+stats'],
  },
  'idle Avalon Q: no power reading, board temperature from HBOTemp': {
    serves: { stats: 'avalon-q-stats.json' },
    expected: {
      kind: 'asic',
      vendor: 'canaan',
      model: 'Avalon Q',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 0,
      power_w: 0, // nameplate × 0 H/s
      power_source: 'estimated',
      temp_c: 27,
      fan_rpm: 0,
      uptime_s: 37819,
      hw_errors: 0,
      error: 'not hashing (Work: In Idle, Hash Board: 1)', // SYSTEMSTATU
    },
    asked: ['version', 'devdetails', 'stats', 'summary+stats'],
  },
  'AvalonMiner 1047 (multi-command reply, family configured): no PSU telemetry, so estimated from the nameplate': {
    serves: { 'summary+stats': 'avalon-10xx-pools+summary+stats.json' },
    config: { family: 'avalon' },
    expected: {
      kind: 'asic',
      vendor: 'canaan',
      model: 'AvalonMiner 1047',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 32247416.81e6,
      power_w: expect.closeTo((2380 / 37) * 32.24741681, 6) as unknown as number, // 37 TH/s, 2,380 W nameplate
      power_source: 'estimated',
      temp_c: 64,
      fan_rpm: 2927,
      uptime_s: 155,
      hw_errors: 0,
      shares_accepted: 6,
      shares_rejected: 0,
    },
    asked: ['summary+stats'],
  },
  'AvalonMiner 1047 just after start-up ("MHS av":nan)': {
    serves: { 'summary+stats': 'avalon-10xx-pools+summary+stats.invalid-nan.txt' },
    config: { family: 'avalon' },
    expected: {
      kind: 'asic',
      vendor: 'canaan',
      model: 'AvalonMiner 1047',
      up: true,
      algorithm: 'sha256',
      hashrate_hs: 0, // every window 0, "MHS av" nan
      power_w: 0,
      power_source: 'estimated',
      error: 'not hashing (Work: In Work, Hash Board: 2)',
      temp_c: 64,
      fan_rpm: 2927,
      uptime_s: 155,
      hw_errors: 0,
      shares_accepted: 6,
      shares_rejected: 0,
    },
    asked: ['summary+stats'],
  },
};

const cases = Object.fromEntries(
  Object.entries(GOLDEN).map(([name, golden]): [string, FleetCase] => {
    const replies = Object.fromEntries(Object.entries(golden.serves).map(([command, file]) => [command, asicFixture(file)]));
    return [name, { ...golden, fake: { ...golden.fake, replies } }];
  }),
);
const fakes = new FakeFleet(cases);

beforeAll(() => fakes.start());
afterAll(() => fakes.close());

describe('every ASIC fixture through the cgminer source', () => {
  it.each(Object.keys(GOLDEN))('%s', (name) => fakes.check(name));

  it('counts the repairs and errors it met', () => {
    const stats = fakes.fleet.stats();
    expect(stats.errors.api).toBe(2); // the S9k (summary refused) and the M30S
    expect(stats.repairs).toMatchObject({
      missing_comma: 2, // the Hiveon stats, read in detection and in the poll
      trailing_bytes: 2, // the S9k version, the Avalon nan reply
      invalid_escape: 2, // the M20S summary, read in detection and in the poll
      non_finite: 1,
      unrepairable: 0,
    });
  });

  it('identifies a Whatsminer from its get_psu reply (flat shape, Description "whatsminer v1.4.0")', () => {
    // The poll never needs get_psu (no wattage in it); its reply shape is what detection meets on
    // btminer's own commands.
    const reply = asicReply('whatsminer-m20sv10-get_psu.json');
    expect(replyStatus(reply)).toEqual({ ok: true, code: 131, description: 'whatsminer v1.4.0' });
    expect(FAMILIES.recognise(reply, 'cgminer')).toEqual({ family: 'whatsminer', firmware: 'whatsminer v1.4.0' });
  });

  it('covers every fixture file', () => {
    const used = new Set(Object.values(GOLDEN).flatMap((g) => Object.values(g.serves)));
    used.add('whatsminer-m30s-error-missing-command.json');
    used.add('whatsminer-m20sv10-get_psu.json');
    const all = readdirSync(new URL('../agent/sources/cgminer/fixtures/', import.meta.url), { withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'SOURCES.md').map((e) => e.name);
    expect(all.filter((f) => !used.has(f))).toEqual([]);
  });
});
