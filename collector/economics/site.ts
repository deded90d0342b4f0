/**
 * The site's economics in one call, from its live aggregate per workload, the config and the market
 * snapshot; and the per-message revenue rate that advances the collector's counters.
 */
import type { DeviceSample } from '../../protocol/telemetry.js';
import { hashpriceUsdPerPhDay, isBitcoinHashrate, miningRevenueUsdPerSecond, subsidyBtc, type ChainState } from './bitcoin.js';
import type { EconomicsConfig } from './config.js';
import { energyPricesAt, type EnergyPrices } from './energy-price.js';
import { nextHalving } from './halving.js';
import { colocationUsdPerHour, gpuRentalUsdPerHour, type GpuState } from './hpc.js';
import { breakevenUsdPerMwh, efficiencyJPerTh, energyCostUsdPerHour, hashcostUsdPerPhDay, marginUsdPerMwh, usdPerMwh } from './margin.js';

/** The market values economics needs; a MarketSnapshot from collector/market has all of them. Null = not known. */
export interface MarketInputs {
  btc_usd: number | null;
  difficulty: number | null;
  height: number | null;
  fees_btc_per_block: number | null;
  tip_time_ms: number | null;
}

export interface ModelAggregate {
  power_w: number;
  hashrate_hs: number;
  devices: number;
}

export interface MiningAggregate {
  /** Best power per device (measured > reported > estimated), summed. */
  power_w: number;
  /** The part of power_w that is a nameplate estimate. */
  estimated_power_w: number;
  /** SHA-256 hashrate, priced with bitcoin's hashprice. */
  hashrate_hs: number;
  /** Hashrate of other algorithms, by algorithm: no price for it yet, so mining revenue is unknown while it runs. */
  other_hashrate_hs?: Readonly<Record<string, number>>;
  /** By miner model name; a Map (as the collector's live state keeps it) or a plain object. */
  by_model: ReadonlyMap<string, ModelAggregate> | Readonly<Record<string, ModelAggregate>>;
}

export interface HpcAggregate {
  power_w: number;
  estimated_power_w: number;
  gpus: readonly GpuState[];
}

export interface SiteAggregate {
  mining: MiningAggregate;
  hpc: HpcAggregate;
}

export interface WorkloadEconomics {
  power_w: number;
  /** Null when market data needed for it is missing: never a made-up zero. */
  revenue_usd_per_hour: number | null;
  energy_cost_usd_per_hour: number;
  /** Null when the workload draws no power. */
  revenue_usd_per_mwh: number | null;
  energy_cost_usd_per_mwh: number;
  /** Revenue per MWh − cash energy price. */
  margin_usd_per_mwh: number | null;
  /** Revenue per MWh − opportunity energy price (spot, where the site could sell its power instead). */
  opportunity_margin_usd_per_mwh: number | null;
  /** Share of power_w that is estimated (0..1); null without power. Margins on estimates must say so. */
  estimated_power_ratio: number | null;
  /** The opportunity margin is negative and turning the load down would save money (never for take-or-pay HPC). */
  curtail: boolean;
}

export interface MinerBreakeven {
  model: string;
  devices: number;
  power_w: number;
  hashrate_hs: number;
  /** From the model's own live power and hashrate. */
  efficiency_j_per_th: number;
  /** Energy price at which this model earns its power bill, after the pool fee; null without market data. */
  breakeven_usd_per_mwh: number | null;
  /** What the energy for 1 PH/s of this model costs per day at today's price; compare with the hashprice. */
  hashcost_usd_per_ph_day: number;
  /** The opportunity energy price now is above this model's breakeven (the raw signal, before hysteresis). */
  curtail: boolean;
}

export interface NextHalvingEconomics {
  height: number;
  /** Estimated at 600 s per block from the tip's time (or from now when the tip time is unknown). */
  date_ms: number;
  subsidy_btc: number;
  /** Today's fleet, difficulty, fees and price with the next halving's subsidy. */
  mining_revenue_usd_per_mwh: number | null;
  mining_margin_usd_per_mwh: number | null;
}

export interface SiteEconomics {
  /** The cash price now (= energy.cash_usd_per_mwh). */
  energy_price_usd_per_mwh: number;
  energy: EnergyPrices;
  mining: WorkloadEconomics;
  hpc: WorkloadEconomics;
  /** Market hashprice, gross of the pool fee as the indices publish it. */
  hashprice_usd_per_ph_day: number | null;
  subsidy_btc: number | null;
  blocks_until_halving: number | null;
  next_halving: NextHalvingEconomics | null;
  breakeven: MinerBreakeven[];
}

const SECONDS_PER_HOUR = 3600;

function chainOf(market: MarketInputs): ChainState | null {
  const { height, difficulty, fees_btc_per_block } = market;
  if (height === null || difficulty === null || fees_btc_per_block === null) return null;
  return { height, difficulty, fees_btc_per_block };
}

/** Mining revenue per hour, or null when the market is unknown; no hashrate earns 0 whatever the market. */
function miningUsdPerHour(hashrateHs: number, chain: ChainState | null, btcUsd: number | null, poolFee: number): number | null {
  if (hashrateHs === 0) return 0;
  if (chain === null || btcUsd === null) return null;
  return miningRevenueUsdPerSecond(hashrateHs, chain, btcUsd, poolFee) * SECONDS_PER_HOUR;
}

function hpcUsdPerHour(gpus: readonly GpuState[], hpc: EconomicsConfig['hpc'], colocationShare: number): number {
  if (hpc.billing === 'colocation') return colocationUsdPerHour(hpc.usd_per_kw_month!, hpc.contracted_kw!) * colocationShare;
  return gpuRentalUsdPerHour(gpus, hpc.billing, hpc.price_usd_per_gpu_hour);
}

function workload(power: { power_w: number; estimated_power_w: number }, revenueUsdPerHour: number | null, prices: EnergyPrices, curtailable: boolean): WorkloadEconomics {
  const energyPrice = prices.cash_usd_per_mwh;
  const revenuePerMwh = revenueUsdPerHour === null ? null : usdPerMwh(revenueUsdPerHour, power.power_w);
  const margin = marginUsdPerMwh(revenuePerMwh, energyPrice);
  const opportunity = marginUsdPerMwh(revenuePerMwh, prices.opportunity_usd_per_mwh);
  return {
    power_w: power.power_w,
    revenue_usd_per_hour: revenueUsdPerHour,
    energy_cost_usd_per_hour: energyCostUsdPerHour(power.power_w, energyPrice),
    revenue_usd_per_mwh: revenuePerMwh,
    energy_cost_usd_per_mwh: energyPrice,
    margin_usd_per_mwh: margin,
    opportunity_margin_usd_per_mwh: opportunity,
    estimated_power_ratio: power.power_w > 0 ? power.estimated_power_w / power.power_w : null,
    curtail: curtailable && opportunity !== null && opportunity < 0,
  };
}

/** Called on every refresh: the whole site's economics at `nowMs`, at the site's energy prices then (its fixed price when not given). */
export function computeEconomics(input: SiteAggregate, config: EconomicsConfig, market: MarketInputs, nowMs: number, prices: EnergyPrices = energyPricesAt(config.energy, null, nowMs)): SiteEconomics {
  const energyPrice = prices.cash_usd_per_mwh;
  const poolFee = config.bitcoin.pool_fee;
  const chain = chainOf(market);
  const btcUsd = market.btc_usd;
  const hashprice = chain && btcUsd !== null ? hashpriceUsdPerPhDay(chain, btcUsd) : null;

  // A scrypt miner earns something, just not bitcoin's hashprice: the total is unknown, not the SHA-256 part alone.
  const unpriced = Object.values(input.mining.other_hashrate_hs ?? {}).some((hs) => hs > 0);
  const mining = workload(input.mining, unpriced ? null : miningUsdPerHour(input.mining.hashrate_hs, chain, btcUsd, poolFee), prices, true);
  // Take-or-pay HPC (reserved GPUs, colocation) earns the same whether it runs or not: never curtail it for price.
  const hpc = workload(input.hpc, hpcUsdPerHour(input.hpc.gpus, config.hpc, 1), prices, config.hpc.billing === 'utilization');

  let halving: NextHalvingEconomics | null = null;
  if (market.height !== null) {
    const next = nextHalving(market.height, market.tip_time_ms ?? nowMs);
    const revenue = chain && !unpriced ? miningUsdPerHour(input.mining.hashrate_hs, { ...chain, height: next.height }, btcUsd, poolFee) : null;
    const perMwh = revenue === null ? null : usdPerMwh(revenue, input.mining.power_w);
    halving = {
      height: next.height,
      date_ms: next.date_ms,
      subsidy_btc: next.subsidy_btc,
      mining_revenue_usd_per_mwh: perMwh,
      mining_margin_usd_per_mwh: marginUsdPerMwh(perMwh, energyPrice),
    };
  }

  const netHashprice = hashprice === null ? null : hashprice * (1 - poolFee);
  const breakeven: MinerBreakeven[] = [];
  const models = input.mining.by_model instanceof Map ? [...input.mining.by_model] : Object.entries(input.mining.by_model);
  for (const [model, m] of models) {
    const efficiency = efficiencyJPerTh(m.power_w, m.hashrate_hs);
    if (efficiency === null) continue; // no hashrate or no power: no efficiency to judge
    const price = netHashprice === null ? null : breakevenUsdPerMwh(netHashprice, efficiency);
    breakeven.push({
      model,
      devices: m.devices,
      power_w: m.power_w,
      hashrate_hs: m.hashrate_hs,
      efficiency_j_per_th: efficiency,
      breakeven_usd_per_mwh: price,
      hashcost_usd_per_ph_day: hashcostUsdPerPhDay(efficiency, energyPrice),
      curtail: price !== null && prices.opportunity_usd_per_mwh > price,
    });
  }

  return {
    energy_price_usd_per_mwh: energyPrice,
    energy: prices,
    mining,
    hpc,
    hashprice_usd_per_ph_day: hashprice,
    subsidy_btc: market.height === null ? null : subsidyBtc(market.height),
    blocks_until_halving: halving === null ? null : halving.height - market.height!,
    next_halving: halving,
    breakeven,
  };
}

/**
 * The fraction of a colocation contract one HPC host's message stands for: its GPUs over the GPUs of
 * every HPC host in the collector's live view (down ones included). Each host's messages then add
 * share × contract rate × interval_s, which sums to the contract over all hosts whatever their intervals.
 */
export function colocationShare(hostGpus: number, siteGpus: number): number {
  if (!(siteGpus > 0) || !(hostGpus > 0)) return 0;
  return Math.min(1, hostGpus / siteGpus);
}

export interface MessageRevenue {
  /** Null when the market is unknown and the message carries hashrate: do not advance the counter. */
  mining: number | null;
  hpc: number;
}

/**
 * Revenue rate (USD per hour) of one telemetry message's devices, for counters advanced by
 * rate × interval. Mining: the hashrate of devices that are up. HPC: their GPUs' rental, or under
 * colocation the contract rate × `colocationShare` (see colocationShare()).
 */
export function messageRevenueUsdPerHour(devices: readonly DeviceSample[], config: EconomicsConfig, market: MarketInputs, share: number): MessageRevenue {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`colocation share must be a ratio between 0 and 1, got ${share}`);
  let hashrate = 0;
  const gpus: DeviceSample[] = [];
  for (const d of devices) {
    // Only SHA-256 work earns bitcoin; other algorithms' revenue is not counted (no price for it).
    if (d.workload === 'mining' && d.up) hashrate += isBitcoinHashrate(d) ? (d.hashrate_hs ?? 0) : 0;
    else if (d.workload === 'hpc' && d.kind === 'gpu') gpus.push(d);
  }
  return {
    mining: miningUsdPerHour(hashrate, chainOf(market), market.btc_usd, config.bitcoin.pool_fee),
    hpc: hpcUsdPerHour(gpus, config.hpc, share),
  };
}
