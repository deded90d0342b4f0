import { describe, expect, it } from 'vitest';
import { intervalAt, intervalsBetween, mergePrices, type PriceInterval } from './prices.js';

const H = 3_600_000;
const i = (h: number, price: number, hours = 1): PriceInterval => ({ start_ms: h * H, end_ms: (h + hours) * H, price });

describe('price curve', () => {
  it('fresh prices replace the overlapping held ones; old intervals are dropped', () => {
    const held = [i(0, 10), i(1, 11), i(2, 12)];
    expect(mergePrices(held, [i(1, 99), i(3, 13)], 1 * H)).toEqual([i(1, 99), i(2, 12), i(3, 13)]);
    // An hourly revision replaces the quarter hours it covers.
    const quarters = [0, 1, 2, 3].map((q) => ({ start_ms: q * 900_000, end_ms: (q + 1) * 900_000, price: q }));
    expect(mergePrices(quarters, [i(0, 5)], 0)).toEqual([i(0, 5)]);
  });

  it('the interval in force: the one containing the instant, else the last ended within the hold', () => {
    const curve = [i(0, 10), i(1, 11)];
    expect(intervalAt(curve, 0)?.price).toBe(10);
    expect(intervalAt(curve, H)?.price).toBe(11); // start inclusive, end exclusive
    expect(intervalAt(curve, 2 * H)).toBeNull();
    expect(intervalAt(curve, 2 * H + 999, 1000)?.price).toBe(11);
    expect(intervalAt(curve, 2 * H + 1000, 1000)).toBeNull();
    expect(intervalAt([], 0, H)).toBeNull();
    expect(intervalsBetween([i(0, 1), i(1, 2), i(2, 3)], H + 1, 2 * H)).toEqual([i(1, 2)]);
  });
});
