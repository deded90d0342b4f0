import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../protocol/index.js';
import { NonFiniteAmount } from '../metrics/finite.js';
import { messageAmounts } from '../accounting/amounts.js';
import { Ledger } from '../accounting/ledger.js';
import { EconomicsConfig } from '../economics/config.js';
import { LabelCap } from '../metrics/label-cap.js';
import { SiteMetrics } from '../metrics/site-metrics.js';
import { LiveState } from '../state/live-state.js';
import { guardConsumers } from './commit-consumers.js';

const message = (power_w: number, interval_s: number, seq = 1): Telemetry => ({
  v: 1, site: 's', host: 'h', seq, ts: 1764000000000, interval_s,
  devices: [{ id: 'g', kind: 'gpu', workload: 'hpc', up: true, power_w }],
});

describe('guardConsumers', () => {
  it('runs every consumer even when one throws, and reports each failure by reason', () => {
    const seen: string[] = [];
    const failures: string[] = [];
    const commit = guardConsumers<Telemetry>(
      {
        first: () => seen.push('first'),
        overflow: () => {
          throw new NonFiniteAmount('hpc.energy_j');
        },
        broken: () => {
          throw new TypeError('boom');
        },
        last: () => seen.push('last'),
      },
      (consumer, reason) => failures.push(`${consumer}:${reason}`),
    );
    expect(() => commit(message(1, 1))).not.toThrow();
    expect(seen).toEqual(['first', 'last']);
    expect(failures).toEqual(['overflow:non_finite', 'broken:error']);
  });
});

describe('Ledger.record with an amount that overflows (past the schema, as a bug would)', () => {
  it('moves no counter at all, and later messages count exactly', async () => {
    const registry = new Registry();
    const ledger = new Ledger();
    new SiteMetrics(registry, new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 }), new LabelCap(10), ledger, () => 0);
    const pricing = { config: EconomicsConfig.parse({}), market: { btc_usd: null, difficulty: null, height: null, fees_btc_per_block: null, tip_time_ms: null }, share: 1, energyPriceUsdPerMwh: 50, billedRatio: { mining: 1, hpc: 1 } };
    const record = (m: Telemetry) => ledger.record(m, messageAmounts(m, pricing));
    // 1e306 W × 86,400 s overflows to Infinity; prom-client would throw inside the commit path.
    expect(() => record(message(1e306, 86_400, 1))).toThrow(NonFiniteAmount);
    record(message(700, 10, 2));
    const energy = (await registry.getSingleMetric('powersite_device_energy_joules_total')!.get()).values.find((v) => v.labels.workload === 'hpc');
    // 700 W × 10 s, and nothing from the refused one.
    expect(energy?.value).toBe(7000);
    // The refused message was not marked as counted: a sane redelivery of it would count.
    expect(record(message(700, 10, 1))).toBe(true);
  });
});
