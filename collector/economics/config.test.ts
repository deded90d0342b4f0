import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateConfig } from '../../common/config-file.js';
import { EconomicsConfig } from './config.js';

const parse = (doc: unknown) => EconomicsConfig.parse(doc);

function problems(doc: unknown): string[] {
  const r = EconomicsConfig.safeParse(doc);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('economics config', () => {
  it('runs on defaults: $45/MWh flat, DESIGN.md example market, 2 % pool fee, reserved GPUs at $2.00', () => {
    expect(parse({})).toEqual({
      energy: { price_usd_per_mwh: 45, feed: null, adders_usd_per_mwh: {}, sell_back: false },
      curtailment: { after_intervals: 2, resume_after_intervals: 4 },
      bitcoin: {
        pool_fee: 0.02,
        feed: null,
        values: { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03 },
        defaulted: ['btc_usd', 'difficulty', 'height', 'fees_btc_per_block'],
      },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2 } },
      // No overhead unless configured: a made-up one would hide the gap.
      overhead: { unaccounted_alert_watts: 5000 },
    });
  });

  it('reads economics.overhead and refuses a PUE below 1', () => {
    expect(parse({ overhead: { pue: 1.2, watts_per_gpu_server: 2000 } }).overhead).toEqual({ pue: 1.2, watts_per_gpu_server: 2000, unaccounted_alert_watts: 5000 });
    expect(EconomicsConfig.safeParse({ overhead: { pue: 0.9 } }).error?.issues[0]?.path).toEqual(['overhead', 'pue']);
  });

  it('takes DESIGN.md collector.yaml example as written', () => {
    const c = parse({
      energy: { price_usd_per_mwh: 45 },
      bitcoin: { btc_usd: 95000, difficulty: 1.1e14, height: 920000, fees_btc_per_block: 0.03, pool_fee: 0.02 },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    });
    expect(c.bitcoin.defaulted).toEqual([]);
    expect(c.hpc.price_usd_per_gpu_hour).toEqual({ default: 2, H100: 2.1 });
  });

  it('reads a time-of-use schedule; days default to every day', () => {
    const c = parse({
      energy: {
        timezone: 'America/Chicago',
        default_usd_per_mwh: 45,
        periods: [
          { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '14:00', to: '19:00', usd_per_mwh: 120 },
          { from: '00:00', to: '06:00', usd_per_mwh: -5 },
        ],
      },
    });
    expect(c.energy).toEqual({
      feed: null,
      adders_usd_per_mwh: {},
      sell_back: false,
      timezone: 'America/Chicago',
      default_usd_per_mwh: 45,
      periods: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '14:00', to: '19:00', usd_per_mwh: 120 },
        { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '06:00', usd_per_mwh: -5 },
      ],
    });
  });

  it('explains a bad schedule', () => {
    expect(problems({ energy: { timezone: 'Texas', default_usd_per_mwh: 45 } })).toEqual(['energy.timezone: expected an IANA time zone such as "America/Chicago"']);
    expect(problems({ energy: { timezone: 'UTC' } })).toEqual([
      'energy: a time-of-use schedule needs timezone and default_usd_per_mwh (the price outside every period)',
    ]);
    expect(problems({ energy: { price_usd_per_mwh: 40, timezone: 'UTC', default_usd_per_mwh: 45 } })[0]).toMatch(/not both/);
    expect(problems({ energy: { timezone: 'UTC', default_usd_per_mwh: 45, periods: [{ from: '22:00', to: '06:00', usd_per_mwh: 1 }] } })).toEqual([
      'energy.periods.0.to: "to" must be later than "from"; write a period over midnight as two (e.g. 22:00-24:00 and 00:00-06:00)',
    ]);
    expect(problems({ energy: { timezone: 'UTC', default_usd_per_mwh: 45, periods: [{ from: '7:00', to: '08:00', usd_per_mwh: 1 }] } })).toEqual([
      'energy.periods.0.from: expected a local time "HH:MM" between 00:00 and 24:00',
    ]);
    expect(problems({ energy: { timezone: 'UTC', default_usd_per_mwh: 45, periods: [{ days: ['monday'], from: '07:00', to: '08:00', usd_per_mwh: 1 }] } })[0]).toMatch(
      /^energy\.periods\.0\.days\.0: .*"mon"/,
    );
  });

  it('reads a feed with duration defaults of 60s / 10s / 15m, and strips a trailing slash', () => {
    const c = parse({ bitcoin: { feed: { url: 'http://127.0.0.1:8999/' }, pool_fee: 0.015 } });
    expect(c.bitcoin).toMatchObject({ pool_fee: 0.015, feed: { url: 'http://127.0.0.1:8999', interval: 60_000, timeout: 10_000, stale_after: 900_000 }, defaulted: [] });
    expect(parse({ bitcoin: { feed: { url: 'https://mempool.space', interval: '5m', timeout: '3s', stale_after: '1h' } } }).bitcoin.feed).toEqual({
      url: 'https://mempool.space',
      interval: 300_000,
      timeout: 3_000,
      stale_after: 3_600_000,
    });
  });

  it('refuses a feed mixed with static values, and a non-http URL', () => {
    expect(problems({ bitcoin: { feed: { url: 'https://mempool.space' }, btc_usd: 90000 } })).toEqual([
      'bitcoin: set either feed or static market values, not both (remove btc_usd)',
    ]);
    expect(problems({ bitcoin: { feed: { url: 'ftp://example.com' } } })).toEqual(['bitcoin.feed.url: expected an http(s) URL such as https://mempool.space']);
    expect(problems({ bitcoin: { pool_fee: 2 } })[0]).toMatch(/^bitcoin\.pool_fee: /);
    expect(problems({ bitcoin: { difficulty: 0 } })[0]).toMatch(/^bitcoin\.difficulty: /);
  });

  it('colocation needs its price and capacity; a price map needs a default', () => {
    expect(parse({ hpc: { billing: 'colocation', usd_per_kw_month: 130, contracted_kw: 5000 } }).hpc).toMatchObject({
      billing: 'colocation',
      usd_per_kw_month: 130,
      contracted_kw: 5000,
    });
    expect(problems({ hpc: { billing: 'colocation' } })).toEqual(['hpc.usd_per_kw_month: colocation billing needs usd_per_kw_month', 'hpc.contracted_kw: colocation billing needs contracted_kw']);
    expect(problems({ hpc: { price_usd_per_gpu_hour: { H100: 2.1 } } })).toEqual(['hpc.price_usd_per_gpu_hour: add a "default" price for GPUs that no other key matches']);
    expect(problems({ hpc: { billing: 'spot' } })[0]).toMatch(/^hpc\.billing: /);
    expect(problems({ hpc: { unknown: 1 } })[0]).toMatch(/unknown/);
  });

  it('works with the shared loader: env overrides and key paths in errors', () => {
    const Collector = z.object({ economics: EconomicsConfig.prefault({}) });
    const c = validateConfig(Collector, {}, 'collector.yaml', {
      env: { POWERSITE_ECONOMICS_ENERGY_PRICE_USD_PER_MWH: '38.5', POWERSITE_ECONOMICS_BITCOIN_BTC_USD: '101000' },
    });
    expect(c.economics.energy).toMatchObject({ price_usd_per_mwh: 38.5, feed: null });
    expect(c.economics.bitcoin.values.btc_usd).toBe(101_000);
    expect(c.economics.bitcoin.defaulted).toEqual(['difficulty', 'height', 'fees_btc_per_block']);
    expect(() => validateConfig(Collector, { economics: { hpc: { billing: 'colocation', contracted_kw: 10 } } }, 'collector.yaml')).toThrow(
      /collector\.yaml[\s\S]*economics\.hpc\.usd_per_kw_month: colocation billing needs usd_per_kw_month/,
    );
  });
});
