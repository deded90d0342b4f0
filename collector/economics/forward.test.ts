import { describe, expect, it } from 'vitest';
import { EconomicsConfig } from './config.js';
import { fixedPriceCurve, FORWARD_HORIZON_MS, forwardView, marginByHourAhead, secondsUntilNegative } from './forward.js';
import type { SiteEconomics } from './site.js';

const H = 3_600_000;
const NOW = 10 * H + 0.5 * H;
const energy = EconomicsConfig.parse({ energy: { feed: { type: 'json', url: 'http://127.0.0.1:1/p' }, adders_usd_per_mwh: { transmission: 5 } } }).energy;
// Mining earns 80 USD/MWh today, HPC 1500.
const e = { mining: { revenue_usd_per_mwh: 80 }, hpc: { revenue_usd_per_mwh: 1500 } } as unknown as SiteEconomics;
const dayAhead = [8, 9, 10, 11, 12, 13, 14, 50].map((h, k) => ({ start_ms: h * H, end_ms: (h + 1) * H, price: [30, 40, 50, 60, 90, 70, 20, 10][k]! }));

describe('forward view', () => {
  it('margin per MWh of each coming interval at today\'s revenue and the price paid (spot + adders)', () => {
    const view = forwardView(e, energy, dayAhead, NOW);
    // 08-10h ended; 10h is under way; 50h is beyond 36 h.
    expect(view.map((i) => [i.start_ms / H, i.price_usd_per_mwh, i.mining_margin_usd_per_mwh, i.hpc_margin_usd_per_mwh])).toEqual([
      [10, 55, 25, 1445],
      [11, 65, 15, 1435],
      [12, 95, -15, 1405],
      [13, 75, 5, 1425],
      [14, 25, 55, 1475],
    ]);
    expect(NOW + FORWARD_HORIZON_MS).toBeLessThan(50 * H);
    // The first negative mining interval starts at 12h, 1.5 h from now; HPC stays positive.
    expect(secondsUntilNegative(view, 'mining', NOW)).toBe(1.5 * 3600);
    expect(secondsUntilNegative(view, 'hpc', NOW)).toBeNull();
    expect([...marginByHourAhead(view, 'mining', NOW)]).toEqual([
      [0, 15], // 10h (under way) and 11h (0.5 h ahead): the lower of 25 and 15
      [1, -15], // 12h starts 1.5 h ahead: hour 1
      [2, 5],
      [3, 55],
    ]);
  });

  it('a time-of-use schedule is its own forecast: the quarter hour under way and 144 more, the weekday peak where it falls', () => {
    const tou = EconomicsConfig.parse({ energy: { timezone: 'UTC', default_usd_per_mwh: 40, periods: [{ from: '14:00', to: '19:00', usd_per_mwh: 120 }] } }).energy;
    const now = Date.parse('2026-07-01T10:07:00Z');
    const curve = fixedPriceCurve(tou, now);
    expect(curve).toHaveLength(145); // 10:00 (under way) to 22:00 tomorrow, the last start before now + 36 h
    expect(curve[0]!.start_ms).toBe(Date.parse('2026-07-01T10:00:00Z'));
    expect(curve.filter((i) => i.price === 120)).toHaveLength(2 * 20); // 14:00-19:00 today and tomorrow
    const view = forwardView(e, tou, curve, now);
    expect(secondsUntilNegative(view, 'mining', now)).toBe((Date.parse('2026-07-01T14:00:00Z') - now) / 1000); // 80 − 120 < 0
  });
});
