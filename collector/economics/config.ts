/**
 * collector.yaml `economics:` section. Every key has a default so the collector runs without one;
 * the defaults are listed in docs/economics.md. Market defaults are illustrative late-2025
 * values, and `bitcoin.defaulted` names the ones in use so the collector can warn about them.
 */
import { z } from 'zod';
import { Duration } from '../../common/units.js';
import { EnergyFeedConfig } from '../energy-market/registry.js';
import { clockMinutes, isTimeZone, WEEKDAYS, type EnergyPricing } from './energy.js';
import type { GpuPrices } from './hpc.js';

const usd = z.number().finite();
const nonNegative = z.number().finite().nonnegative();
const positive = z.number().finite().positive();

export const DEFAULT_ENERGY_USD_PER_MWH = 45;
export const DEFAULT_GPU_USD_PER_HOUR = 2.0;
export const DEFAULT_POOL_FEE = 0.02;
/** A dead 5 kW PDU or an unlisted rack shows; meter and PDU tolerances (~1-2 %) of a small site do not. */
export const DEFAULT_UNACCOUNTED_ALERT_W = 5000;
/** An illustrative example market (late 2025): set real values or a feed. */
export const DEFAULT_MARKET = { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03 } as const;
export const MARKET_VALUE_KEYS = Object.keys(DEFAULT_MARKET) as (keyof typeof DEFAULT_MARKET)[];
const MARKET_KEYS = MARKET_VALUE_KEYS;

const Clock = z.string().refine((s) => clockMinutes(s) !== null, 'expected a local time "HH:MM" between 00:00 and 24:00');

const Period = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]),
    from: Clock,
    to: Clock,
    usd_per_mwh: usd,
  })
  .strict()
  .refine((p) => clockMinutes(p.from)! < clockMinutes(p.to)!, {
    message: '"to" must be later than "from"; write a period over midnight as two (e.g. 22:00-24:00 and 00:00-06:00)',
    path: ['to'],
  });

/**
 * Flat (`price_usd_per_mwh`) or time of use (`timezone`, `default_usd_per_mwh`, `periods`). Prices
 * may be negative, as spot prices are. With a `feed` the market price is the price and the fixed
 * price or schedule is the fallback while the feed has no price for the present; with `sell_back`
 * the fixed price is a PPA the site pays and the feed the spot price it could sell at instead.
 * `adders_usd_per_mwh` (transmission, distribution, retail, ...) are added to every price paid.
 */
export const EnergyConfig = z
  .object({
    price_usd_per_mwh: usd.optional().describe(`Flat energy price in USD/MWh (may be negative); default ${DEFAULT_ENERGY_USD_PER_MWH} when no schedule is given.`),
    timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as "America/Chicago"').optional().describe('Time of use: the IANA time zone the periods are written in, e.g. America/Chicago.'),
    default_usd_per_mwh: usd.optional().describe('Time of use: USD/MWh outside every period.'),
    periods: z.array(Period).optional().describe('Time of use: { days, from: "HH:MM", to: "HH:MM", usd_per_mwh } in local time; the first that matches wins.'),
    feed: EnergyFeedConfig.optional().describe('A market price feed (ERCOT, ENTSO-E, Nord Pool or JSON); the fixed price or schedule is the fallback while it has no price.'),
    adders_usd_per_mwh: z.record(z.string().regex(/^[a-z0-9_]{1,32}$/, 'adder names are 1-32 of a-z 0-9 _'), usd).default({}).describe('Named USD/MWh charges added to every price paid (transmission, distribution, retail...).'),
    sell_back: z.boolean().default(false).describe('The fixed price is a PPA the site pays and the feed the spot price it could sell at instead (opportunity cost).'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const tou = e.timezone !== undefined || e.default_usd_per_mwh !== undefined || e.periods !== undefined;
    if (tou && e.price_usd_per_mwh !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'set either price_usd_per_mwh (a flat price) or a time-of-use schedule (timezone, default_usd_per_mwh, periods), not both' });
    } else if (tou && (e.timezone === undefined || e.default_usd_per_mwh === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a time-of-use schedule needs timezone and default_usd_per_mwh (the price outside every period)' });
    }
    if (e.sell_back && e.feed === undefined) ctx.addIssue({ code: 'custom', path: ['sell_back'], message: 'sell_back needs a feed: the spot price the site could sell its power at' });
    if (e.sell_back && !tou && e.price_usd_per_mwh === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sell_back'], message: 'sell_back needs the PPA price the site pays: price_usd_per_mwh or a time-of-use schedule' });
    }
  })
  .transform((e): EnergyConfig => {
    const fixed: EnergyPricing =
      e.timezone !== undefined
        ? { timezone: e.timezone, default_usd_per_mwh: e.default_usd_per_mwh!, periods: e.periods ?? [] }
        : { price_usd_per_mwh: e.price_usd_per_mwh ?? DEFAULT_ENERGY_USD_PER_MWH };
    return { ...fixed, feed: e.feed ?? null, adders_usd_per_mwh: e.adders_usd_per_mwh, sell_back: e.sell_back };
  });
export type EnergyConfig = EnergyPricing & { feed: EnergyFeedConfig | null; adders_usd_per_mwh: Record<string, number>; sell_back: boolean };

export const MarketFeedConfig = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://mempool.space' }).transform((u) => u.replace(/\/+$/, '')).describe('Base URL of a mempool-style API, e.g. https://mempool.space or http://127.0.0.1:8999 for a self-hosted backend.'),
    interval: Duration.prefault('60s').refine((ms) => ms >= 1000, 'must be at least 1s').describe('How often the feed is asked for price, difficulty, height and fees.'),
    timeout: Duration.prefault('10s').refine((ms) => ms > 0, 'must be more than 0').describe('Per request to the feed.'),
    stale_after: Duration.prefault('15m').describe('Market data older than this is flagged stale (metric and alert); the last values stay in use.'),
  })
  .strict();
export type MarketFeedConfig = z.infer<typeof MarketFeedConfig>;

export interface StaticMarketValues {
  btc_usd: number;
  difficulty: number;
  height: number;
  fees_btc_per_block: number;
}

/** Static market values, or a `feed`; `pool_fee` (a ratio) applies to both. */
export const BitcoinConfig = z
  .object({
    btc_usd: positive.optional().describe(`Static BTC price in USD (without a feed); default ${DEFAULT_MARKET.btc_usd}, illustrative.`),
    difficulty: positive.optional().describe(`Static network difficulty (without a feed); default ${DEFAULT_MARKET.difficulty}, illustrative.`),
    height: z.number().int().nonnegative().optional().describe(`Static block height, for the subsidy and the halving countdown (without a feed); default ${DEFAULT_MARKET.height}.`),
    fees_btc_per_block: nonNegative.optional().describe(`Static transaction fees per block in BTC (without a feed); default ${DEFAULT_MARKET.fees_btc_per_block}.`),
    pool_fee: z.number().min(0).max(1).default(DEFAULT_POOL_FEE).describe('Mining pool fee as a ratio (0.02 = 2 %), taken off mining revenue.'),
    feed: MarketFeedConfig.optional().describe('Live market data from a mempool-style API instead of the static values.'),
  })
  .strict()
  .superRefine((b, ctx) => {
    const given = MARKET_KEYS.filter((k) => b[k] !== undefined);
    if (b.feed && given.length > 0) {
      ctx.addIssue({ code: 'custom', message: `set either feed or static market values, not both (remove ${given.join(', ')})` });
    }
  })
  .transform((b) => {
    const values = { ...DEFAULT_MARKET, ...Object.fromEntries(MARKET_KEYS.filter((k) => b[k] !== undefined).map((k) => [k, b[k]])) } as StaticMarketValues;
    return {
      pool_fee: b.pool_fee,
      feed: b.feed ?? null,
      values,
      /** Static market keys that fell back to DEFAULT_MARKET (empty with a feed). */
      defaulted: b.feed ? [] : MARKET_KEYS.filter((k) => b[k] === undefined),
    };
  });
export type BitcoinConfig = z.infer<typeof BitcoinConfig>;

const GpuPriceMap = z
  .record(z.string().min(1), nonNegative)
  .refine((m) => m.default !== undefined, 'add a "default" price for GPUs that no other key matches')
  .transform((m) => m as GpuPrices);

export const HpcConfig = z
  .object({
    billing: z.enum(['reserved', 'utilization', 'colocation']).default('reserved').describe('reserved: every GPU-hour is billed; utilization: only the used share; colocation: power is sold at usd_per_kw_month.'),
    price_usd_per_gpu_hour: GpuPriceMap.prefault({ default: DEFAULT_GPU_USD_PER_HOUR }).describe('USD per GPU-hour; a key matches a GPU whose model name contains it (longest key wins).'),
    usd_per_kw_month: nonNegative.optional().describe('Colocation: USD per contracted kW per month.'),
    contracted_kw: positive.optional().describe('Colocation: the kW the customer pays for, used or not.'),
  })
  .strict()
  .superRefine((h, ctx) => {
    if (h.billing !== 'colocation') return;
    for (const key of ['usd_per_kw_month', 'contracted_kw'] as const) {
      if (h[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `colocation billing needs ${key}` });
    }
  });
export type HpcConfig = z.infer<typeof HpcConfig>;

/**
 * What no meter shows, added to what nothing measures (collector/economics/billed-power.ts). None
 * unless configured: a made-up overhead would be worse than a visible gap.
 */
export const OverheadConfig = z
  .object({
    pue: z.number().finite().min(1).max(3).optional().describe('Site power / IT power, for the cooling and losses of a site without a site meter (e.g. 1.1 air, 1.05 immersion).'),
    watts_per_gpu_server: nonNegative.optional().describe('What a GPU server draws beyond its GPU boards (CPUs, memory, fans, NICs), when no BMC or PDU measures it.'),
    unaccounted_alert_watts: nonNegative.default(DEFAULT_UNACCOUNTED_ALERT_W).describe('The `powersite_site_unaccounted_power_watts` alert fires above this (site meter − IT × PUE).'),
  })
  .strict();
export type OverheadConfig = z.infer<typeof OverheadConfig>;

/** Curtailment advice with hysteresis, counted in the feed's settled price intervals. */
export const CurtailmentConfig = z
  .object({
    after_intervals: z.number().int().min(1).default(2).describe('Advise curtailing after this many consecutive intervals priced above the breakeven...'),
    resume_after_intervals: z.number().int().min(1).default(4).describe('...and resuming after this many consecutive intervals below it.'),
    hard_cap_usd_per_mwh: usd.optional().describe('Above this energy price, advise curtailing at once.'),
  })
  .strict();
export type CurtailmentConfig = z.infer<typeof CurtailmentConfig>;

export const EconomicsConfig = z
  .object({
    overhead: OverheadConfig.prefault({}),
    energy: EnergyConfig.prefault({}),
    bitcoin: BitcoinConfig.prefault({}),
    hpc: HpcConfig.prefault({}),
    curtailment: CurtailmentConfig.prefault({}),
  })
  .strict();
export type EconomicsConfig = z.infer<typeof EconomicsConfig>;

/** What a site may set for itself under `sites.<site>.economics`; each section given replaces the default one whole. */
export const SiteEconomicsConfig = z
  .object({
    overhead: OverheadConfig.optional(),
    energy: EnergyConfig.optional(),
    hpc: HpcConfig.optional(),
    curtailment: CurtailmentConfig.optional(),
  })
  .strict();
export type SiteEconomicsConfig = z.infer<typeof SiteEconomicsConfig>;

/** A site's economics: its own sections where it has them, the defaults elsewhere (the market is shared). */
export function siteEconomics(defaults: EconomicsConfig, own: SiteEconomicsConfig | undefined): EconomicsConfig {
  return own ? { ...defaults, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) } : defaults;
}
