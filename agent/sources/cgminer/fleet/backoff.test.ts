import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

describe('backoffMs', () => {
  const mid = () => 0.5; // no jitter

  it('retries a first failure on the next cycle', () => {
    expect(backoffMs(0, 10_000, 300_000, mid)).toBe(0);
    expect(backoffMs(1, 10_000, 300_000, mid)).toBe(0);
  });

  it('doubles from one interval and stops at the maximum', () => {
    expect([2, 3, 4, 5, 6, 7, 8, 40].map((n) => backoffMs(n, 10_000, 300_000, mid))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('spreads retries by ±20 % without passing the maximum', () => {
    expect(backoffMs(3, 10_000, 300_000, () => 0)).toBeCloseTo(16_000, 6);
    expect(backoffMs(3, 10_000, 300_000, () => 1)).toBeCloseTo(24_000, 6);
    expect(backoffMs(9, 10_000, 300_000, () => 1)).toBe(300_000);
  });
});
