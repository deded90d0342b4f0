/**
 * Every published real-world miner reply set (agent/sources/cgminer/fixtures/realworld/, provenance
 * in SOURCES.md there), served by fake miners on loopback, through the real `cgminer` source:
 * detection, client, JSON repair, family parser, model table, power. Commands a capture does not
 * hold are refused the way cgminer refuses an unknown command. Each expected value was worked out
 * by hand from the capture; the comment beside it says how.
 */
import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFleet, type FleetCase } from './fakes/fake-fleet.js';
import { realworldReplies } from './fixtures/asic/index.js';

interface Case extends Omit<FleetCase, 'fake'> {
  /** Capture folder under fixtures/realworld/: one reply file per command. */
  dir: string;
}

const DETECT = ['version', 'devdetails', 'stats', 'summary'];
const TH = 1e12;
const GH = 1e9;
const MH = 1e6;
/** Nameplate W per H/s of the model table rows these estimates use. */
const S9 = 1400 / (13.5 * TH);

const CASES: Record<string, Case> = {
  'Antminer S17 Pro, stock (stats only)': {
    dir: 'antminer-s17pro',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S17 Pro',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 54297.86 * GH, // "GHS 30m" (beside "GHS 5s" 54997.01 and the lifetime "GHS av")
      power_w: expect.closeTo((2094 / 53) * 54.29786, 6) as unknown as number, // no power in stats: 53 TH/s, 2,094 W nameplate
      power_source: 'estimated',
      temp_c: 53, // temp1..3 = 50, 53, 45; temp_pcb maxima 53, 46, 37 (temp2_N are chip sensors)
      fan_rpm: 3120, // fan1..4 = 2400, 3000, 3120, 2400
      uptime_s: 253447,
      hw_errors: 731 + 1074 + 1080, // chain_hw1..3 (no summary)
    },
    asked: [...DETECT.slice(0, 3), 'summary+stats'],
  },
  'Antminer T15, stock': {
    dir: 'antminer-t15',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer T15',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 22210.7 * GH, // "GHS 30m"; "GHS 5s" 21615.78
      power_w: expect.closeTo((1541 / 23) * 22.2107, 6) as unknown as number, // 23 TH/s, 1,541 W nameplate
      power_source: 'estimated',
      temp_c: 40, // temp1..3 = 40, 35, 39; temp_pcb4.. are "-" (empty slots)
      fan_rpm: 2880,
      uptime_s: 13263,
      hw_errors: 7 + 17 + 6,
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S19 Pro in the cold: negative sensor readings, rate_30m': {
    dir: 'antminer-s19pro-cold',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S19 Pro',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 111975.81 * GH, // "rate_30m" in rate_unit GH
      power_w: expect.closeTo(29.5 * 111.97581, 6) as unknown as number, // 29.5 J/TH nameplate
      power_source: 'estimated',
      temp_c: 22, // temp1..3 = 22, 20, 21; temp_pcb1 "2--1-20-22" holds a -1, max 22
      fan_rpm: 5520,
      uptime_s: 82852,
      hw_errors: 1527 + 2752 + 269,
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S19 Pro after an overheat: boards off, so 0 H/s, not its 30-minute memory': {
    dir: 'antminer-s19pro-overheated',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S19 Pro',
      algorithm: 'sha256',
      up: true,
      // "GHS 5s" 0.0 and every chain_rate "0.00" (chips "xxx"), while "GHS av" and rate_30m still say 93556.98.
      hashrate_hs: 0,
      power_w: 0, // nameplate J/TH × 0 H/s
      power_source: 'estimated',
      temp_c: 91, // temp1 91, temp_pcb1 "55-66-78-91"
      fan_rpm: 6120, // fans at full speed
      uptime_s: 321734,
      hw_errors: 880 + 885 + 943,
      error: 'not hashing: all 3 hash boards report 0 H/s, hottest board 91 °C (overheat shutdown?)',
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S19 asleep: 0 H/s and why': {
    dir: 'antminer-s19-sleeping',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S19',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 0, // every window 0.0
      power_w: 0,
      power_source: 'estimated',
      temp_c: 40, // temp2, temp3 = 40; temp_pcb2/3 max 40
      fan_rpm: 1560, // idling fans
      uptime_s: 735,
      hw_errors: 0,
      error: 'not hashing: all 2 hash boards report 0 H/s, boards at 40 °C (sleep mode or boards off)', // chain_acn2/3 = 76 chips, chain 1 and 4 empty
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S9 on asicseer: counters in its stats row': {
    dir: 'antminer-s9-asicseer',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S9',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 13402.14 * GH, // "GHS 5s" is the only window beside the lifetime "GHS av"
      power_w: expect.closeTo(S9 * 13402.14 * GH, 6) as unknown as number,
      power_source: 'estimated',
      temp_c: 57, // temp6..8 = 57, 49, 56
      fan_rpm: 3840, // fan5 2880, fan6 3840
      uptime_s: 102,
      hw_errors: 2, // the stats row's own "Hardware Errors"
      shares_accepted: 1,
      shares_rejected: 0,
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S9 whose Type carries its firmware version on a second line': {
    dir: 'antminer-s9-badtemps',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S9',
      model_raw: 'Antminer S9\nV1.3.58',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 13883.81 * GH,
      power_w: expect.closeTo(S9 * 13883.81 * GH, 6) as unknown as number,
      power_source: 'estimated',
      temp_c: 75, // temp6 75, temp7 0 (dead sensor), temp8 73; temp2_7 -83 is a chip sensor, not read
      fan_rpm: 3720,
      uptime_s: 293628,
      hw_errors: 3085 + 289 + 175165,
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S9 on VNish: chain_consumption is its power': {
    dir: 'antminer-s9-vnish',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S9',
      model_raw: 'Antminer S9 (vnish 3.8.6)',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 12795.48 * GH,
      power_w: 3 * 495, // chain_consumption6..8 = 495 W each
      power_source: 'reported',
      temp_c: 65,
      fan_rpm: 5880,
      uptime_s: 3617,
      hw_errors: 1 + 3 + 293,
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer S9 on MSKminer (Hiveon-style build): chain_power': {
    dir: 'mskminer-s9',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S9 Pro',
      model_raw: 'Antminer S9 Pro (v5.1) ',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 9039.731 * GH, // 16 s after start: "GHS 5s" is the only current window
      power_w: 967.5, // "chain_power":"967.50 (AB)"
      power_source: 'reported',
      temp_c: 37,
      fan_rpm: 5280,
      uptime_s: 16,
      hw_errors: 0,
    },
    asked: ['version', 'summary+stats'],
  },
  'Antminer L3+: scrypt, MH/s under "GHS" keys, never priced as bitcoin': {
    dir: 'antminer-l3plus',
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer L3+',
      algorithm: 'scrypt',
      up: true,
      hashrate_hs: 504.56 * MH, // "GHS 5s":"504.56" is MH/s (chain_rate1..4 sum to 504.56; the L3+ is a 504 MH/s miner)
      power_w: expect.closeTo((800 / 504) * 504.56, 6) as unknown as number, // 800 W at 504 MH/s nameplate
      power_source: 'estimated',
      temp_c: 46,
      fan_rpm: 3840,
      uptime_s: 393983,
      hw_errors: 153,
    },
    asked: [...DETECT.slice(0, 3), 'summary+stats'],
  },
  'Braiins OS (not +) S9: no tunerstatus, model from the config, so estimated': {
    dir: 'braiins-os-s9',
    config: { model: 'Antminer S9' },
    expected: {
      kind: 'asic',
      vendor: 'bitmain',
      model: 'Antminer S9',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 14194945.838709138 * MH, // "MHS 1m"; 92 s after start the 5 m and 15 m windows are still filling
      power_w: expect.closeTo(S9 * 14194945.838709138 * MH, 6) as unknown as number,
      power_source: 'estimated',
      temp_c: 53, // TEMPS Board 53, 46, 52
      fan_rpm: 1560,
      uptime_s: 92,
      hw_errors: 0,
      shares_accepted: 68,
      shares_rejected: 2,
    },
    asked: ['version', 'summary+tunerstatus+temps+fans'],
  },
  'Whatsminer M20S, 2019 firmware: no power field, model from the config': {
    dir: 'whatsminer-m20s-2019',
    config: { model: 'Whatsminer M20S' },
    expected: {
      kind: 'asic',
      vendor: 'microbt',
      model: 'Whatsminer M20S',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 65463822.08 * MH, // "MHS 1m"
      power_w: expect.closeTo((3360 / 68) * 65.46382208, 6) as unknown as number, // 68 TH/s, 3,360 W nameplate
      power_source: 'estimated',
      temp_c: 75, // summary Temperature (no edevs in the capture)
      fan_rpm: 4590, // Fan Speed In 4590, Out 4560
      uptime_s: 97139,
      hw_errors: 1601,
      shares_accepted: 33825,
      shares_rejected: 185,
    },
    asked: [...DETECT, 'summary', 'edevs'], // recognised by btminer's "Power Fanspeed" in summary
  },
  'Whatsminer M30S, 2020 firmware': {
    dir: 'whatsminer-m30s-2020',
    expected: {
      kind: 'asic',
      vendor: 'microbt',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 85163473.24 * MH, // "MHS 1m"
      power_w: 3230, // summary "Power"
      power_source: 'reported',
      temp_c: 80, // edevs 80, 72, 72.5; summary Temperature 80
      fan_rpm: 2430,
      uptime_s: 29600,
      hw_errors: 800,
      shares_accepted: 1739,
      shares_rejected: 1,
    },
    asked: [...DETECT, 'summary', 'edevs'],
  },
  'Whatsminer M31S, 2021 firmware: the 1-minute rate, not the 5 s spike': {
    dir: 'whatsminer-m31s-2021',
    expected: {
      kind: 'asic',
      vendor: 'microbt',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 97878725.92 * MH, // "MHS 1m"; "MHS 5s" reads 116472006.19
      power_w: 3496,
      power_source: 'reported',
      temp_c: 80, // edevs 79.5, 80, 79.5
      fan_rpm: 3930,
      uptime_s: 1216997,
      hw_errors: 0,
      shares_accepted: 457459,
      shares_rejected: 518,
    },
    asked: [...DETECT, 'summary', 'edevs'], // recognised by its summary's Description "btminer"
  },
  'AvalonMiner 921 controller (AUC, 50 modules): named 921, Fan[] read, power estimated': {
    dir: 'avalon-9xx-controller',
    expected: {
      kind: 'asic',
      vendor: 'canaan',
      model: 'AvalonMiner 921', // Ver[9211809-b4b3d00]: model 921, built 2018-09
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 431791164.82 * MH, // summary "MHS 1m"
      power_w: expect.closeTo((1700 / 20) * 431.79116482, 6) as unknown as number, // 20 TH/s, 1,700 W nameplate; no PS[] in these modules
      power_source: 'estimated',
      temp_c: 96, // hottest TMax of the 50 modules
      fan_rpm: 6750, // fastest Fan[] of the 50 modules
      uptime_s: 66007,
      hw_errors: 128,
      shares_accepted: 12757,
      shares_rejected: 32,
    },
    asked: [...DETECT.slice(0, 3), 'summary+stats'],
  },
  'AvalonMiner 1566 (PROD "AvalonMiner 15-194"): WALLPOWER': {
    dir: 'avalon-1566',
    expected: {
      kind: 'asic',
      vendor: 'canaan',
      model: 'AvalonMiner 1566',
      model_raw: 'AvalonMiner 15-194',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 199241.07 * GH, // GHSspd, the module's measured speed (no summary in the capture)
      power_w: 3731, // WALLPOWER[3731]
      power_source: 'reported',
      temp_c: 78, // TMax[78]
      fan_rpm: 4282, // Fan1[4275] Fan2[4282]
      uptime_s: 975,
      hw_errors: 0,
    },
    asked: ['version', 'summary+stats'],
  },
  'Bitdeer Sealminer A2: PSU Input Power, board temperatures and fans': {
    dir: 'sealminer-a2',
    expected: {
      kind: 'asic',
      vendor: 'bitdeer',
      model: 'Sealminer A2',
      algorithm: 'sha256',
      up: true,
      hashrate_hs: 197599714.1 * MH, // summary "MHS 1m"; "MHS 5s" reads 368 TH/s
      power_w: 3504, // "PSU Input Power" (wall side; output 3232)
      power_source: 'reported',
      temp_c: 70, // "<board> Temp <n>" max 70
      fan_rpm: 3753, // "0 Speed".."3 Speed"; the PSU's own fan (4408) is not a board fan
      uptime_s: 2481,
      hw_errors: 54,
      shares_accepted: 1421,
      shares_rejected: 3,
    },
    asked: ['version', 'summary+stats'],
  },
  'Hammer D10 (scrypt, generic cgminer): model from Type, no nameplate power': {
    dir: 'hammer-d10',
    expected: {
      kind: 'asic',
      vendor: 'hammer',
      model: 'Hammer D10',
      algorithm: 'scrypt',
      up: true,
      hashrate_hs: 4885.0813 * MH, // summary "MHS 5s", the only window beside "MHS av"
      temp_c: 45, // duplicate temp1..4 keys: the last of each (45, 42, 40, 0) is kept; 45 is also the highest of all
      fan_rpm: 4650,
      uptime_s: 119134,
      hw_errors: 7977,
      shares_accepted: 156,
      shares_rejected: 156,
    },
    asked: [...DETECT, 'summary', 'stats'],
  },
};

const logs: Array<{ msg: string; family?: string }> = [];
const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(JSON.parse(chunk.toString())), done()) }));

const fakes = new FakeFleet(Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, { ...c, fake: { replies: realworldReplies(c.dir) } }])));

beforeAll(() => fakes.start(logger));
afterAll(() => fakes.close());

describe('real-world miner replies through the cgminer source', () => {
  it.each(Object.keys(CASES))('%s', (name) => fakes.check(name));

  it('says once per family, at start, how many miners of each model it found and where their power comes from', async () => {
    const lines = () => logs.filter((l) => l.family !== undefined).map((l) => l.msg);
    expect(lines()).toEqual([
      'antminer: 9 miners: Antminer S17 Pro ×1 (1 estimated from nameplate); Antminer T15 ×1 (1 estimated from nameplate); Antminer S19 Pro ×2 (2 estimated from nameplate); Antminer S19 ×1 (1 estimated from nameplate); Antminer S9 ×3 (1 reported, 2 estimated from nameplate); Antminer L3+ ×1 (1 estimated from nameplate)',
      'hiveon: 1 miner: Antminer S9 Pro ×1 (1 reported)',
      'braiins: 1 miner: Antminer S9 ×1 (1 estimated from nameplate)',
      'whatsminer: 3 miners: Whatsminer M20S ×1 (1 estimated from nameplate); model unknown ×2 (2 reported)',
      'avalon: 2 miners: AvalonMiner 921 ×1 (1 estimated from nameplate); AvalonMiner 1566 ×1 (1 reported)',
      'bitdeer: 1 miner: Sealminer A2 ×1 (1 reported)',
      'generic: 1 miner: Hammer D10 ×1 (1 no power: set model or power_w in the config)',
    ]);
    await fakes.fleet.read(new AbortController().signal);
    expect(lines()).toHaveLength(7); // not again on the next cycle
  });

  it('covers every capture folder', () => {
    const all = readdirSync(new URL('../agent/sources/cgminer/fixtures/realworld/', import.meta.url), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(all.map((e) => e.name).sort()).toEqual(Object.values(CASES).map((c) => c.dir).sort());
  });
});
