/**
 * Market data for the economics: one interface, two sources (static values from collector.yaml, or
 * a mempool-style HTTP feed), chosen by the `economics.bitcoin` config.
 */
import type { Logger } from '../../common/logger.js';
import type { BitcoinConfig } from '../economics/config.js';
import { MarketFeed } from './feed.js';
import type { MarketEndpoint } from './mempool.js';
import { StaticMarket } from './static.js';

/** Null = not known yet; a failed fetch never turns a value into 0, it keeps the last good one. */
export interface MarketSnapshot {
  btc_usd: number | null;
  difficulty: number | null;
  height: number | null;
  /** Mean total fees per block over the last 144 blocks, BTC. */
  fees_btc_per_block: number | null;
  /** Time of the chain tip block (unix ms), for the halving date. */
  tip_time_ms: number | null;
  /** Informational: the network's hashrate (H/s), e.g. for the site's share of it. */
  network_hashrate_hs: number | null;
  /** When the oldest of btc_usd, difficulty, height and fees was last confirmed current; null until all are known. */
  updated_at_ms: number | null;
  age_s: number | null;
  /** Some value is missing or older than the feed's stale_after: alert on it. */
  stale: boolean;
}

export interface MarketSource {
  snapshot(): MarketSnapshot;
  /** Failed fetches since start, by endpoint (a counter: it only grows). */
  fetchErrors(): Readonly<Record<MarketEndpoint, number>>;
  start(): void;
  stop(): Promise<void>;
}

export function createMarketSource(config: BitcoinConfig, logger: Logger, now: () => number = Date.now): MarketSource {
  return config.feed ? new MarketFeed(config.feed, logger, now) : new StaticMarket(config.values, now);
}
