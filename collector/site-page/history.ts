/**
 * The last hour of the site page's chart, held in memory: one point per step, in a ring of fixed
 * size, so a collector that runs for months holds the same few kilobytes. Pure.
 */
import type { SiteSnapshot } from './snapshot.js';

/** One point per 10 s over the last hour: 360 points per series. */
export const HISTORY_STEP_MS = 10_000;
export const HISTORY_WINDOW_MS = 3_600_000;
export const HISTORY_POINTS = HISTORY_WINDOW_MS / HISTORY_STEP_MS;

/** A ring buffer: pushing onto a full ring drops the oldest item. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.capacity];
  }

  replaceLast(item: T): void {
    if (this.count === 0) throw new Error('replaceLast on an empty ring');
    this.items[(this.start + this.count - 1) % this.capacity] = item;
  }

  /** Oldest first. */
  toArray(): T[] {
    return Array.from({ length: this.count }, (_, i) => this.items[(this.start + i) % this.capacity] as T);
  }
}

/** What the chart draws of one site at one step. */
export interface SitePoint {
  mining_mw: number;
  hpc_mw: number;
  mining_margin_usd_per_mwh: number | null;
  hpc_margin_usd_per_mwh: number | null;
  energy_usd_per_mwh: number;
}

const SERIES_KEYS = ['mining_mw', 'hpc_mw', 'mining_margin_usd_per_mwh', 'hpc_margin_usd_per_mwh', 'energy_usd_per_mwh'] as const satisfies readonly (keyof SitePoint)[];

interface HistoryPoint {
  /** Start of the step (ms). */
  t_ms: number;
  sites: Map<string, SitePoint>;
}

/** Columns for the chart: times in unix seconds, one array per series and site (null where the site had no data). */
export interface HistorySeries {
  step_ms: number;
  t: number[];
  sites: Record<string, Record<keyof SitePoint, (number | null)[]>>;
}

export class SiteHistory {
  private readonly ring: Ring<HistoryPoint>;

  constructor(
    private readonly stepMs = HISTORY_STEP_MS,
    points = HISTORY_POINTS,
  ) {
    this.ring = new Ring(points);
  }

  /** Records a snapshot in its step; a later snapshot in the same step replaces it, so the last point is live. */
  record(snapshot: SiteSnapshot): void {
    const t = Math.floor(snapshot.generated_at_ms / this.stepMs) * this.stepMs;
    const sites = new Map<string, SitePoint>();
    for (const s of snapshot.sites) {
      sites.set(s.site, { mining_mw: s.mining.power_mw, hpc_mw: s.hpc.power_mw, mining_margin_usd_per_mwh: s.mining.margin_usd_per_mwh, hpc_margin_usd_per_mwh: s.hpc.margin_usd_per_mwh, energy_usd_per_mwh: s.energy.price_usd_per_mwh });
    }
    const last = this.ring.last();
    // A clock set back: keep the time axis increasing, as the chart needs.
    if (last && t < last.t_ms) return;
    if (last?.t_ms === t) this.ring.replaceLast({ t_ms: t, sites });
    else this.ring.push({ t_ms: t, sites });
  }

  series(): HistorySeries {
    const points = this.ring.toArray();
    const names = [...new Set(points.flatMap((p) => [...p.sites.keys()]))].sort();
    const sites: HistorySeries['sites'] = {};
    for (const name of names) {
      sites[name] = Object.fromEntries(SERIES_KEYS.map((k) => [k, points.map((p) => p.sites.get(name)?.[k] ?? null)])) as Record<keyof SitePoint, (number | null)[]>;
    }
    return { step_ms: this.stepMs, t: points.map((p) => p.t_ms / 1000), sites };
  }
}
