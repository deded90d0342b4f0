/**
 * Bitcoin mining revenue from on-chain state, the way the reference hashprice indices compute it:
 * from difficulty (expected hashes per block = D × 2^32), not from a network-hashrate estimate.
 */

export const HALVING_INTERVAL = 210_000;
export const SATS_PER_BTC = 100_000_000;
/** Expected hashes to find one block at difficulty 1 (Bitcoin's difficulty-1 target is ~2^224). */
export const HASHES_PER_DIFFICULTY = 2 ** 32;
const INITIAL_SUBSIDY_SATS = 5_000_000_000n;
const PH = 1e15;
const SECONDS_PER_DAY = 86_400;

/** What the expected reward of a hash depends on. */
export interface ChainState {
  height: number;
  difficulty: number;
  /** Mean total fees per block over the last 144 blocks, in BTC. */
  fees_btc_per_block: number;
}

function checkHeight(height: number): void {
  if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`block height must be a whole number >= 0, got ${height}`);
}

/** Bitcoin Core GetBlockSubsidy: 50 BTC halved every 210,000 blocks; 0 once the shift would reach 64. */
export function subsidySats(height: number): bigint {
  checkHeight(height);
  const halvings = Math.floor(height / HALVING_INTERVAL);
  return halvings >= 64 ? 0n : INITIAL_SUBSIDY_SATS >> BigInt(halvings);
}

/** The subsidy in BTC; exact, since every subsidy is a whole number of sats below 2^53. */
export function subsidyBtc(height: number): number {
  return Number(subsidySats(height)) / SATS_PER_BTC;
}

/** Expected BTC earned by 1 H/s in one second: (subsidy + fees) / (D × 2^32). */
export function btcPerHashPerSecond(chain: ChainState): number {
  if (!(chain.difficulty > 0) || !Number.isFinite(chain.difficulty)) throw new RangeError(`difficulty must be a positive number, got ${chain.difficulty}`);
  if (!(chain.fees_btc_per_block >= 0)) throw new RangeError(`fees per block must be >= 0 BTC, got ${chain.fees_btc_per_block}`);
  return (subsidyBtc(chain.height) + chain.fees_btc_per_block) / (chain.difficulty * HASHES_PER_DIFFICULTY);
}

/** Scales an amount earned per (H/s) per second to the amount earned by 1 PH/s in a day. */
export function perPhDay(amountPerHashPerSecond: number): number {
  return amountPerHashPerSecond * PH * SECONDS_PER_DAY;
}

/** Expected BTC per PH/s per day (gross, before the pool fee). */
export function btcPerPhDay(chain: ChainState): number {
  return perPhDay(btcPerHashPerSecond(chain));
}

/** Hashprice in Luxor's sense: USD per PH/s per day, gross (no pool fee), as the indices publish it. */
export function hashpriceUsdPerPhDay(chain: ChainState, btcUsd: number): number {
  return btcPerPhDay(chain) * btcUsd;
}

/**
 * Whether a sample's hashrate is bitcoin's: only SHA-256 work earns the hashprice. Samples from
 * agents that predate the wire's `algorithm` field are SHA-256 miners.
 */
export function isBitcoinHashrate(sample: { algorithm?: string | undefined }): boolean {
  return (sample.algorithm ?? 'sha256') === 'sha256';
}

/** Mining revenue in USD per second for a hashrate, after the pool's fee (a ratio 0..1). */
export function miningRevenueUsdPerSecond(hashrateHs: number, chain: ChainState, btcUsd: number, poolFee: number): number {
  if (!(poolFee >= 0 && poolFee <= 1)) throw new RangeError(`pool fee must be a ratio between 0 and 1, got ${poolFee}`);
  return hashrateHs * btcPerHashPerSecond(chain) * (1 - poolFee) * btcUsd;
}
