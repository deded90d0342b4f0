/** The next halving: where it is, how far, roughly when, and what the subsidy falls to. */
import { HALVING_INTERVAL, subsidyBtc } from './bitcoin.js';

/** The protocol's target block interval; the estimate ignores the current pace of blocks, as mempool's does. */
export const TARGET_BLOCK_SECONDS = 600;

export interface NextHalving {
  height: number;
  blocks_until: number;
  /** Estimated unix ms of the halving block: tip time + blocks_until × 600 s. */
  date_ms: number;
  /** The subsidy of the halving block and those after it, in BTC. */
  subsidy_btc: number;
}

/** The first multiple of 210,000 above the tip (a tip exactly on a halving looks at the next one). */
export function nextHalvingHeight(tipHeight: number): number {
  return (Math.floor(tipHeight / HALVING_INTERVAL) + 1) * HALVING_INTERVAL;
}

export function nextHalving(tipHeight: number, tipTimeMs: number): NextHalving {
  const height = nextHalvingHeight(tipHeight);
  const blocksUntil = height - tipHeight;
  return {
    height,
    blocks_until: blocksUntil,
    date_ms: tipTimeMs + blocksUntil * TARGET_BLOCK_SECONDS * 1000,
    subsidy_btc: subsidyBtc(height),
  };
}
