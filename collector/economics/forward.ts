/**
 * The forward view: from day-ahead prices, each coming interval's energy price (opportunity basis,
 * as curtailment uses it) and the margin per MWh it leaves mining and HPC at today's revenue.
 */
import type { PriceInterval } from '../energy-market/prices.js';
import type { EnergyConfig } from './config.js';
import { energyPriceUsdPerMwh, type EnergyPricing } from './energy.js';
import { opportunityOfSpot } from './energy-price.js';
import { marginUsdPerMwh } from './margin.js';
import type { SiteEconomics } from './site.js';

/** How far ahead the view looks: day-ahead prices reach at most the end of tomorrow. */
export const FORWARD_HORIZON_MS = 36 * 3_600_000;

/** Steps of the forward curve of a fixed price or schedule: time-of-use periods start on the quarter hour. */
const FIXED_STEP_MS = 15 * 60_000;

/** A fixed price or time-of-use schedule as a curve over the horizon: its forward view without a market feed. */
export function fixedPriceCurve(pricing: EnergyPricing, nowMs: number, horizonMs = FORWARD_HORIZON_MS): PriceInterval[] {
  const out: PriceInterval[] = [];
  for (let start = Math.floor(nowMs / FIXED_STEP_MS) * FIXED_STEP_MS; start < nowMs + horizonMs; start += FIXED_STEP_MS) {
    out.push({ start_ms: start, end_ms: start + FIXED_STEP_MS, price: energyPriceUsdPerMwh(pricing, start) });
  }
  return out;
}

export interface ForwardInterval {
  start_ms: number;
  end_ms: number;
  price_usd_per_mwh: number;
  mining_margin_usd_per_mwh: number | null;
  hpc_margin_usd_per_mwh: number | null;
}

/** Intervals that have not ended by `nowMs` and start within the horizon, in time order. */
export function forwardView(e: SiteEconomics, energy: EnergyConfig, dayAhead: readonly PriceInterval[], nowMs: number, horizonMs = FORWARD_HORIZON_MS): ForwardInterval[] {
  return dayAhead
    .filter((i) => i.end_ms > nowMs && i.start_ms < nowMs + horizonMs)
    .sort((a, b) => a.start_ms - b.start_ms)
    .map((i) => {
      const price = opportunityOfSpot(energy, i.price);
      return {
        start_ms: i.start_ms,
        end_ms: i.end_ms,
        price_usd_per_mwh: price,
        mining_margin_usd_per_mwh: marginUsdPerMwh(e.mining.revenue_usd_per_mwh, price),
        hpc_margin_usd_per_mwh: marginUsdPerMwh(e.hpc.revenue_usd_per_mwh, price),
      };
    });
}

function marginOf(i: ForwardInterval, workload: 'mining' | 'hpc'): number | null {
  return workload === 'mining' ? i.mining_margin_usd_per_mwh : i.hpc_margin_usd_per_mwh;
}

/** Seconds from `nowMs` until the first interval whose margin is negative (0 when it is under way); null when none is. */
export function secondsUntilNegative(view: readonly ForwardInterval[], workload: 'mining' | 'hpc', nowMs: number): number | null {
  const first = view.find((i) => (marginOf(i, workload) ?? 0) < 0);
  return first === undefined ? null : Math.max(0, first.start_ms - nowMs) / 1000;
}

/** The lowest margin among intervals starting in each whole hour ahead (0 = the hour under way), for a bounded set of series. */
export function marginByHourAhead(view: readonly ForwardInterval[], workload: 'mining' | 'hpc', nowMs: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const i of view) {
    const m = marginOf(i, workload);
    if (m === null) continue;
    const hour = Math.max(0, Math.floor((i.start_ms - nowMs) / 3_600_000));
    out.set(hour, Math.min(out.get(hour) ?? Number.POSITIVE_INFINITY, m));
  }
  return out;
}
