import { describe, expect, it } from 'vitest';
import { usd } from './summary.js';

describe('usd', () => {
  it('puts the sign before the dollar sign and rounds to whole dollars', () => {
    expect(usd(-8.4)).toBe('-$8'); // the demo's after-halving mining margin
    expect(usd(-1234.6)).toBe('-$1,235');
  });
  it('never prints minus zero', () => {
    expect(usd(-0.4)).toBe('$0');
  });
  it('groups thousands and says n/a for unknown values', () => {
    expect(usd(3273.4)).toBe('$3,273');
    expect(usd(null)).toBe('n/a');
    expect(usd(undefined)).toBe('n/a');
    expect(usd(Number.NaN)).toBe('n/a');
  });
});
