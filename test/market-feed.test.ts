/**
 * MarketFeed against a fake mempool-style server on loopback: values parsed from the recorded
 * responses, failures keep the last good values while age and staleness grow, recovery refreshes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketFeedConfig } from '../collector/economics/config.js';
import { MarketFeed } from '../collector/market/feed.js';
import { recordedBodies, startFakeMarketServer, type FakeMarketServer } from './fakes/market-server.js';

const T0 = Date.parse('2024-03-31T03:20:00Z');
const MINUTE = 60_000;

let server: FakeMarketServer;
let clock: number;
let logs: { level: number; msg: string; endpoint?: string; error?: string }[];
const feeds: MarketFeed[] = [];

function feed(overrides: Partial<MarketFeedConfig> = {}): MarketFeed {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const config = { url: server.url, interval: MINUTE, timeout: 300, stale_after: 15 * MINUTE, ...overrides };
  const f = new MarketFeed(config, logger, () => clock);
  feeds.push(f);
  return f;
}

const warnings = () => logs.filter((l) => l.level === 40);

beforeEach(async () => {
  server = await startFakeMarketServer();
  clock = T0;
  logs = [];
});

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  await server.close();
});

// Expected values read from test/fixtures/market: tip 837050 of mempool-ws-init.837050.json (block time
// 1711854927 s, difficulty 83126997340024.61), its price extract (USD 69880), the reward-stats docs example
// (1311748254 sats of fees over 100 blocks) and the hashrate docs example (252033247355212300000 H/s).
const RECORDED = {
  btc_usd: 69_880,
  difficulty: 83126997340024.61,
  height: 837_050,
  fees_btc_per_block: 0.1311748254,
  tip_time_ms: 1_711_854_927_000,
  network_hashrate_hs: 252033247355212300000,
};
const NO_ERRORS = { tip_height: 0, blocks: 0, reward_stats: 0, hashrate: 0, prices: 0 };

describe('MarketFeed', () => {
  it('parses every value from the recorded responses', async () => {
    const f = feed();
    await f.poll();
    expect(f.snapshot()).toEqual({ ...RECORDED, updated_at_ms: T0, age_s: 0, stale: false });
    expect(f.fetchErrors()).toEqual(NO_ERRORS);
  });

  it('while the tip stays put, block data is confirmed current without being fetched again', async () => {
    const f = feed();
    await f.poll();
    clock += 5 * MINUTE;
    await f.poll();
    expect(server.requests('tip_height')).toBe(2);
    expect(server.requests('prices')).toBe(2);
    expect(server.requests('blocks')).toBe(1);
    expect(server.requests('reward_stats')).toBe(1);
    expect(server.requests('hashrate')).toBe(1);
    expect(f.snapshot()).toMatchObject({ updated_at_ms: T0 + 5 * MINUTE, age_s: 0, stale: false });
  });

  it('a failing price keeps its last good value while its age grows to stale; recovery refreshes it', async () => {
    const f = feed();
    await f.poll();

    server.behave('prices', 'error500');
    clock += 10 * MINUTE;
    await f.poll();
    expect(f.snapshot()).toEqual({ ...RECORDED, updated_at_ms: T0, age_s: 600, stale: false });

    server.behave('prices', 'garbage');
    clock += 10 * MINUTE;
    await f.poll();
    expect(f.snapshot()).toEqual({ ...RECORDED, updated_at_ms: T0, age_s: 1200, stale: true });
    expect(f.fetchErrors()).toEqual({ ...NO_ERRORS, prices: 2 });
    // One warning per outage, with the reason; the repeat is logged at debug.
    expect(warnings()).toEqual([expect.objectContaining({ endpoint: '/api/v1/prices', error: '/api/v1/prices: HTTP 500 Internal Server Error' })]);
    expect(logs.find((l) => l.level === 20)?.error).toMatch(/^\/api\/v1\/prices: not valid JSON/);

    server.behave('prices', 'ok');
    server.respond('prices', '{"time":1711856000,"USD":71000,"EUR":65900}');
    clock += MINUTE;
    await f.poll();
    expect(f.snapshot()).toEqual({ ...RECORDED, btc_usd: 71_000, updated_at_ms: clock, age_s: 0, stale: false });
    expect(f.fetchErrors().prices).toBe(2);
    expect(logs.at(-1)).toMatchObject({ level: 30, endpoint: '/api/v1/prices', msg: 'market feed: endpoint recovered' });
  });

  it('a new block while the block endpoints hang, fail and send garbage: the old block data stays and ages', async () => {
    const f = feed();
    await f.poll();

    server.respond('tip_height', '837051');
    server.behave('blocks', 'hang');
    server.behave('reward_stats', 'error500');
    server.behave('hashrate', 'garbage');
    clock += 20 * MINUTE;
    await f.poll();
    expect(f.snapshot()).toEqual({ ...RECORDED, height: 837_051, updated_at_ms: T0, age_s: 1200, stale: true });
    expect(f.fetchErrors()).toEqual({ ...NO_ERRORS, blocks: 1, reward_stats: 1, hashrate: 1 });
    expect(warnings().map((w) => w.error).sort()).toEqual([
      '/api/v1/blocks: no answer within 300 ms',
      expect.stringMatching(/^\/api\/v1\/mining\/hashrate\/3d: not valid JSON \(.+\); the body starts "<html><body>502 Bad Gateway<\/body><\/html>"$/),
      '/api/v1/mining/reward-stats/144: HTTP 500 Internal Server Error',
    ]);

    // Recovery: the endpoints answer for the new tip.
    const blocks = JSON.parse(recordedBodies().blocks) as Record<string, unknown>[];
    server.respond('blocks', JSON.stringify([{ ...blocks[0], height: 837_051, timestamp: 1_711_855_500 }, ...blocks]));
    server.respond('reward_stats', '{"startBlock":836908,"endBlock":837051,"totalReward":"92000000000","totalFee":"2000000000","totalTx":"500000"}');
    server.respond('hashrate', '{"currentHashrate":600000000000000000000,"currentDifficulty":83126997340024.61}');
    for (const e of ['blocks', 'reward_stats', 'hashrate'] as const) server.behave(e, 'ok');
    clock += MINUTE;
    await f.poll();
    expect(f.snapshot()).toEqual({
      ...RECORDED,
      height: 837_051,
      tip_time_ms: 1_711_855_500_000,
      fees_btc_per_block: 2_000_000_000 / 144 / 1e8,
      network_hashrate_hs: 6e20,
      updated_at_ms: clock,
      age_s: 0,
      stale: false,
    });
  });

  it('before any good answer every value is null and the snapshot is stale: never zeros', async () => {
    for (const e of ['tip_height', 'blocks', 'reward_stats', 'hashrate', 'prices'] as const) server.behave(e, 'error500');
    const f = feed();
    await f.poll();
    expect(f.snapshot()).toEqual({
      btc_usd: null,
      difficulty: null,
      height: null,
      fees_btc_per_block: null,
      tip_time_ms: null,
      network_hashrate_hs: null,
      updated_at_ms: null,
      age_s: null,
      stale: true,
    });
    expect(f.fetchErrors()).toEqual({ tip_height: 1, blocks: 1, reward_stats: 1, hashrate: 1, prices: 1 });
  });

  it('with the tip height failing, block data is fetched every poll and the height alone goes stale', async () => {
    const f = feed();
    await f.poll();
    server.behave('tip_height', 'error500');
    clock += 20 * MINUTE;
    await f.poll();
    expect(server.requests('blocks')).toBe(2);
    expect(f.snapshot()).toMatchObject({ height: 837_050, updated_at_ms: T0, stale: true });
  });

  it('refuses a body larger than 1 MiB', async () => {
    server.behave('prices', 'oversized');
    const f = feed();
    await f.poll();
    expect(f.snapshot().btc_usd).toBeNull();
    expect(warnings()[0]?.error).toBe('/api/v1/prices: body larger than 1048576 bytes');
  });

  it('names the cause when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const f = feed({ url: `http://127.0.0.1:${port}` });
    await f.poll();
    expect(warnings().find((w) => w.endpoint === '/api/v1/prices')?.error).toBe('/api/v1/prices: fetch failed (ECONNREFUSED)');
  });

  it('start() polls at once; stop() aborts a request in flight without counting it as a failure', async () => {
    server.behave('tip_height', 'hang');
    const f = feed({ timeout: 10 * 60_000 });
    f.start();
    for (let i = 0; i < 500 && server.requests('tip_height') === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.requests('tip_height')).toBe(1);
    await f.stop(); // would wait out the 10-minute timeout if the abort did not reach the request
    expect(f.fetchErrors().tip_height).toBe(0);
    expect(f.snapshot().btc_usd).toBe(69_880);
  });
});
