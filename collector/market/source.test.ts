import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { EconomicsConfig } from '../economics/config.js';
import { MarketFeed } from './feed.js';
import { createMarketSource } from './source.js';
import { StaticMarket } from './static.js';

describe('market source from config', () => {
  it('static values give a snapshot that is complete, fresh and never stale', async () => {
    const { bitcoin } = EconomicsConfig.parse({ bitcoin: { btc_usd: 95000, difficulty: 1.1e14, height: 920000, fees_btc_per_block: 0.03 } });
    const market = createMarketSource(bitcoin, silentLogger(), () => 1_700_000_000_000);
    expect(market).toBeInstanceOf(StaticMarket);
    market.start();
    expect(market.snapshot()).toEqual({
      btc_usd: 95000,
      difficulty: 1.1e14,
      height: 920000,
      fees_btc_per_block: 0.03,
      tip_time_ms: null,
      network_hashrate_hs: null,
      updated_at_ms: 1_700_000_000_000,
      age_s: 0,
      stale: false,
    });
    expect(market.fetchErrors()).toEqual({ tip_height: 0, blocks: 0, reward_stats: 0, hashrate: 0, prices: 0 });
    await market.stop();
  });

  it('constants age from the moment the collector loaded them, so dashboards show how long they have stood', () => {
    let now = 1_700_000_000_000;
    const { bitcoin } = EconomicsConfig.parse({ bitcoin: { btc_usd: 95000, difficulty: 1.1e14, height: 920000, fees_btc_per_block: 0.03 } });
    const market = createMarketSource(bitcoin, silentLogger(), () => now);
    now += 90_000;
    expect(market.snapshot()).toMatchObject({ updated_at_ms: 1_700_000_000_000, age_s: 90, stale: false });
  });

  it('a feed config gives a MarketFeed that knows nothing until it has polled', () => {
    const { bitcoin } = EconomicsConfig.parse({ bitcoin: { feed: { url: 'http://127.0.0.1:9' } } });
    const market = createMarketSource(bitcoin, silentLogger());
    expect(market).toBeInstanceOf(MarketFeed);
    expect(market.snapshot()).toMatchObject({ btc_usd: null, height: null, updated_at_ms: null, age_s: null, stale: true });
  });
});
