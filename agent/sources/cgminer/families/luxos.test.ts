import { describe, expect, it } from 'vitest';
import { asicReplies } from '../../../../test/fixtures/asic/index.js';
import { MinerError } from '../wire/errors.js';
import { luxosFamily } from './luxos.js';

describe('LuxOS', () => {
  it('reads summary (GH/s) and the power command', () => {
    const missing = new MinerError('api', 'Invalid command (code 14)', 14);
    const readout = luxosFamily.parse(asicReplies({ summary: 'luxos-s19kpro-summary.json', power: 'luxos-s19kpro-power.json', temps: missing, fans: missing }), {
      family: 'luxos',
    });
    expect(readout).toEqual({
      model: undefined,
      hashrate_hs: 60829.48e9, // "GHS 1m"
      reported_power_w: 1051, // POWER[0].Watts
      temp_c: undefined,
      fan_rpm: undefined,
      uptime_s: 3453,
      hw_errors: 0,
      shares_accepted: 1483,
      shares_rejected: 1,
    });
  });
});
