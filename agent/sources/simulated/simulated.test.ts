import { describe, expect, it } from 'vitest';
import { SimulatedConfig } from './definition.js';
import { simulate } from './index.js';

describe('simulated source', () => {
  it('gives exact values without jitter and reports the last devices down', () => {
    const config = SimulatedConfig.parse({ type: 'simulated', workload: 'mining', kind: 'asic', devices: 3, id_prefix: 'm', model: 'Antminer S21', power_w: 3500, hashrate_hs: 200e12, down: 1 });
    expect(simulate(config, 1_000)).toEqual([
      { id: 'm-0', kind: 'asic', vendor: 'simulated', model: 'Antminer S21', up: true, power_w: 3500, power_source: 'reported', hashrate_hs: 200e12 },
      { id: 'm-1', kind: 'asic', vendor: 'simulated', model: 'Antminer S21', up: true, power_w: 3500, power_source: 'reported', hashrate_hs: 200e12 },
      { id: 'm-2', kind: 'asic', vendor: 'simulated', model: 'Antminer S21', up: false, error: 'simulated outage' },
    ]);
  });

  it('jitter moves values within its amplitude and is the same for the same time', () => {
    const config = SimulatedConfig.parse({ type: 'simulated', workload: 'hpc', devices: 50, power_w: 700, utilization: 0.9, jitter: 0.1 });
    const a = simulate(config, 123_456);
    expect(simulate(config, 123_456)).toEqual(a);
    for (const r of a) {
      expect(r.power_w).toBeGreaterThanOrEqual(630);
      expect(r.power_w).toBeLessThanOrEqual(770);
      expect(r.utilization).toBeLessThanOrEqual(1);
    }
    expect(new Set(a.map((r) => r.power_w)).size).toBeGreaterThan(1);
  });
});
