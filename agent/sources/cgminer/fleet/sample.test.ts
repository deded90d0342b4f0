import { describe, expect, it } from 'vitest';
import { downReading, upReading } from './sample.js';

const target = { id: '10.0.3.17', host: '10.0.3.17', port: 4028 };

describe('device readings', () => {
  it('publishes a readout with its power source, dropping values the wire schema would reject', () => {
    const reading = upReading(target, { vendor: 'bitmain', model: 'Antminer S19 Pro', hashrate_hs: 1.1e14, temp_c: 73, fan_rpm: -1, hw_errors: 12.6, uptime_s: Number.NaN }, { power_w: 3245, power_source: 'estimated' });
    expect(reading).toEqual({ id: '10.0.3.17', kind: 'asic', vendor: 'bitmain', model: 'Antminer S19 Pro', up: true, hashrate_hs: 1.1e14, temp_c: 73, hw_errors: 13, power_w: 3245, power_source: 'estimated' });
  });

  it('carries a note on a reachable but idle miner', () => {
    expect(upReading(target, { hashrate_hs: 0, note: 'mining stopped (btmineroff)' }, undefined)).toEqual({ id: '10.0.3.17', kind: 'asic', up: true, hashrate_hs: 0, error: 'mining stopped (btmineroff)' });
  });

  it('reports a dead miner with its last known model and the reason, cut to the schema limit', () => {
    const reading = downReading(target, 'bitmain', { family: 'antminer', model: 'Antminer S19 Pro' }, 'x'.repeat(400));
    expect(reading).toMatchObject({ id: '10.0.3.17', kind: 'asic', vendor: 'bitmain', model: 'Antminer S19 Pro', up: false });
    expect(reading.error).toHaveLength(256);
  });
});
