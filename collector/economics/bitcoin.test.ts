import { describe, expect, it } from 'vitest';
import { btcPerHashPerSecond, btcPerPhDay, hashpriceUsdPerPhDay, miningRevenueUsdPerSecond, perPhDay, subsidyBtc, subsidySats } from './bitcoin.js';

/** |actual − expected| <= tolerance × |expected|. */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('subsidy by height', () => {
  // V1, reference/economics.md; source: bitcoin/bitcoin src/validation.cpp GetBlockSubsidy.
  it.each([
    [0, 5_000_000_000n],
    [209_999, 5_000_000_000n],
    [210_000, 2_500_000_000n],
    [420_000, 1_250_000_000n],
    [629_999, 1_250_000_000n],
    [630_000, 625_000_000n],
    [839_999, 625_000_000n],
    [840_000, 312_500_000n],
    [1_049_999, 312_500_000n],
    [1_050_000, 156_250_000n],
  ])('height %i pays %i sats (V1)', (height, sats) => {
    expect(subsidySats(height)).toBe(sats);
  });

  it('falls to 1 sat at the 32nd halving and to 0 after it, and stays 0 from the 64th on (V1: 13,440,000)', () => {
    expect(subsidySats(32 * 210_000)).toBe(1n);
    expect(subsidySats(33 * 210_000)).toBe(0n);
    expect(subsidySats(13_440_000)).toBe(0n);
    expect(subsidySats(13_440_000 * 100)).toBe(0n);
  });

  it('in BTC is exact: 6.25 and 3.125 have no rounding', () => {
    expect(subsidyBtc(630_000)).toBe(6.25);
    expect(subsidyBtc(840_000)).toBe(3.125);
    expect(subsidyBtc(1_050_000)).toBe(1.5625);
  });

  it('rejects heights that are not whole non-negative numbers', () => {
    expect(() => subsidySats(-1)).toThrow(/whole number >= 0/);
    expect(() => subsidySats(1.5)).toThrow(/whole number >= 0/);
    expect(() => subsidySats(Number.NaN)).toThrow(/whole number >= 0/);
  });
});

describe('expected reward from difficulty', () => {
  it('V2 (blockchain.info /stats 2019-05-12): hashprice $0.292511 per TH/s per day within 1e-6', () => {
    // 135 blocks, 11648437530 sats of fees in 24 h: mean reward 13.362847 BTC per block.
    // Height 575,000 (May 2019) pays 12.5 BTC, as the source states.
    const chain = { height: 575_000, difficulty: 6702169884349, fees_btc_per_block: 11648437530 / 135 / 1e8 };
    expectRelative(hashpriceUsdPerPhDay(chain, 7292.97) / 1000, 0.292511, 1e-6);
  });

  it('V2: the observed network hashrate (D·2^32/600·135/144) expects exactly the 135 blocks it found', () => {
    const chain = { height: 575_000, difficulty: 6702169884349, fees_btc_per_block: 11648437530 / 135 / 1e8 };
    const networkHs = 44_977_500_727.37e9;
    const btcPerDay = networkHs * btcPerHashPerSecond(chain) * 86_400;
    expectRelative(btcPerDay, 135 * 13.362847, 1e-6);
  });

  it('V3 (Hashrate Index roundup 2024-12-23): published $55.21/PH/day within 3 %', () => {
    const chain = { height: 875_000, difficulty: 108.52e12, fees_btc_per_block: 0.0931 };
    expectRelative(hashpriceUsdPerPhDay(chain, 93_450), 55.21, 0.03);
  });

  it('V4 (Hashrate Index roundup 2025-03-03): 0.00057612 BTC/PH/day within 1.5 %, $49.40 within 3 %', () => {
    // Fees were 1.93 % of total rewards: fees = subsidy × 0.0193 / (1 − 0.0193).
    const chain = { height: 885_000, difficulty: 110.57e12, fees_btc_per_block: (3.125 * 0.0193) / (1 - 0.0193) };
    expectRelative(btcPerPhDay(chain), 0.00057612, 0.015);
    expectRelative(hashpriceUsdPerPhDay(chain, 86_350), 49.4, 0.03);
  });

  it('V5 (mempool api-docs-data.ts): 6.3811748254 BTC/block at D 31251101365711.12 gives 4.107610e-3 BTC/PH/day', () => {
    // Height 736655 pays 6.25 BTC; the other 0.1311748254 BTC per block are fees.
    const chain = { height: 736_655, difficulty: 31251101365711.12, fees_btc_per_block: 0.1311748254 };
    expectRelative(btcPerPhDay(chain), 4.10761e-3, 1e-6);
  });

  it('V12 (IREN Aug 2025): 668 BTC and $76.7 M over 31 days at 44.0 EH/s are 4.897e-4 BTC and $56.2 per PH/day', () => {
    const seconds = 31 * 86_400;
    const hs = 44.0e18;
    expectRelative(perPhDay(668 / seconds / hs), 4.897e-4, 0.005);
    expectRelative(perPhDay(76.7e6 / seconds / hs), 56.2, 0.005);
  });

  it('mining revenue scales with hashrate, price and (1 − pool fee)', () => {
    const chain = { height: 840_000, difficulty: 1e14, fees_btc_per_block: 0.125 };
    // 1 PH/s for a day earns 86400e15 × (3.125 + 0.125) / (1e14 × 2^32) BTC before the 2 % pool fee.
    const perDay = miningRevenueUsdPerSecond(1e15, chain, 100_000, 0.02) * 86_400;
    expectRelative(perDay, ((86_400e15 * 3.25) / (1e14 * 2 ** 32)) * 100_000 * 0.98, 1e-12);
    expect(miningRevenueUsdPerSecond(0, chain, 100_000, 0.02)).toBe(0);
  });

  it('rejects a zero difficulty and a pool fee outside 0..1 instead of returning Infinity', () => {
    expect(() => btcPerHashPerSecond({ height: 1, difficulty: 0, fees_btc_per_block: 0 })).toThrow(/difficulty/);
    expect(() => miningRevenueUsdPerSecond(1, { height: 1, difficulty: 1, fees_btc_per_block: 0 }, 1, 1.5)).toThrow(/pool fee/);
  });
});
