import { describe, expect, it } from 'vitest';
import type { PriceInterval } from '../energy-market/prices.js';
import { CurtailmentConfig } from './config.js';
import { CurtailmentAdvisor, type CurtailmentTarget } from './curtailment.js';

const Q = 900_000;
const S19: CurtailmentTarget = { workload: 'mining', model: 'Antminer S19 Pro', breakeven_usd_per_mwh: 75, power_w: 3_250_000 };
const S21: CurtailmentTarget = { workload: 'mining', model: 'Antminer S21', breakeven_usd_per_mwh: 130, power_w: 3_500_000 };
const policy = CurtailmentConfig.parse({ after_intervals: 2, resume_after_intervals: 3, hard_cap_usd_per_mwh: 1000 });

/** Settled quarter hours with these prices, the last one ending at `k` quarters. */
const curve = (prices: number[]): PriceInterval[] => prices.map((price, k) => ({ start_ms: k * Q, end_ms: (k + 1) * Q, price }));

describe('curtailment advice with hysteresis', () => {
  it('curtails a model after N intervals above its breakeven, only that model, and resumes after M below', () => {
    const advisor = new CurtailmentAdvisor();
    const prices: number[] = [];
    const step = (price: number) => {
      prices.push(price);
      const [s19, s21] = advisor.advise('tx-1', [S19, S21], curve(prices), price, policy, prices.length * Q);
      return { s19: s19!, s21: s21! };
    };
    // 100 is above the S19 Pro's 75 and below the S21's 130.
    expect(step(50).s19).toMatchObject({ raw: false, curtail: false, changed: false });
    expect(step(100).s19).toMatchObject({ raw: true, curtail: false }); // 1 of 2
    const second = step(100);
    expect(second.s19).toMatchObject({ raw: true, curtail: true, changed: true, reason: '2 consecutive intervals above the breakeven of 75.00 USD/MWh (last 100.00)' });
    expect(second.s21).toMatchObject({ raw: false, curtail: false, changed: false });
    // One dip below and back up does not resume.
    expect(step(60).s19).toMatchObject({ raw: false, curtail: true, changed: false });
    expect(step(100).s19.curtail).toBe(true);
    expect(step(60).s19.curtail).toBe(true); // 1 of 3
    expect(step(70).s19.curtail).toBe(true); // 2 of 3
    expect(step(75).s19).toMatchObject({ curtail: false, changed: true, reason: '3 consecutive intervals at or below the breakeven of 75.00 USD/MWh (last 75.00): resume' });
  });

  it('above the hard cap it curtails at once, every model', () => {
    const advisor = new CurtailmentAdvisor();
    const advice = advisor.advise('tx-1', [S19, S21], curve([50, 5000]), 5000, policy, 2 * Q);
    expect(advice.map((a) => [a.curtail, a.reason])).toEqual([
      [true, 'interval at 5000.00 USD/MWh is above the hard cap of 1000.00'],
      [true, 'interval at 5000.00 USD/MWh is above the hard cap of 1000.00'],
    ]);
  });

  it('counts each settled interval once, only those started, and per site', () => {
    const advisor = new CurtailmentAdvisor();
    const held = curve([100, 100, 100]); // the third starts at 2Q: in the future at 1.5Q
    expect(advisor.advise('a', [S19], held, 100, policy, 1.5 * Q)[0]!.curtail).toBe(true); // two started
    expect(advisor.advise('b', [S19], held.slice(0, 1), 100, policy, 1.5 * Q)[0]!.curtail).toBe(false); // its own count
    // Re-reading the same intervals does not count them again.
    for (let k = 0; k < 5; k++) expect(advisor.advise('b', [S19], held.slice(0, 1), 100, policy, 1.5 * Q)[0]!.curtail).toBe(false);
  });

  it('without a feed (fixed price) the advice is the raw signal', () => {
    const [a] = new CurtailmentAdvisor().advise('tx-1', [S19], [], 80, policy, 0);
    expect(a).toMatchObject({ raw: true, curtail: true, reason: 'energy at 80.00 USD/MWh is above the breakeven of 75.00 (fixed price: no hysteresis)' });
  });
});
