/**
 * The energy markets a feed can read, by `economics.energy.feed.type`, and the feed config: the
 * market's own keys plus the common ones. Adding a market = one module + one line here.
 */
import { z } from 'zod';
import { Duration } from '../../common/units.js';
import { ercot, ErcotConfig } from './ercot.js';
import { entsoe, EntsoeConfig } from './entsoe.js';
import { jsonPrices, JsonPricesConfig } from './json.js';
import type { EnergyMarket } from './market.js';
import { nordpool, NordpoolConfig } from './nordpool.js';

const MARKETS = {
  ercot: { schema: ErcotConfig, market: ercot },
  entsoe: { schema: EntsoeConfig, market: entsoe },
  nordpool: { schema: NordpoolConfig, market: nordpool },
  json: { schema: JsonPricesConfig, market: jsonPrices },
} as const;
export type MarketType = keyof typeof MARKETS;
export const MARKET_TYPES = Object.keys(MARKETS) as MarketType[];

const Common = {
  /** The market API's base URL (each market has its public one); required for `json`. */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).transform((u) => u.replace(/\/+$/, '')).optional(),
  /** ISO 4217 code of the prices (the market's own by default: ERCOT USD, ENTSO-E and Nord Pool EUR, json USD). */
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as EUR').optional(),
  /** USD per unit of `currency`, to convert prices; required unless the currency is USD. */
  usd_per_unit: z.number().finite().positive().optional(),
  /** How often to poll. ERCOT allows 30 requests a minute, ENTSO-E 400. */
  refresh: Duration.prefault('5m').refine((ms) => ms >= 1000, 'must be at least 1s'),
  timeout: Duration.prefault('10s').refine((ms) => ms > 0, 'must be more than 0'),
  /** How long a real-time price stands for the present after its interval ends (ERCOT 30m; 0 for day-ahead markets). */
  hold: Duration.optional(),
};

export const EnergyFeedConfig = z
  .discriminatedUnion('type', [ErcotConfig.extend(Common), EntsoeConfig.extend(Common), NordpoolConfig.extend(Common), JsonPricesConfig.extend(Common)], {
    error: `expected type: ${MARKET_TYPES.join(' | ')}`,
  })
  .superRefine((f, ctx) => {
    if (f.type === 'json' && f.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a json feed needs the url of the endpoint' });
    const currency = f.currency ?? MARKETS[f.type].market.defaultCurrency;
    if (currency !== 'USD' && f.usd_per_unit === undefined) {
      ctx.addIssue({ code: 'custom', path: ['usd_per_unit'], message: `prices in ${currency} need usd_per_unit (USD per 1 ${currency}) to convert them` });
    }
  })
  .transform((f) => {
    const { market } = MARKETS[f.type];
    const currency = f.currency ?? market.defaultCurrency;
    return {
      ...f,
      url: f.url ?? market.defaultUrl,
      currency,
      usd_per_unit: currency === 'USD' ? 1 : f.usd_per_unit!,
      hold: f.hold ?? market.holdMs,
    };
  });
export type EnergyFeedConfig = z.infer<typeof EnergyFeedConfig>;

/** The market module that reads a feed config. */
export function marketOf(config: EnergyFeedConfig): EnergyMarket<EnergyFeedConfig> {
  return MARKETS[config.type].market as EnergyMarket<never> as EnergyMarket<EnergyFeedConfig>;
}
