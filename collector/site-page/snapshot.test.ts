import { describe, expect, it } from 'vitest';
import type { DeviceSample, Telemetry } from '../../protocol/index.js';
import { EconomicsConfig } from '../economics/config.js';
import { computeEconomics } from '../economics/site.js';
import type { MarketSnapshot } from '../market/source.js';
import type { SiteView } from '../metrics/economics-metrics.js';
import { LiveState } from '../state/live-state.js';
import { siteSnapshot, type SnapshotInput } from './snapshot.js';

const NOW = 1_800_000_000_000;
const BTC = 95_000;
const DIFFICULTY = 1.1e14;
const MARKET: MarketSnapshot = { btc_usd: BTC, difficulty: DIFFICULTY, height: 920_000, fees_btc_per_block: 0.03, tip_time_ms: null, network_hashrate_hs: null, updated_at_ms: NOW - 30_000, age_s: 30, stale: false };
const config = EconomicsConfig.parse({ energy: { price_usd_per_mwh: 40 }, bitcoin: { pool_fee: 0.02 }, hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2, H100: 2.5 } } });

const gpu = (id: string, power: number, up = true, source: 'measured' | 'reported' = 'reported'): DeviceSample => ({ id, kind: 'gpu', workload: 'hpc', model: 'NVIDIA H100 80GB HBM3', up, power_w: power, power_source: source, utilization: 0.5 });
const asic = (id: string, power: number, source: 'estimated' | 'reported'): DeviceSample => ({ id, kind: 'asic', workload: 'mining', model: 'Antminer S19 Pro', up: true, power_w: power, power_source: source, hashrate_hs: 100e12 });
const msg = (site: string, host: string, ts: number, devices: DeviceSample[]): Telemetry => ({ v: 1, site, host, seq: 1, ts, interval_s: 10, devices });

/** A live state with two sites, a GPU reporting a fault, an agent gone offline and one degraded. */
function input(overrides: Partial<SnapshotInput> = {}): SnapshotInput {
  const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
  state.apply(msg('tx-1', 'gpu-1', NOW - 2000, [gpu('a', 700, true, 'measured'), gpu('b', 300), gpu('c', 50, false)]), NOW - 2000);
  state.apply(msg('tx-1', 'gw-1', NOW - 4000, [asic('m1', 3250, 'estimated'), asic('m2', 3000, 'reported')]), NOW - 4000);
  state.apply(msg('tx-1', 'gw-2', NOW - 5000, [asic('m3', 3000, 'reported')]), NOW - 5000);
  state.applyStatus({ v: 1, site: 'tx-1', host: 'gw-2', state: 'offline', ts: NOW - 1000 });
  state.applyStatus({ v: 1, site: 'tx-1', host: 'gpu-1', state: 'online', ts: NOW - 1000, degraded: 'spool: ENOSPC' });
  state.apply(msg('a-site', 'gpu-9', NOW - 1000, [gpu('z', 650)]), NOW - 1000);
  const summaries = state.summarize(NOW);
  const views = new Map<string, SiteView>();
  for (const [site, s] of summaries) {
    views.set(site, {
      economics: computeEconomics(s, config, MARKET, NOW),
      forward: [],
      advice: site === 'tx-1' ? [{ workload: 'mining', model: 'Antminer S19 Pro', breakeven_usd_per_mwh: 38.5, power_w: 6250, raw: true, curtail: true, reason: '3 consecutive intervals above the breakeven', changed: false }] : [],
    });
  }
  return { now_ms: NOW, summaries, views, activity: state.activity(), market: MARKET, market_source: 'config', energy_updated_at_ms: () => null, ...overrides };
}

describe('siteSnapshot', () => {
  const snapshot = siteSnapshot(input());
  const tx = snapshot.sites.find((s) => s.site === 'tx-1')!;

  it('lists every site by name, each with its power in MW by workload and how that power is known', () => {
    expect(snapshot.sites.map((s) => s.site)).toEqual(['a-site', 'tx-1']);
    // m3's host is offline: its miner counts as silent, not as power.
    expect(tx.mining.power_mw).toBeCloseTo(0.00625, 12);
    expect(tx.mining.estimated_share).toBeCloseTo(3250 / 6250, 12);
    expect(tx.mining.measured_share).toBe(0);
    expect(tx.hpc.power_mw).toBeCloseTo(0.001, 12);
    expect(tx.hpc.measured_share).toBeCloseTo(0.7, 12);
    expect(tx.hashrate_ths).toBeCloseTo(200, 9);
    expect(tx.data_age_s).toBe(2);
  });

  it('gives revenue, energy cost and margin per MWh from the formulas, for both workloads', () => {
    const miningPerHour = ((200e12 * (3.125 + 0.03) * 0.98 * BTC) / (DIFFICULTY * 2 ** 32)) * 3600;
    expect(tx.mining.revenue_usd_per_hour).toBeCloseTo(miningPerHour, 9);
    expect(tx.mining.revenue_usd_per_mwh).toBeCloseTo(miningPerHour / 0.00625, 6);
    expect(tx.mining.margin_usd_per_mwh).toBeCloseTo(miningPerHour / 0.00625 - 40, 6);
    expect(tx.mining.energy_cost_usd_per_hour).toBeCloseTo(0.25, 12);
    // Reserved GPUs are billed while up: two H100 at $2.50 over 1 kW.
    expect(tx.hpc.revenue_usd_per_hour).toBeCloseTo(5, 12);
    expect(tx.hpc.margin_usd_per_mwh).toBeCloseTo(5000 - 40, 9);
    expect(tx.energy).toEqual({ price_usd_per_mwh: 40, opportunity_usd_per_mwh: 40, spot_usd_per_mwh: null, source: 'fixed', stale: false, age_s: null });
  });

  it('says which devices are down and why: a fault, silence, an agent offline or degraded', () => {
    expect(tx.down).toEqual([
      { reason: 'silent', workload: 'mining', kind: 'asic', count: 1 },
      { reason: 'fault', workload: 'hpc', kind: 'gpu', count: 1 },
      { reason: 'agent_offline', workload: null, kind: 'agent', count: 1 },
      { reason: 'agent_degraded', workload: null, kind: 'agent', count: 1 },
    ]);
    expect(tx.agents).toEqual({ online: 2, offline: 1, degraded: 1 });
    expect(snapshot.sites[0]!.down).toEqual([]);
  });

  it('carries the curtailment advice in MW and the margin at the next halving', () => {
    expect(tx.curtailment).toEqual([{ workload: 'mining', model: 'Antminer S19 Pro', curtail: true, power_mw: 0.00625, breakeven_usd_per_mwh: 38.5, reason: '3 consecutive intervals above the breakeven' }]);
    const halvingPerHour = ((200e12 * (1.5625 + 0.03) * 0.98 * BTC) / (DIFFICULTY * 2 ** 32)) * 3600;
    expect(tx.next_halving_mining_margin_usd_per_mwh).toBeCloseTo(halvingPerHour / 0.00625 - 40, 6);
  });

  it('gives the market with its age and the next halving, estimated at 600 s a block from now without a tip time', () => {
    const hashprice = (86_400e15 * (3.125 + 0.03) * BTC) / (DIFFICULTY * 2 ** 32);
    expect(snapshot.market).toMatchObject({ source: 'config', btc_usd: BTC, height: 920_000, age_s: 30, stale: false });
    expect(snapshot.market.hashprice_usd_per_ph_day).toBeCloseTo(hashprice, 9);
    expect(snapshot.halving).toEqual({ height: 1_050_000, blocks_until: 130_000, date_ms: NOW + 130_000 * 600_000, subsidy_btc_now: 3.125, subsidy_btc_after: 1.5625 });
  });

  it('ages a feed\'s energy price from its last update, and leaves unknown market figures unknown', () => {
    const s = siteSnapshot(input({ energy_updated_at_ms: (site) => (site === 'tx-1' ? NOW - 12_500 : null), market: { ...MARKET, difficulty: null, height: null, age_s: null } }));
    expect(s.sites.find((x) => x.site === 'tx-1')!.energy.age_s).toBe(12.5);
    expect(s.market.hashprice_usd_per_ph_day).toBeNull();
    expect(s.halving).toBeNull();
    expect(s.market.age_s).toBeNull();
  });

  it('is plain JSON (what /api/site serves), and leaves out a site whose economics are not computed yet', () => {
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    const partial = input();
    partial.views = new Map([...partial.views].filter(([site]) => site === 'tx-1'));
    expect(siteSnapshot(partial).sites.map((s) => s.site)).toEqual(['tx-1']);
  });

  it('waits for data: no site, market and halving still shown', () => {
    const empty = siteSnapshot(input({ summaries: new Map(), views: new Map(), activity: new Map() }));
    expect(empty.sites).toEqual([]);
    expect(empty.market.btc_usd).toBe(BTC);
    expect(empty.halving?.height).toBe(1_050_000);
  });
});
