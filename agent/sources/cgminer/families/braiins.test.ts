import { describe, expect, it } from 'vitest';
import { asicReplies } from '../../../../test/fixtures/asic/index.js';
import { braiinsFamily } from './braiins.js';
import { MinerError } from '../wire/errors.js';

describe('Braiins OS+', () => {
  it('reads summary (MH/s), temps (hottest Board) and tunerstatus power', () => {
    // summary and temps come from one S9 capture, tunerstatus from the Braiins docs' S9 example.
    const readout = braiinsFamily.parse(
      asicReplies({
        summary: 'braiins-bosplus-s9-summary.json',
        temps: 'braiins-bosplus-s9-temps.json',
        tunerstatus: 'braiins-bosplus-s9-tunerstatus.json',
        fans: new MinerError('api', 'fans: Invalid command (code 14)', 14),
      }),
      { family: 'braiins', model: 'Antminer S9' },
    );
    expect(readout).toEqual({
      model: 'Antminer S9',
      hashrate_hs: 13967276.98800245e6, // "MHS 1m"
      reported_power_w: 1419, // ApproximateMinerPowerConsumption
      temp_c: 75, // Board 75, 63, 70 ("Chip":0.0 = no sensor)
      fan_rpm: undefined,
      uptime_s: 3680,
      hw_errors: 186,
      shares_accepted: 153,
      shares_rejected: 0,
    });
  });

  it('has no reading without summary', () => {
    const replies = asicReplies({ summary: new MinerError('timeout', 'no reply'), tunerstatus: 'braiins-bosplus-s9-tunerstatus.json' });
    expect(() => braiinsFamily.parse(replies, { family: 'braiins' })).toThrow('no reply');
  });
});
