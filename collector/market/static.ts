/**
 * Market values written in collector.yaml: always present and never stale (they are as current as
 * the operator keeps them), but their age is the time since the collector loaded them, so a
 * dashboard shows how long the constants have stood.
 */
import type { StaticMarketValues } from '../economics/config.js';
import { MARKET_ENDPOINTS, type MarketEndpoint } from './mempool.js';
import type { MarketSnapshot, MarketSource } from './source.js';

export class StaticMarket implements MarketSource {
  private readonly loadedAtMs: number;
  private readonly now: () => number;
  private readonly noErrors = Object.fromEntries(MARKET_ENDPOINTS.map((e) => [e, 0])) as Record<MarketEndpoint, number>;

  constructor(
    private readonly values: StaticMarketValues,
    now: () => number = Date.now,
  ) {
    this.now = now;
    this.loadedAtMs = now();
  }

  snapshot(): MarketSnapshot {
    const { btc_usd, difficulty, height, fees_btc_per_block } = this.values;
    // No tip time: the halving date is then estimated from "now". Spelled out: every message is
    // priced with a snapshot, and V8 builds `{ ...values, more }` some 400 times slower.
    return { btc_usd, difficulty, height, fees_btc_per_block, tip_time_ms: null, network_hashrate_hs: null, updated_at_ms: this.loadedAtMs, age_s: Math.max(0, this.now() - this.loadedAtMs) / 1000, stale: false };
  }

  fetchErrors(): Readonly<Record<MarketEndpoint, number>> {
    return this.noErrors;
  }

  start(): void {}

  async stop(): Promise<void> {}
}
