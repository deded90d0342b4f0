/**
 * The collector's accounts: energy, revenue, energy cost and device-seconds per site and workload,
 * advanced once per message. Fed by committed messages only (their points are stored), it ignores a
 * message it has already counted, by `(site, host, seq)` within a bounded window, so a redelivery
 * (a lost acknowledgement, a reconnect, an agent resending what was not yet confirmed) counts once.
 * Prometheus counters and the InfluxDB `economics` amounts only read it.
 */
import type { Workload } from '../../protocol/index.js';
import { assertFinite } from '../metrics/finite.js';
import { KIND_SECONDS_FIELDS, kindSecondsZero, WORKLOADS } from '../state/live-state.js';
import type { Amounts, MessageAmounts } from './amounts.js';
import { SeqWindow } from './seq-window.js';

/** Seqs remembered per agent: over a week of 10 s samples, beyond any spool backlog a redelivery comes from. */
export const DEDUPE_WINDOW_SEQS = 100_000;

export type AmountField = keyof Amounts;
export interface Totals extends Record<AmountField, number> {
  /** Some message had a known market: only then is revenue a figure (else it is absent, not 0). */
  revenue_known: boolean;
}

export const AMOUNT_FIELDS: readonly AmountField[] = ['energy_j', 'device_energy_j', 'revenue_usd', 'energy_cost_usd', 'hashes', 'up_seconds', 'down_seconds', 'gpu_busy_seconds', 'gpu_metered_seconds', ...KIND_SECONDS_FIELDS];

const zero = (): Totals => ({ revenue_known: false, energy_j: 0, device_energy_j: 0, revenue_usd: 0, energy_cost_usd: 0, hashes: 0, up_seconds: 0, down_seconds: 0, gpu_busy_seconds: 0, gpu_metered_seconds: 0, ...kindSecondsZero() });

export interface MessageKey {
  site: string;
  host: string;
  seq: number;
}

export class Ledger {
  private readonly seen = new Map<string, SeqWindow>();
  /** site -> workload -> running totals since this collector started. */
  private readonly totals = new Map<string, Map<Workload, Totals>>();
  /** The same, since the last drain (the store's per-interval amounts). */
  private pending = new Map<string, Map<Workload, Totals>>();
  /** Messages counted, and redeliveries recognised and not counted again. */
  counted = 0;
  duplicates = 0;

  constructor(private readonly window = DEDUPE_WINDOW_SEQS) {}

  /**
   * Adds a message's amounts unless it was counted before; returns whether it was added. Throws
   * NonFiniteAmount, changing nothing, when an amount overflowed.
   */
  record(key: MessageKey, amounts: MessageAmounts): boolean {
    // Revenue is undefined when the market is unknown: not counted, so not checked.
    for (const workload of WORKLOADS) assertFinite(amounts[workload], workload);
    const id = `${key.site}\u0000${key.host}`;
    let window = this.seen.get(id);
    if (!window) this.seen.set(id, (window = new SeqWindow(this.window)));
    if (!window.add(key.seq)) {
      this.duplicates++;
      return false;
    }
    this.counted++;
    for (const workload of WORKLOADS) {
      const a = amounts[workload];
      add(this.totals, key.site, workload, a);
      add(this.pending, key.site, workload, a);
    }
    return true;
  }

  /** Running totals per real site and workload (never relabelled: metrics fold sites themselves). */
  all(): ReadonlyMap<string, ReadonlyMap<Workload, Readonly<Totals>>> {
    return this.totals;
  }

  /** Returns and forgets what was added since the last drain, per site and workload. */
  drain(): Map<string, Map<Workload, Totals>> {
    const out = this.pending;
    this.pending = new Map();
    return out;
  }

  /** One field summed over every site and workload since start (the stop line's accounts). */
  sum(field: AmountField): number {
    let total = 0;
    for (const bySite of this.totals.values()) for (const t of bySite.values()) total += t[field];
    return total;
  }

  /** Agents whose seqs are remembered. */
  get agents(): number {
    return this.seen.size;
  }
}

function add(into: Map<string, Map<Workload, Totals>>, site: string, workload: Workload, a: Amounts): void {
  let bySite = into.get(site);
  if (!bySite) into.set(site, (bySite = new Map()));
  let t = bySite.get(workload);
  if (!t) bySite.set(workload, (t = zero()));
  for (const field of AMOUNT_FIELDS) t[field] += a[field] ?? 0;
  if (a.revenue_usd !== undefined) t.revenue_known = true;
}
