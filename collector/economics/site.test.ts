import { describe, expect, it } from 'vitest';
import type { DeviceSample } from '../../protocol/telemetry.js';
import { EconomicsConfig } from './config.js';
import { colocationShare, computeEconomics, messageRevenueUsdPerHour, type MarketInputs, type SiteAggregate } from './site.js';

function expectRelative(actual: number | null | undefined, expected: number, tolerance = 1e-9): void {
  expect(actual).toBeTypeOf('number');
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

// The 2024-03-31 snapshot of fixtures/market/SOURCES.md ("Worked checks"): hashprice $107.9927991364406/PH/day.
const MARKET_837050: MarketInputs = {
  btc_usd: 69_880,
  difficulty: 83126997340024.61,
  height: 837_050,
  fees_btc_per_block: 0.1360176425,
  tip_time_ms: 1_711_854_927_000,
};
const NO_MARKET: MarketInputs = { btc_usd: null, difficulty: null, height: null, fees_btc_per_block: null, tip_time_ms: null };
const NOW = Date.parse('2024-03-31T03:20:00Z'); // a Sunday

// ~1 MW of each: 285 Antminer S21 (200 TH/s at 3,500 W, estimated from nameplate), 98 DGX H100 servers (8 GPUs, 10.2 kW).
const S21 = { power_w: 285 * 3500, hashrate_hs: 285 * 200e12, devices: 285 };
const H100S = Array.from({ length: 784 }, () => ({ model: 'NVIDIA H100 80GB HBM3', up: true, utilization: 0.6 }));
const SITE: SiteAggregate = {
  mining: { power_w: S21.power_w, estimated_power_w: S21.power_w, hashrate_hs: S21.hashrate_hs, by_model: { 'Antminer S21': S21 } },
  hpc: { power_w: 98 * 10_200, estimated_power_w: 0, gpus: H100S },
};

const config = (economics: unknown) => EconomicsConfig.parse(economics);
const PRICES = { default: 2.0, H100: 2.1 };

describe('computeEconomics: a worked mining vs HPC vs colocation example per MWh', () => {
  const flat45 = { energy: { price_usd_per_mwh: 45 }, bitcoin: { pool_fee: 0.02 } };

  it('mining: hashprice × 0.98 × 1000 / 17.5 J/TH / 24 h = $251.98/MWh, margin $206.98 at $45', () => {
    const e = computeEconomics(SITE, config({ ...flat45, hpc: { price_usd_per_gpu_hour: PRICES } }), MARKET_837050, NOW);
    expectRelative(e.hashprice_usd_per_ph_day, 107.9927991364406);
    // 57 PH/s × 107.99 × 0.98 / 24 h.
    expectRelative(e.mining.revenue_usd_per_hour, 251.35323999006548);
    expectRelative(e.mining.revenue_usd_per_mwh, 251.98319798502806);
    expectRelative(e.mining.margin_usd_per_mwh, 206.98319798502806);
    expect(e.mining).toMatchObject({ power_w: 997_500, energy_cost_usd_per_mwh: 45, estimated_power_ratio: 1, curtail: false });
    expectRelative(e.mining.energy_cost_usd_per_hour, 44.8875);
  });

  it('HPC reserved: 784 H100 at $2.10 over 999.6 kW = $1,647.06/MWh, whatever their utilisation', () => {
    const e = computeEconomics(SITE, config({ ...flat45, hpc: { billing: 'reserved', price_usd_per_gpu_hour: PRICES } }), MARKET_837050, NOW);
    expectRelative(e.hpc.revenue_usd_per_hour, 1646.4);
    expectRelative(e.hpc.revenue_usd_per_mwh, 1647.0588235294117);
    expectRelative(e.hpc.margin_usd_per_mwh, 1602.0588235294117);
    expect(e.hpc.estimated_power_ratio).toBe(0);
  });

  it('HPC by utilisation at 60 %: $987.84/h = $988.24/MWh', () => {
    const e = computeEconomics(SITE, config({ ...flat45, hpc: { billing: 'utilization', price_usd_per_gpu_hour: PRICES } }), MARKET_837050, NOW);
    expectRelative(e.hpc.revenue_usd_per_hour, 987.84);
    expectRelative(e.hpc.revenue_usd_per_mwh, 987.84 / 0.9996);
  });

  it('colocation at $130/kW-month for 1,000 kW: $177.96/h = $178.03 per MWh drawn', () => {
    const e = computeEconomics(SITE, config({ ...flat45, hpc: { billing: 'colocation', usd_per_kw_month: 130, contracted_kw: 1000 } }), MARKET_837050, NOW);
    expectRelative(e.hpc.revenue_usd_per_hour, 130_000 / 730.5);
    expectRelative(e.hpc.revenue_usd_per_mwh, 178.03151376909423);
  });

  it('halving-aware: 2,950 blocks to 840,000, where the same fleet earns $128.68/MWh', () => {
    const e = computeEconomics(SITE, config(flat45), MARKET_837050, NOW);
    expect(e.subsidy_btc).toBe(6.25);
    expect(e.blocks_until_halving).toBe(2950);
    expect(e.next_halving).toMatchObject({ height: 840_000, date_ms: 1_711_854_927_000 + 2950 * 600_000, subsidy_btc: 3.125 });
    // 251.98 × (3.125 + 0.1360176425) / (6.25 + 0.1360176425).
    expectRelative(e.next_halving!.mining_revenue_usd_per_mwh, 128.6751306125517);
    expectRelative(e.next_halving!.mining_margin_usd_per_mwh, 83.6751306125517);
  });
});

describe('computeEconomics: breakeven and curtailment', () => {
  const S19J = { power_w: 100 * 3050, hashrate_hs: 100 * 100e12, devices: 100 };
  const fleet: SiteAggregate = {
    mining: {
      power_w: S21.power_w + S19J.power_w,
      estimated_power_w: 0,
      hashrate_hs: S21.hashrate_hs + S19J.hashrate_hs,
      by_model: { 'Antminer S21': S21, 'Antminer S19j Pro': S19J, 'Antminer S9 (all down)': { power_w: 0, hashrate_hs: 0, devices: 4 } },
    },
    hpc: { power_w: 50_000, estimated_power_w: 0, gpus: [{ model: 'H100', up: true, utilization: 0 }] },
  };
  // $200/MWh from 14:00 to 19:00 every day in Chicago; $45 otherwise.
  const peak = (hpc: unknown) =>
    config({ energy: { timezone: 'America/Chicago', default_usd_per_mwh: 45, periods: [{ from: '14:00', to: '19:00', usd_per_mwh: 200 }] }, hpc });
  const ON_PEAK = Date.parse('2024-03-31T20:00:00Z'); // 15:00 CDT

  it('per model, from its own J/TH and the hashprice net of the pool fee: curtail the S19j Pro (breakeven $144.58) at $200, not the S21 ($251.98)', () => {
    const e = computeEconomics(fleet, peak({}), MARKET_837050, ON_PEAK);
    expect(e.energy_price_usd_per_mwh).toBe(200);
    expect(e.breakeven.map((b) => [b.model, b.efficiency_j_per_th, b.curtail, b.power_w, b.devices])).toEqual([
      ['Antminer S21', 17.5, false, 997_500, 285],
      ['Antminer S19j Pro', 30.5, true, 305_000, 100],
    ]);
    expectRelative(e.breakeven[0]!.breakeven_usd_per_mwh, 251.98319798502806);
    expectRelative(e.breakeven[1]!.breakeven_usd_per_mwh, 144.58052343403247);
    // Hashcost at $200/MWh: 17.5 × 200 × 24 / 1000 = $84.00 and 30.5 × 200 × 24 / 1000 = $146.40 per PH/day.
    expectRelative(e.breakeven[0]!.hashcost_usd_per_ph_day, 84);
    expectRelative(e.breakeven[1]!.hashcost_usd_per_ph_day, 146.4);
  });

  it('takes the models as a Map too, as the live state keeps them', () => {
    const asMap: SiteAggregate = { ...fleet, mining: { ...fleet.mining, by_model: new Map(Object.entries(fleet.mining.by_model)) } };
    expect(computeEconomics(asMap, peak({}), MARKET_837050, ON_PEAK).breakeven).toEqual(computeEconomics(fleet, peak({}), MARKET_837050, ON_PEAK).breakeven);
  });

  it('off-peak nothing is curtailed', () => {
    const e = computeEconomics(fleet, peak({}), MARKET_837050, NOW);
    expect(e.energy_price_usd_per_mwh).toBe(45);
    expect(e.breakeven.some((b) => b.curtail)).toBe(false);
  });

  it('idle GPUs billed by utilisation are a curtailment candidate; reserved and colocation never are', () => {
    const byUse = computeEconomics(fleet, peak({ billing: 'utilization' }), MARKET_837050, ON_PEAK);
    expect(byUse.hpc).toMatchObject({ revenue_usd_per_hour: 0, revenue_usd_per_mwh: 0, margin_usd_per_mwh: -200, curtail: true });
    const reserved = computeEconomics(fleet, peak({ billing: 'reserved', price_usd_per_gpu_hour: { default: 0.001 } }), MARKET_837050, ON_PEAK);
    expect(reserved.hpc.margin_usd_per_mwh!).toBeLessThan(0);
    expect(reserved.hpc.curtail).toBe(false);
    const coloc = computeEconomics(fleet, peak({ billing: 'colocation', usd_per_kw_month: 0.01, contracted_kw: 1 }), MARKET_837050, ON_PEAK);
    expect(coloc.hpc.margin_usd_per_mwh!).toBeLessThan(0);
    expect(coloc.hpc.curtail).toBe(false);
  });

  it('the whole mining workload is flagged when its mean margin is negative', () => {
    const expensive = config({ energy: { price_usd_per_mwh: 300 } });
    expect(computeEconomics(fleet, expensive, MARKET_837050, NOW).mining.curtail).toBe(true);
  });
});

describe('computeEconomics: missing inputs stay missing', () => {
  it('without market data mining revenue, hashprice and halving are null, never 0; HPC still computes', () => {
    const e = computeEconomics(SITE, config({}), NO_MARKET, NOW);
    expect(e.mining.revenue_usd_per_hour).toBeNull();
    expect(e.mining.revenue_usd_per_mwh).toBeNull();
    expect(e.mining.margin_usd_per_mwh).toBeNull();
    expect(e.mining.curtail).toBe(false);
    expect(e).toMatchObject({ hashprice_usd_per_ph_day: null, subsidy_btc: null, blocks_until_halving: null, next_halving: null });
    expect(e.breakeven).toEqual([expect.objectContaining({ model: 'Antminer S21', efficiency_j_per_th: 17.5, breakeven_usd_per_mwh: null, curtail: false })]);
    expect(e.hpc.revenue_usd_per_hour).toBe(1568);
  });

  it('with only a height, the halving countdown works and the tip time defaults to now', () => {
    const e = computeEconomics(SITE, config({}), { ...NO_MARKET, height: 839_999 }, NOW);
    expect(e.blocks_until_halving).toBe(1);
    expect(e.next_halving).toEqual({ height: 840_000, date_ms: NOW + 600_000, subsidy_btc: 3.125, mining_revenue_usd_per_mwh: null, mining_margin_usd_per_mwh: null });
  });

  it('a workload drawing no power has null per-MWh figures, not Infinity or NaN', () => {
    const idle: SiteAggregate = {
      mining: { power_w: 0, estimated_power_w: 0, hashrate_hs: 0, by_model: {} },
      hpc: { power_w: 0, estimated_power_w: 0, gpus: [] },
    };
    const e = computeEconomics(idle, config({ hpc: { billing: 'colocation', usd_per_kw_month: 100, contracted_kw: 10 } }), MARKET_837050, NOW);
    expect(e.mining).toEqual({
      power_w: 0,
      revenue_usd_per_hour: 0,
      energy_cost_usd_per_hour: 0,
      revenue_usd_per_mwh: null,
      energy_cost_usd_per_mwh: 45,
      margin_usd_per_mwh: null,
      opportunity_margin_usd_per_mwh: null,
      estimated_power_ratio: null,
      curtail: false,
    });
    expect(e.hpc.revenue_usd_per_hour).toBeCloseTo(1000 / 730.5, 12);
    expect(e.hpc.revenue_usd_per_mwh).toBeNull();
    expect(e.next_halving!.mining_revenue_usd_per_mwh).toBeNull();
  });
});

describe('computeEconomics: only SHA-256 is priced', () => {
  it('while scrypt miners hash, mining revenue is unknown (null), not the bitcoin part alone and not 0', () => {
    const mixed: SiteAggregate = { ...SITE, mining: { ...SITE.mining, power_w: SITE.mining.power_w + 800, other_hashrate_hs: { scrypt: 504e6 } } };
    const e = computeEconomics(mixed, config({ energy: { price_usd_per_mwh: 45 } }), MARKET_837050, NOW);
    expect(e.mining.revenue_usd_per_hour).toBeNull();
    expect(e.mining.margin_usd_per_mwh).toBeNull();
    expect(e.mining.curtail).toBe(false);
    expect(e.next_halving!.mining_revenue_usd_per_mwh).toBeNull();
    expectRelative(e.hashprice_usd_per_ph_day, 107.9927991364406); // the market is still known
    // An idle scrypt miner (0 H/s) leaves the SHA-256 revenue alone.
    const idle = computeEconomics({ ...SITE, mining: { ...SITE.mining, other_hashrate_hs: { scrypt: 0 } } }, config({}), MARKET_837050, NOW);
    expectRelative(idle.mining.revenue_usd_per_hour, 251.35323999006548);
  });

  it('a message prices its SHA-256 hashrate only: an L3+ adds nothing to the bitcoin revenue counter', () => {
    const l3: DeviceSample = { id: 'l3', kind: 'asic', workload: 'mining', model: 'Antminer L3+', algorithm: 'scrypt', up: true, hashrate_hs: 504e12 };
    const s21: DeviceSample = { id: 's21', kind: 'asic', workload: 'mining', model: 'Antminer S21', algorithm: 'sha256', up: true, hashrate_hs: 200e12 };
    const cfg = config({ bitcoin: { pool_fee: 0.02 } });
    expect(messageRevenueUsdPerHour([l3], cfg, MARKET_837050, 0).mining).toBe(0);
    expectRelative(messageRevenueUsdPerHour([l3, s21], cfg, MARKET_837050, 0).mining, (0.2 * 107.9927991364406 * 0.98) / 24);
  });
});

describe('per-message revenue rate', () => {
  const device = (d: Partial<DeviceSample> & Pick<DeviceSample, 'id' | 'kind' | 'workload'>): DeviceSample => ({ up: true, ...d });
  const message: DeviceSample[] = [
    device({ id: '10.0.3.17', kind: 'asic', workload: 'mining', model: 'Antminer S21', hashrate_hs: 200e12, power_w: 3500 }),
    device({ id: '10.0.3.18', kind: 'asic', workload: 'mining', model: 'Antminer S21', hashrate_hs: 200e12, up: false }),
    device({ id: 'GPU-1', kind: 'gpu', workload: 'hpc', model: 'NVIDIA H100 80GB HBM3', utilization: 0.5 }),
    device({ id: 'GPU-2', kind: 'gpu', workload: 'hpc', model: 'NVIDIA A100-SXM4-80GB', utilization: 1 }),
    device({ id: 'gw-row12', kind: 'host', workload: 'hpc', utilization: 0.9 }),
  ];

  it('mining: the hashrate of devices that are up; HPC: the GPUs only (not the host)', () => {
    const r = messageRevenueUsdPerHour(message, config({ bitcoin: { pool_fee: 0.02 }, hpc: { price_usd_per_gpu_hour: PRICES } }), MARKET_837050, 0);
    // 0.2 PH/s × 107.9927991364406 × 0.98 / 24 h.
    expectRelative(r.mining, (0.2 * 107.9927991364406 * 0.98) / 24);
    expect(r.hpc).toBeCloseTo(2.1 + 2.0, 12);
  });

  it('rate × interval over a day adds up to the per-day figure', () => {
    const r = messageRevenueUsdPerHour(message, config({ bitcoin: { pool_fee: 0 } }), MARKET_837050, 0);
    let total = 0;
    for (let i = 0; i < 8640; i++) total += (r.mining! * 10) / 3600;
    expectRelative(total, 0.2 * 107.9927991364406, 1e-9);
  });

  it('utilisation billing bills GPU-1 at half', () => {
    const r = messageRevenueUsdPerHour(message, config({ hpc: { billing: 'utilization', price_usd_per_gpu_hour: PRICES } }), MARKET_837050, 0);
    expect(r.hpc).toBeCloseTo(0.5 * 2.1 + 2.0, 12);
  });

  it('colocation: the contract rate × the share this message stands for', () => {
    const coloc = config({ hpc: { billing: 'colocation', usd_per_kw_month: 146.1, contracted_kw: 1000 } });
    expect(messageRevenueUsdPerHour(message, coloc, MARKET_837050, 0.25).hpc).toBeCloseTo(50, 9);
    expect(messageRevenueUsdPerHour(message, coloc, MARKET_837050, 0).hpc).toBe(0);
    expect(() => messageRevenueUsdPerHour(message, coloc, MARKET_837050, 1.5)).toThrow(/colocation share/);
    expect(() => messageRevenueUsdPerHour(message, coloc, MARKET_837050, Number.NaN)).toThrow(/colocation share/);
  });

  it('without market data a message with hashrate gives null (do not advance), one without gives 0', () => {
    expect(messageRevenueUsdPerHour(message, config({}), NO_MARKET, 0).mining).toBeNull();
    expect(messageRevenueUsdPerHour(message.slice(2), config({}), NO_MARKET, 0).mining).toBe(0);
  });

  it('colocationShare: host GPUs over site GPUs, 0 when nothing is known', () => {
    expect(colocationShare(8, 32)).toBe(0.25);
    expect(colocationShare(8, 0)).toBe(0);
    expect(colocationShare(0, 32)).toBe(0);
    expect(colocationShare(40, 32)).toBe(1);
  });
});
