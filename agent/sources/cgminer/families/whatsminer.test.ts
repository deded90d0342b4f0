import { describe, expect, it } from 'vitest';
import { asicReplies } from '../../../../test/fixtures/asic/index.js';
import { MinerError } from '../wire/errors.js';
import { whatsminerFamily, whatsminerModel } from './whatsminer.js';

describe('Whatsminer (btminer API v1/v2)', () => {
  it('reads the M20S summary: MH/s → H/s, Power in W', () => {
    const readout = whatsminerFamily.parse(asicReplies({ summary: 'whatsminer-m20s-summary.invalid-escape.txt', edevs: new MinerError('api', 'edevs: Invalid command (code 14)', 14) }), {
      family: 'whatsminer',
    });
    expect(readout).toEqual({
      model: undefined,
      hashrate_hs: 67266447.69e6, // "MHS 1m"
      reported_power_w: 3491,
      temp_c: 72,
      fan_rpm: 4950,
      uptime_s: 66295,
      hw_errors: 912,
      shares_accepted: 5018,
      shares_rejected: 29,
    });
  });

  it('reads the M20S V10 summary', () => {
    const readout = whatsminerFamily.parse(asicReplies({ summary: 'whatsminer-m20sv10-summary.json' }), { family: 'whatsminer', model: 'Whatsminer M20S V10' });
    expect(readout).toEqual({
      model: 'Whatsminer M20S V10',
      hashrate_hs: expect.closeTo(67439352.49e6, 0), // "MHS 1m"
      reported_power_w: 3417,
      temp_c: 71.5,
      fan_rpm: 6480,
      uptime_s: 10154,
      hw_errors: 69,
      shares_accepted: 2338,
      shares_rejected: 0,
    });
  });

  it('takes the hottest board from edevs (M31S: 57.5, 72, 68)', () => {
    const readout = whatsminerFamily.parse(asicReplies({ summary: 'whatsminer-m31s-summary.json', edevs: 'whatsminer-m31s-edevs.json' }), { family: 'whatsminer' });
    expect(readout).toMatchObject({
      hashrate_hs: 77909448.6e6,
      reported_power_w: 3553,
      temp_c: 72,
      fan_rpm: 5700, // "Fan Speed Out":0 on this unit
      uptime_s: 33102,
      hw_errors: 0,
      shares_accepted: 2296,
      shares_rejected: 1,
    });
  });

  it('reports a sleeping miner (btmineroff) as reachable, hashing nothing', () => {
    const off = new MinerError('api', 'summary: Invalid command (code 14)', 14);
    const readout = whatsminerFamily.parse(asicReplies({ summary: off, status: 'whatsminer-m31s-status.btmineroff.json' }), { family: 'whatsminer' });
    expect(readout).toEqual({ model: undefined, hashrate_hs: 0, note: 'mining stopped (btmineroff)' });
  });

  it("throws the summary error when the firmware rejects the request (M30S: Missing JSON 'command')", () => {
    const replies = asicReplies({ summary: 'whatsminer-m30s-error-missing-command.json', status: 'whatsminer-m30s-error-missing-command.json' });
    expect(() => whatsminerFamily.parse(replies, { family: 'whatsminer' })).toThrow("summary: Missing JSON 'command' (code 24)");
  });

  it('names devdetails models', () => {
    expect(whatsminerModel('M20S.V10')).toBe('Whatsminer M20S.V10');
    expect(whatsminerModel('WhatsMiner M50')).toBe('WhatsMiner M50');
  });
});
