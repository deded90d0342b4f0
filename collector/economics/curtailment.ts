/**
 * Curtailment advice with hysteresis, as operators run it: advise curtailing a miner model after N
 * consecutive settled price intervals above its breakeven, resume after M below, and at once above
 * a hard cap. HPC billed by utilisation is advised like a miner model (its breakeven is its revenue
 * per MWh); take-or-pay HPC (reserved, colocation) is never a target. Advice only: nothing is sent.
 * Without a market feed there are no settled intervals: the advice is the raw signal.
 */
import type { CurtailmentConfig } from './config.js';
import type { PriceInterval } from '../energy-market/prices.js';

export interface CurtailmentTarget {
  workload: 'mining' | 'hpc';
  /** The miner model; null for HPC. */
  model: string | null;
  breakeven_usd_per_mwh: number;
  power_w: number;
}

export interface Advice extends CurtailmentTarget {
  /** The opportunity price now is above the breakeven (before hysteresis). */
  raw: boolean;
  /** The advice after hysteresis. */
  curtail: boolean;
  /** Why the advice is what it is, for the event log. */
  reason: string;
  /** The advice changed in this call. */
  changed: boolean;
}

interface State {
  curtail: boolean;
  above: number;
  below: number;
  /** Start of the last settled interval counted. */
  last_start_ms: number;
  reason: string;
}

const money = (v: number) => v.toFixed(2);

export class CurtailmentAdvisor {
  private readonly states = new Map<string, State>();

  /**
   * Steps each target through the settled intervals (opportunity prices, USD/MWh) it has not counted
   * yet, oldest first; `priceNow` is the opportunity price now, for the raw signal and the hard cap.
   * `settled` may hold later intervals (a day-ahead curve): only those started by `nowMs` count.
   */
  advise(site: string, targets: readonly CurtailmentTarget[], settled: readonly PriceInterval[], priceNow: number, policy: CurtailmentConfig, nowMs: number): Advice[] {
    const started = settled.filter((i) => i.start_ms <= nowMs).sort((a, b) => a.start_ms - b.start_ms);
    const seen = new Set<string>();
    const out = targets.map((t) => {
      const key = `${site}\u0000${t.workload}\u0000${t.model ?? ''}`;
      seen.add(key);
      const state = this.states.get(key) ?? { curtail: false, above: 0, below: 0, last_start_ms: Number.NEGATIVE_INFINITY, reason: 'no interval above the breakeven yet' };
      const before = state.curtail;
      const b = t.breakeven_usd_per_mwh;
      if (settled.length === 0) {
        state.curtail = priceNow > b;
        state.reason = `energy at ${money(priceNow)} USD/MWh is ${state.curtail ? 'above' : 'not above'} the breakeven of ${money(b)} (fixed price: no hysteresis)`;
      }
      for (const i of started.filter((x) => x.start_ms > state.last_start_ms)) {
        state.last_start_ms = i.start_ms;
        if (i.price > b) [state.above, state.below] = [state.above + 1, 0];
        else [state.above, state.below] = [0, state.below + 1];
        if (policy.hard_cap_usd_per_mwh !== undefined && i.price > policy.hard_cap_usd_per_mwh) {
          if (!state.curtail) state.reason = `interval at ${money(i.price)} USD/MWh is above the hard cap of ${money(policy.hard_cap_usd_per_mwh)}`;
          state.curtail = true;
        } else if (!state.curtail && state.above >= policy.after_intervals) {
          state.curtail = true;
          state.reason = `${state.above} consecutive intervals above the breakeven of ${money(b)} USD/MWh (last ${money(i.price)})`;
        } else if (state.curtail && state.below >= policy.resume_after_intervals) {
          state.curtail = false;
          state.reason = `${state.below} consecutive intervals at or below the breakeven of ${money(b)} USD/MWh (last ${money(i.price)}): resume`;
        }
      }
      if (policy.hard_cap_usd_per_mwh !== undefined && priceNow > policy.hard_cap_usd_per_mwh && !state.curtail) {
        state.curtail = true;
        state.reason = `energy at ${money(priceNow)} USD/MWh is above the hard cap of ${money(policy.hard_cap_usd_per_mwh)}`;
      }
      this.states.set(key, state);
      return { ...t, raw: priceNow > b, curtail: state.curtail, reason: state.reason, changed: state.curtail !== before };
    });
    // Targets gone from the site (a model no longer seen) start afresh if they come back.
    for (const key of this.states.keys()) if (key.startsWith(`${site}\u0000`) && !seen.has(key)) this.states.delete(key);
    return out;
  }
}
