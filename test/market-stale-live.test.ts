// A collector fed by a mempool-style market API: live values reach /metrics, and when the feed
// fails the last good values stay (never zeros) while the age grows and the stale flag goes up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Collector } from '../collector/collector.js';
import { MARKET_ENDPOINTS } from '../collector/market/mempool.js';
import { startFakeMarketServer, type FakeMarketServer } from './fakes/market-server.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

let market: FakeMarketServer;
let mosquitto: MosquittoHandle;
let collector: Collector;

beforeAll(async () => {
  [market, mosquitto] = await Promise.all([startFakeMarketServer(), startMosquitto()]);
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'market-collector' },
    economics: { bitcoin: { feed: { url: market.url, interval: '1s', timeout: '1s', stale_after: '2s' } } },
  });
});

afterAll(async () => {
  await collector?.stop();
  await Promise.all([market?.close(), mosquitto?.stop()]);
});

it('shows feed values, then keeps them and flags stale when the feed fails', async () => {
  const fresh = await eventually(async () => {
    const t = await scrape(collector.metricsUrl);
    // Every endpoint answered: the price, the tip and the fees each come from their own request.
    return metricValue(t, 'powersite_market_data_age_seconds', { source: 'feed' }) !== undefined ? t : undefined;
  });
  // The recorded 2024-03-31 snapshot (tip 837050, $69,880).
  expect(metricValue(fresh, 'powersite_market_btc_usd', { source: 'feed' })).toBe(69_880);
  expect(metricValue(fresh, 'powersite_market_block_height', { source: 'feed' })).toBe(837_050);
  expect(metricValue(fresh, 'powersite_market_data_stale', {})).toBe(0);
  expect(metricValue(fresh, 'powersite_block_subsidy_btc', { source: 'feed' })).toBe(6.25);
  expect(metricValue(fresh, 'powersite_blocks_until_halving', { source: 'feed' })).toBe(840_000 - 837_050);
  const hashprice = metricValue(fresh, 'powersite_hashprice_usd_per_petahash_day', { source: 'feed' })!;
  expect(hashprice).toBeGreaterThan(50);

  for (const endpoint of MARKET_ENDPOINTS) market.behave(endpoint, 'error500');
  const stale = await eventually(async () => {
    const t = await scrape(collector.metricsUrl);
    return metricValue(t, 'powersite_market_data_stale', {}) === 1 ? t : undefined;
  });
  expect(metricValue(stale, 'powersite_market_btc_usd', { source: 'feed' })).toBe(69_880);
  expect(metricValue(stale, 'powersite_hashprice_usd_per_petahash_day', { source: 'feed' })).toBe(hashprice);
  expect(metricValue(stale, 'powersite_market_data_age_seconds', { source: 'feed' })).toBeGreaterThan(2);

  for (const endpoint of MARKET_ENDPOINTS) market.behave(endpoint, 'ok');
  await eventually(async () => metricValue(await scrape(collector.metricsUrl), 'powersite_market_data_stale', {}) === 0);
});
