/** Market values written in collector.yaml: always present, never stale (they are as current as the operator keeps them). */
import type { StaticMarketValues } from '../economics/config.js';
import { MARKET_ENDPOINTS, type MarketEndpoint } from './mempool.js';
import type { MarketSnapshot, MarketSource } from './source.js';

export class StaticMarket implements MarketSource {
  private readonly loadedAtMs: number;
  private readonly noErrors = Object.fromEntries(MARKET_ENDPOINTS.map((e) => [e, 0])) as Record<MarketEndpoint, number>;

  constructor(
    private readonly values: StaticMarketValues,
    now: () => number = Date.now,
  ) {
    this.loadedAtMs = now();
  }

  snapshot(): MarketSnapshot {
    // No tip time: the halving date is then estimated from "now".
    return { ...this.values, tip_time_ms: null, network_hashrate_hs: null, updated_at_ms: this.loadedAtMs, age_s: 0, stale: false };
  }

  fetchErrors(): Readonly<Record<MarketEndpoint, number>> {
    return this.noErrors;
  }

  start(): void {}

  async stop(): Promise<void> {}
}
