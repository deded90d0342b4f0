import { describe, expect, it } from 'vitest';
import { asicReplies } from '../../../../test/fixtures/asic/index.js';
import { MinerError } from '../wire/errors.js';
import { genericFamily } from './generic.js';

describe('generic cgminer fallback', () => {
  it('reads any SUMMARY and the common temp/fan keys of stats', () => {
    // An S19 Pro's replies as an unrecognised cgminer would give them.
    const readout = genericFamily.parse(asicReplies({ summary: 'antminer-s19pro-bmminer-summary.json', stats: 'antminer-s19pro-bmminer-stats.json' }), {
      family: 'generic',
    });
    expect(readout).toEqual({
      model: 'Antminer S19 Pro', // STATS[0].Type
      hashrate_hs: 111878.26e9, // "GHS 30m" before "GHS 5s"
      temp_c: 73,
      fan_rpm: 6000,
      uptime_s: 50474,
      hw_errors: 562,
      shares_accepted: 4057,
      shares_rejected: 11,
    });
  });

  it('works from summary alone, in whatever unit it reports (bosminer MH/s)', () => {
    const readout = genericFamily.parse(asicReplies({ summary: 'braiins-bosplus-s9-summary.json', stats: new MinerError('api', 'stats: Invalid command', 14) }), {
      family: 'generic',
      model: 'Antminer S9',
    });
    expect(readout).toMatchObject({ model: 'Antminer S9', hashrate_hs: 13967276.98800245e6, uptime_s: 3680 });
    expect(readout.temp_c).toBeUndefined();
  });

  it('needs summary', () => {
    const replies = asicReplies({ summary: 'antminer-s19jpro-hiveon-devdetails.error-access-denied.json' });
    expect(() => genericFamily.parse(replies, { family: 'generic' })).toThrow("summary: Access denied to 'devdetails' command (code 45)");
  });
});
