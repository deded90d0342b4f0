import { describe, expect, it } from 'vitest';
import {
  breakevenUsdPerMwh,
  efficiencyJPerTh,
  energyCostUsdPerHour,
  hashcostUsdPerPhDay,
  marginUsdPerMwh,
  revenueUsdPerMwDay,
  usdPerMwh,
} from './margin.js';

function expectRelative(actual: number | null, expected: number, tolerance: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('per-MWh figures', () => {
  it('revenue per MWh is revenue per hour over MW', () => {
    expect(usdPerMwh(150, 2_000_000)).toBe(75);
    expect(usdPerMwh(-10, 500_000)).toBe(-20);
  });

  it('is null, never Infinity or NaN, when there is no power', () => {
    expect(usdPerMwh(100, 0)).toBeNull();
    expect(usdPerMwh(0, 0)).toBeNull();
    expect(usdPerMwh(100, Number.NaN)).toBeNull();
    expect(usdPerMwh(Number.NaN, 1000)).toBeNull();
    expect(marginUsdPerMwh(null, 45)).toBeNull();
  });

  it('V11 (Riot 8-K FY2024): $152,469k over 4,443,677,036 kWh is $0.03431/kWh net, $0.04189 gross (±0.0005)', () => {
    // As a rate over 2024's 8,784 hours: cost per hour / average power.
    const hours = 8784;
    const averageW = (4_443_677_036 * 1000) / hours;
    expectRelative(usdPerMwh(152_469e3 / hours, averageW)! / 1000, 0.03431, 0.0005 / 0.03431);
    expectRelative(usdPerMwh(186_154e3 / hours, averageW)! / 1000, 0.04189, 0.0005 / 0.04189);
  });

  it('energy cost per hour is MW × price, and margin is revenue − cost per MWh', () => {
    expect(energyCostUsdPerHour(2_500_000, 40)).toBe(100);
    expect(marginUsdPerMwh(133.26, 45)).toBeCloseTo(88.26, 10);
    expect(marginUsdPerMwh(30, 45)).toBe(-15);
  });
});

describe('miner breakeven and hashcost', () => {
  it('efficiency is W per TH/s; null without hashrate', () => {
    expect(efficiencyJPerTh(3500, 200e12)).toBe(17.5);
    expect(efficiencyJPerTh(3500, 0)).toBeNull();
    expect(efficiencyJPerTh(0, 200e12)).toBeNull();
  });

  it.each([
    // V6, Hashrate Index roundup 2024-04-01: S21, S19 XP, S19j Pro, M30S+ at hashprice $54.3/PH/day.
    [17.5, 129],
    [21.5, 105],
    [30.5, 74],
    [34, 67],
  ])('V6: at %f J/TH the breakeven is about $%i/MWh (±$5/MWh)', (e, expected) => {
    const p = breakevenUsdPerMwh(54.3, e)!;
    expect(Math.abs(p - expected)).toBeLessThanOrEqual(5);
  });

  it.each([
    // V7, derived from the formula in reference/economics.md at hashprice $55.97/PH/day.
    [17.5, 3198, 133.26],
    [29.5, 1897, 79.05],
    [13.5, 4146, 172.75],
  ])('V7: at %f J/TH, $%i per MW per day = $%f per MWh', (e, perMwDay, perMwh) => {
    expectRelative(revenueUsdPerMwDay(55.97, e), perMwDay, 0.5 / perMwDay);
    expectRelative(breakevenUsdPerMwh(55.97, e), perMwh, 0.005 / perMwh);
  });

  it('V10 (formula in reference/economics.md): hashcost $16.80 at 17.5 J/TH and $28.32 at 29.5 J/TH, $40/MWh', () => {
    expect(hashcostUsdPerPhDay(17.5, 40)).toBeCloseTo(16.8, 10);
    expect(hashcostUsdPerPhDay(29.5, 40)).toBeCloseTo(28.32, 10);
  });

  it('hashcost equals hashprice exactly at the breakeven energy price', () => {
    const p = breakevenUsdPerMwh(55.97, 21.5)!;
    expect(hashcostUsdPerPhDay(21.5, p)).toBeCloseTo(55.97, 10);
  });

  it('breakeven is null for an efficiency of 0', () => {
    expect(breakevenUsdPerMwh(55, 0)).toBeNull();
  });
});
