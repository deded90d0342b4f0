// The energy price feeds against a fake market server on loopback that replays the recorded
// captures: prices reach the curve in USD, and a server that fails, hangs, throttles, closes early
// or sends garbage leaves the held prices in place until they no longer cover the present.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ERCOT_DAY_AHEAD, ERCOT_REALTIME } from '../collector/energy-market/ercot.js';
import { EnergyPriceFeed, retryAfterMs } from '../collector/energy-market/feed.js';
import { EnergyFeedConfig } from '../collector/energy-market/registry.js';
import { ercotRealtimeRow, FAKE_ERCOT_KEY, FAKE_ERCOT_TOKEN, startFakePriceServer, type FakePriceServer } from './fakes/energy-market-server.js';

let server: FakePriceServer;
let dir: string;
const Q = 900_000;
const fixture = (market: string, name: string) => readFile(new URL(`../collector/energy-market/fixtures/${market}/${name}`, import.meta.url), 'utf8');

/** A logger that keeps its lines, to check what is said (and that no secret is). */
function recordingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

beforeAll(async () => {
  server = await startFakePriceServer();
  dir = await mkdtemp(join(tmpdir(), 'powersite-feed-'));
  await writeFile(join(dir, 'key'), `${FAKE_ERCOT_KEY}\n`);
  await writeFile(join(dir, 'token'), `${FAKE_ERCOT_TOKEN}\n`);
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function ercotFeed(clock: { now: number }, extra: Record<string, unknown> = {}) {
  const config = EnergyFeedConfig.parse({
    type: 'ercot',
    url: `${server.url}/api/public-reports`,
    settlement_point: 'HB_NORTH',
    subscription_key_file: join(dir, 'key'),
    token_file: join(dir, 'token'),
    refresh: '1s',
    timeout: '1s',
    ...extra,
  });
  const log = recordingLogger();
  return { feed: new EnergyPriceFeed(config, log.logger, () => clock.now), lines: log.lines };
}

describe('ERCOT feed', () => {
  const slot = Math.floor(Date.now() / Q) * Q;

  it('reads real-time prices with the key and token; the last settled interval stands for 30 minutes, then nothing', async () => {
    // The four quarter hours before the current one settled at 30, 31, 32 and 5000 USD/MWh.
    server.ercotRows(ERCOT_REALTIME, [30, 31, 32, 5000].map((p, k) => ercotRealtimeRow(slot - (4 - k) * Q, 'HB_NORTH', p)));
    server.ercotRows(ERCOT_DAY_AHEAD, []);
    const clock = { now: slot + 60_000 };
    const { feed } = ercotFeed(clock);
    expect(await feed.poll()).toBe(1000); // success: the next poll after `refresh`
    expect(feed.priceAt(clock.now)?.price).toBe(5000);
    expect(feed.settled().map((i) => i.price)).toEqual([30, 31, 32, 5000]);
    const [req] = server.requests(`/api/public-reports${ERCOT_REALTIME}`).slice(-1);
    expect(req!.headers['ocp-apim-subscription-key']).toBe(FAKE_ERCOT_KEY);
    expect(req!.headers.authorization).toBe(`Bearer ${FAKE_ERCOT_TOKEN}`);
    // The 5000 interval ended at `slot`: it stands until slot + 30 min (ERCOT's default hold).
    clock.now = slot + 30 * 60_000 - 1;
    expect(feed.priceAt(clock.now)?.price).toBe(5000);
    clock.now = slot + 30 * 60_000;
    expect(feed.priceAt(clock.now)).toBeNull();
  });

  it('keeps its prices through 500s, hangs, early closes, garbage and throttling, and backs off', async () => {
    server.ercotRows(ERCOT_REALTIME, [ercotRealtimeRow(slot - Q, 'HB_NORTH', 42.5)]);
    server.ercotRows(ERCOT_DAY_AHEAD, []);
    const clock = { now: slot + 1000 };
    const { feed, lines } = ercotFeed(clock);
    await feed.poll();
    expect(feed.priceAt(clock.now)?.price).toBe(42.5);
    const delays: number[] = [];
    for (const behaviour of ['error500', 'hang', 'close', 'garbage'] as const) {
      server.behave(`/api/public-reports${ERCOT_REALTIME}`, behaviour);
      delays.push(await feed.poll());
      expect(feed.priceAt(clock.now)?.price).toBe(42.5);
    }
    // Backoff doubles from min(refresh, 5 s) = 1 s: 1, 2, 4, 8 s.
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(feed.status().errors).toBe(4);
    // Throttled with Retry-After: 120 s: the next poll waits at least that long.
    server.behave(`/api/public-reports${ERCOT_REALTIME}`, 'throttle', 120);
    expect(await feed.poll()).toBeGreaterThanOrEqual(120_000);
    // Without Retry-After the doubling backoff applies; never beyond 10 minutes.
    server.behave(`/api/public-reports${ERCOT_REALTIME}`, 'throttle');
    for (let k = 0; k < 12; k++) expect(await feed.poll()).toBeLessThanOrEqual(600_000);
    expect(feed.status().throttled).toBe(13);
    expect(feed.priceAt(clock.now)?.price).toBe(42.5);
    server.behave(`/api/public-reports${ERCOT_REALTIME}`, 'ok');
    expect(await feed.poll()).toBe(1000);
    // One warning for the outage, the rest at debug, a line when it recovers; no secret in any line.
    const warnings = lines.filter((l) => l.includes('"level":40'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('HTTP 500');
    expect(lines.some((l) => l.includes('energy price feed recovered'))).toBe(true);
    expect(lines.join('\n')).not.toContain(FAKE_ERCOT_TOKEN);
    expect(lines.join('\n')).not.toContain(FAKE_ERCOT_KEY);
  }, 60_000);

  it('a wrong token is refused by the server and reported, a missing key file named', async () => {
    await writeFile(join(dir, 'bad-token'), 'expired');
    const clock = { now: slot };
    const { feed, lines } = ercotFeed(clock, { token_file: join(dir, 'bad-token') });
    await feed.poll();
    expect(feed.status().errors).toBe(2);
    expect(lines.join('\n')).toContain('ercot: HTTP 401');
    expect(lines.join('\n')).not.toContain('expired');
    const missing = ercotFeed(clock, { subscription_key_file: join(dir, 'nope') });
    // Checked at start (start-up stops naming the key and the file), and at every poll after.
    expect(() => missing.feed.checkSecrets()).toThrow(`economics.energy.feed.subscription_key_file: cannot read ${join(dir, 'nope')} (ENOENT)`);
    await writeFile(join(dir, 'empty'), '\n');
    expect(() => ercotFeed(clock, { token_file: join(dir, 'empty') }).feed.checkSecrets()).toThrow(`economics.energy.feed.token_file: ${join(dir, 'empty')} is empty`);
    await missing.feed.poll();
    expect(missing.lines.join('\n')).toContain(`economics.energy.feed.subscription_key_file: cannot read ${join(dir, 'nope')} (ENOENT)`);
  });

  it('reads Retry-After or the "Try again in N seconds" wording', () => {
    expect(retryAfterMs('30', '')).toBe(30_000);
    expect(retryAfterMs(null, '{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 12 seconds."}')).toBe(12_000);
    expect(retryAfterMs(null, '{"error_key": "throttled"}')).toBeNull();
  });
});

describe('day-ahead feeds, converted to USD', () => {
  it('ENTSO-E: EUR prices × usd_per_unit, the no-data acknowledgement keeps what is held', async () => {
    server.respond('/entsoe/api', await fixture('entsoe', 'BE-2024-10-08-A44-PT60M-A03.hass-entso-e.xml'));
    await writeFile(join(dir, 'entsoe-token'), 'entsoe-secret');
    const config = EnergyFeedConfig.parse({ type: 'entsoe', url: `${server.url}/entsoe/api`, bidding_zone: '10YBE----------2', security_token_file: join(dir, 'entsoe-token'), usd_per_unit: 1.1 });
    const clock = { now: Date.parse('2024-10-08T17:30:00Z') };
    const feed = new EnergyPriceFeed(config, recordingLogger().logger, () => clock.now);
    await feed.poll();
    // 17:00Z is position 20: 115.47 EUR/MWh × 1.1 USD/EUR.
    expect(feed.priceAt(clock.now)?.price).toBeCloseTo(127.017, 9);
    expect(feed.dayAhead()).toHaveLength(24);
    server.respond('/entsoe/api', await fixture('entsoe', 'acknowledgement-999-no-matching-data.guide-example.xml'));
    await feed.poll();
    expect(feed.status().errors).toBe(0);
    expect(feed.priceAt(clock.now)?.price).toBeCloseTo(127.017, 9);
    // After the last interval (22:00Z) nothing covers the present: no price, not 0.
    clock.now = Date.parse('2024-10-08T22:00:00Z');
    expect(feed.priceAt(clock.now)).toBeNull();
    expect(new URL(server.requests('/entsoe/api')[0]!.url, 'http://x').searchParams.get('securityToken')).toBe('entsoe-secret');
  });

  it('Nord Pool in SEK, and a currency that does not match the config is refused', async () => {
    const body = await fixture('nordpool', 'dataportal-dayahead-SE3-SE4-2024-11-05-PT60M.ha-core-fixture.json');
    server.respond('/nordpool/api/DayAheadPrices', body);
    const clock = { now: Date.parse('2024-11-05T16:30:00Z') };
    const sek = new EnergyPriceFeed(EnergyFeedConfig.parse({ type: 'nordpool', url: `${server.url}/nordpool/api`, area: 'SE4', currency: 'SEK', usd_per_unit: 0.094 }), recordingLogger().logger, () => clock.now);
    await sek.poll();
    expect(sek.priceAt(clock.now)?.price).toBeCloseTo(3533.03 * 0.094, 9);
    const eur = new EnergyPriceFeed(EnergyFeedConfig.parse({ type: 'nordpool', url: `${server.url}/nordpool/api`, area: 'SE4', usd_per_unit: 1.08 }), recordingLogger().logger, () => clock.now);
    await eur.poll();
    expect(eur.priceAt(clock.now)).toBeNull();
    expect(eur.status().errors).toBe(2);
  });

  it('json: the documented shape in USD', async () => {
    const start = Date.parse('2026-07-01T00:00:00Z');
    server.respond('/prices.json', JSON.stringify([{ start: '2026-07-01T00:00:00Z', end: '2026-07-01T01:00:00Z', price_per_mwh: 38.5 }]));
    const feed = new EnergyPriceFeed(EnergyFeedConfig.parse({ type: 'json', url: `${server.url}/prices.json` }), recordingLogger().logger, () => start + 1);
    await feed.poll();
    expect(feed.priceAt(start + 1)?.price).toBe(38.5);
  });
});

describe('every day-ahead feed survives a server that fails, hangs, closes early, throttles and sends garbage', () => {
  // One recorded answer per market, and an instant it covers with the price expected there (USD).
  const cases = [
    ['entsoe', '/dah/entsoe', async () => fixture('entsoe', 'BE-2024-10-08-A44-PT60M-A03.hass-entso-e.xml'), '2024-10-07T22:30:00Z', 64.98 * 1.1, { bidding_zone: '10YBE----------2', security_token_file: '', usd_per_unit: 1.1 }],
    ['nordpool', '/dah/nordpool/DayAheadPrices', async () => fixture('nordpool', 'dataportal-dayahead-indices-SE3-2025-10-01-PT15M.ha-core-fixture.json'), '2025-09-30T22:05:00Z', 556.68 * 0.094, { area: 'SE3', currency: 'SEK', usd_per_unit: 0.094 }],
    ['json', '/dah/json', async () => JSON.stringify([{ start: '2026-07-01T00:00:00Z', end: '2026-07-01T01:00:00Z', price_per_mwh: 38.5 }]), '2026-07-01T00:30:00Z', 38.5, {}],
  ] as const;
  it.each(cases)('%s', async (type, path, body, at, expected, keys) => {
    await writeFile(join(dir, 'entsoe-token'), 'entsoe-secret');
    server.respond(path, await body());
    const url = `${server.url}${type === 'nordpool' ? '/dah/nordpool' : path}`;
    const config = EnergyFeedConfig.parse({ type, url, timeout: '1s', refresh: '1s', ...keys, ...(type === 'entsoe' ? { security_token_file: join(dir, 'entsoe-token') } : {}) });
    const now = Date.parse(at);
    const feed = new EnergyPriceFeed(config, recordingLogger().logger, () => now);
    await feed.poll();
    expect(feed.priceAt(now)?.price).toBeCloseTo(expected, 9);
    for (const behaviour of ['error500', 'hang', 'close', 'garbage', 'throttle'] as const) {
      server.behave(path, behaviour, 1);
      expect(await feed.poll()).toBeGreaterThanOrEqual(1000);
      expect(feed.priceAt(now)?.price).toBeCloseTo(expected, 9);
    }
    expect(feed.status().errors).toBeGreaterThanOrEqual(5);
    server.behave(path, 'ok');
  }, 30_000);
});

describe('feed config', () => {
  const problems = (doc: unknown) => {
    const r = EnergyFeedConfig.safeParse(doc);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('needs a rate for other currencies, a url for json, and names a bad type', () => {
    expect(problems({ type: 'entsoe', bidding_zone: '10YBE----------2', security_token_file: '/t' })).toEqual(['usd_per_unit: prices in EUR need usd_per_unit (USD per 1 EUR) to convert them']);
    expect(problems({ type: 'json' })).toEqual(['url: a json feed needs the url of the endpoint']);
    expect(problems({ type: 'caiso' })[0]).toMatch(/expected type: ercot \| entsoe \| nordpool \| json/);
    expect(problems({ type: 'ercot', settlement_point: 'HB NORTH', subscription_key_file: '/k', token_file: '/t' })[0]).toMatch(/^settlement_point: /);
  });
  it('fills the public URL, the currency and the hold of each market', () => {
    const c = EnergyFeedConfig.parse({ type: 'ercot', settlement_point: 'HB_NORTH', subscription_key_file: '/k', token_file: '/t' });
    expect(c).toMatchObject({ url: 'https://api.ercot.com/api/public-reports', currency: 'USD', usd_per_unit: 1, hold: 1_800_000, refresh: 300_000 });
  });
});
