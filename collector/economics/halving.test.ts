import { describe, expect, it } from 'vitest';
import { nextHalving, nextHalvingHeight } from './halving.js';

describe('next halving', () => {
  it('is the next multiple of 210,000 above the tip (reference/economics.md, "Formulas")', () => {
    expect(nextHalvingHeight(0)).toBe(210_000);
    expect(nextHalvingHeight(839_999)).toBe(840_000);
    // The halving block itself already pays the new subsidy: the next one is 210,000 later.
    expect(nextHalvingHeight(840_000)).toBe(1_050_000);
  });

  it('from the 2024-03-31 snapshot (tip 837050 at 1711854927 s): 2,950 blocks, 3.125 BTC, 20.5 days later', () => {
    // Tip height and time from fixtures/market mempool-ws-init.837050.json.
    const h = nextHalving(837_050, 1_711_854_927_000);
    expect(h).toEqual({
      height: 840_000,
      blocks_until: 2_950,
      date_ms: 1_711_854_927_000 + 2_950 * 600_000,
      subsidy_btc: 3.125,
    });
    // 2,950 × 600 s = 20 d 11 h 40 min after 03:15:27Z; the real halving block came at 2024-04-20 00:09 UTC.
    expect(new Date(h.date_ms).toISOString()).toBe('2024-04-20T14:55:27.000Z');
  });

  it('after the 2028 halving the subsidy is 1.5625 BTC', () => {
    expect(nextHalving(920_000, 0)).toMatchObject({ height: 1_050_000, blocks_until: 130_000, subsidy_btc: 1.5625 });
  });
});
