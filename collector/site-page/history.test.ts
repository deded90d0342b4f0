import { describe, expect, it } from 'vitest';
import { HISTORY_POINTS, HISTORY_STEP_MS, HISTORY_WINDOW_MS, Ring, SiteHistory } from './history.js';
import type { SiteFigures, SiteSnapshot } from './snapshot.js';

/** A snapshot with the chart's figures of some sites; the rest is not read by the history. */
function snapshot(at: number, sites: Record<string, number>): SiteSnapshot {
  const figures = Object.entries(sites).map(
    ([site, mw]) =>
      ({
        site,
        mining: { power_mw: mw, margin_usd_per_mwh: 100 + mw },
        hpc: { power_mw: mw / 2, margin_usd_per_mwh: null },
        energy: { price_usd_per_mwh: 40 },
      }) as unknown as SiteFigures,
  );
  return { generated_at_ms: at, sites: figures } as SiteSnapshot;
}

describe('Ring', () => {
  it('keeps the last `capacity` items, oldest first, across many wraps', () => {
    const ring = new Ring<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    for (let i = 1; i <= 10; i++) ring.push(i);
    expect(ring.toArray()).toEqual([8, 9, 10]);
    expect(ring.size).toBe(3);
    ring.replaceLast(11);
    expect(ring.toArray()).toEqual([8, 9, 11]);
  });

  it('refuses a capacity that is not a positive integer, and replacing in an empty ring', () => {
    expect(() => new Ring(0)).toThrow(/positive integer, got 0/);
    expect(() => new Ring(2.5)).toThrow(/positive integer/);
    expect(() => new Ring<number>(2).replaceLast(1)).toThrow(/empty/);
  });
});

describe('SiteHistory', () => {
  const T0 = 1_800_000_000_000;

  it('holds the last hour: one point per 10 s, 360 points', () => {
    expect(HISTORY_STEP_MS).toBe(10_000);
    expect(HISTORY_POINTS).toBe(360);
    expect(HISTORY_POINTS * HISTORY_STEP_MS).toBe(HISTORY_WINDOW_MS);
  });

  it('keeps one point per step, the latest snapshot of the step, so the last point is live', () => {
    const h = new SiteHistory();
    h.record(snapshot(T0 + 1000, { a: 1 }));
    h.record(snapshot(T0 + 9000, { a: 2 }));
    h.record(snapshot(T0 + 10_000, { a: 3 }));
    const s = h.series();
    expect(s.t).toEqual([T0 / 1000, T0 / 1000 + 10]);
    expect(s.sites.a!.mining_mw).toEqual([2, 3]);
    expect(s.sites.a!.hpc_mw).toEqual([1, 1.5]);
    expect(s.sites.a!.mining_margin_usd_per_mwh).toEqual([102, 103]);
    expect(s.sites.a!.hpc_margin_usd_per_mwh).toEqual([null, null]);
    expect(s.sites.a!.energy_usd_per_mwh).toEqual([40, 40]);
  });

  it('stays bounded after hours of points, dropping the oldest', () => {
    const h = new SiteHistory();
    for (let i = 0; i < HISTORY_POINTS * 3 + 7; i++) h.record(snapshot(T0 + i * HISTORY_STEP_MS, { a: i }));
    const s = h.series();
    expect(s.t).toHaveLength(HISTORY_POINTS);
    expect(s.sites.a!.mining_mw[0]).toBe(HISTORY_POINTS * 2 + 7);
    expect(s.sites.a!.mining_mw.at(-1)).toBe(HISTORY_POINTS * 3 + 6);
    expect(s.t.at(-1)! - s.t[0]!).toBe((HISTORY_WINDOW_MS - HISTORY_STEP_MS) / 1000);
  });

  it('gives null where a site had no data, and never goes back in time when the clock does', () => {
    const h = new SiteHistory(1000, 10);
    h.record(snapshot(T0, { a: 1 }));
    h.record(snapshot(T0 + 1000, { a: 2, b: 5 }));
    h.record(snapshot(T0 - 5000, { a: 9 }));
    h.record(snapshot(T0 + 2000, { b: 6 }));
    const s = h.series();
    expect(s.t).toEqual([T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2]);
    expect(s.sites.a!.mining_mw).toEqual([1, 2, null]);
    expect(s.sites.b!.mining_mw).toEqual([null, 5, 6]);
  });
});
