import { describe, expect, it } from 'vitest';
import { asicReplies } from '../../../../test/fixtures/asic/index.js';
import { antminerFamily, hiveonFamily } from './antminer.js';
import { MinerError } from '../wire/errors.js';

const invalid = new MinerError('api', 'summary: Invalid command (code 14)', 14);

describe('stock Antminer (bmminer)', () => {
  it('reads the S19 Pro summary and stats: GH/s → H/s, hottest board, fastest fan, no power', () => {
    const readout = antminerFamily.parse(
      asicReplies({ summary: 'antminer-s19pro-bmminer-summary.json', stats: 'antminer-s19pro-bmminer-stats.json' }),
      { family: 'antminer' },
    );
    expect(readout).toEqual({
      model: 'Antminer S19 Pro',
      hashrate_hs: 111878.26e9, // summary "GHS 30m": the current rate without the 5 s noise
      temp_c: 73, // temp1 and temp_pcb1 "73-45-64-65"
      fan_rpm: 6000,
      uptime_s: 50474,
      hw_errors: 562,
      shares_accepted: 4057,
      shares_rejected: 11,
      reported_power_w: undefined,
    });
  });

  it('falls back to the stats row when summary fails (hardware errors summed over chains)', () => {
    const readout = antminerFamily.parse(asicReplies({ summary: invalid, stats: 'antminer-s19pro-bmminer-stats.json' }), { family: 'antminer' });
    expect(readout).toMatchObject({ hashrate_hs: 111878.26e9 /* stats rate_30m, rate_unit GH */, uptime_s: 50474, hw_errors: 183 + 195 + 184 });
    expect(readout.shares_accepted).toBeUndefined();
  });

  it('prefers the model detection found (or the operator gave)', () => {
    const readout = antminerFamily.parse(
      asicReplies({ summary: 'antminer-s19pro-bmminer-summary.json', stats: 'antminer-s19pro-bmminer-stats.json' }),
      { family: 'antminer', model: 'Antminer S19 XP' },
    );
    expect(readout.model).toBe('Antminer S19 XP');
  });

  it('throws the summary error when neither command gave data', () => {
    expect(() => antminerFamily.parse(asicReplies({ summary: invalid, stats: invalid }), { family: 'antminer' })).toThrow(invalid);
  });

  it('names the hardware, not the firmware, and the firmware apart', () => {
    const version = (type: string, build: Record<string, string> = { BMMiner: '1.0.0' }) => ({ STATUS: [{ STATUS: 'S', Description: 'cgminer 1.0.0' }], VERSION: [{ ...build, Type: type }] });
    expect(antminerFamily.recognise(version('Antminer S9 (vnish 3.8.6)', { CGMiner: '4.11.1' }))).toEqual({ model: 'Antminer S9', firmware: 'vnish 3.8.6' });
    expect(antminerFamily.recognise(version('Antminer S9\nV1.3.58', { BMMiner: '2.0.0' }))).toEqual({ model: 'Antminer S9', firmware: 'bmminer 2.0.0' });
    expect(hiveonFamily.recognise(version('Antminer S19JPRO Hiveon'))).toEqual({ model: 'Antminer S19j Pro', firmware: 'bmminer 1.0.0' });
    expect(antminerFamily.recognise(version('Antminer S19JPRO Hiveon'))).toBeUndefined();
  });
});

describe('Hiveon', () => {
  it('reads the S9 stats (string hashrate, 16 chain slots) and its chain_power', () => {
    const readout = hiveonFamily.parse(asicReplies({ summary: invalid, stats: 'antminer-s9-hiveon-stats.invalid-missing-comma.txt' }), {
      family: 'hiveon',
    });
    expect(readout).toEqual({
      model: 'Antminer S9',
      model_raw: 'Antminer S9 Hiveon',
      hashrate_hs: 11781.4e9, // "GHS 5s":"11781.40"
      temp_c: 59, // temp6..8 = 59, 50, 57 (temp2_N are chip sensors)
      fan_rpm: 4920, // fan5 3840, fan6 4920
      uptime_s: 69,
      hw_errors: 0,
      shares_accepted: undefined,
      shares_rejected: undefined,
      reported_power_w: 34.65, // "chain_power":"34.65 (AB)" (power.ts judges it implausible)
    });
  });
});
