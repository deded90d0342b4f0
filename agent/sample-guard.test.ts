import { describe, expect, it } from 'vitest';
import type { DeviceSample } from '../protocol/index.js';
import { guardSample } from './sample-guard.js';

const base: DeviceSample = { id: '10.0.3.17', kind: 'asic', workload: 'mining', up: true, power_w: 3250, hashrate_hs: 1.1e14 };

describe('guardSample', () => {
  it('passes a valid sample through untouched', () => {
    expect(guardSample(base)).toEqual({ sample: base, dropped: [] });
  });

  it('drops the fields a firmware got wrong and keeps the rest', () => {
    const r = guardSample({ ...base, temp_c: Number.NaN, hashrate_hs: -5, utilization: 3 });
    expect(r.dropped.sort()).toEqual(['hashrate_hs', 'temp_c', 'utilization']);
    expect(r.sample).toEqual({ id: '10.0.3.17', kind: 'asic', workload: 'mining', up: true, power_w: 3250 });
  });

  it('makes names tag-safe: no control characters, no trailing backslash, bounded length', () => {
    const r = guardSample({ ...base, model: 'Antminer S19\\', vendor: 'bit\nmain', id: 'x'.repeat(200) });
    expect(r.sample.model).toBe('Antminer S19');
    expect(r.sample.vendor).toBe('bit main');
    expect(r.sample.id).toHaveLength(128);
    expect(r.dropped).toEqual([]);
  });

  it('a model made only of control characters is dropped, not published empty', () => {
    expect(guardSample({ ...base, model: '\u0000\u0001' }).sample.model).toBeUndefined();
  });
});
