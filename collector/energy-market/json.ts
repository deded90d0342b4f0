/**
 * A site's own price endpoint, for PPAs, retail tariffs and anything no market module reads:
 * `[{"start": ISO 8601, "end": ISO 8601, "price_per_mwh": number}]`, in the feed's currency.
 */
import { z } from 'zod';
import type { EnergyMarket, MarketAnswer } from './market.js';
import { checkAnswer, parseJsonAnswer } from './prices.js';

const MARKET = 'json';

export const JsonPricesConfig = z.object({ type: z.literal('json') }).strict();
export type JsonPricesConfig = z.infer<typeof JsonPricesConfig>;

const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const Prices = z.array(z.object({ start: Instant, end: Instant, price_per_mwh: z.number().finite() }).refine((p) => p.end > p.start, { message: 'end must be after start', path: ['end'] }));

export function parseJsonPrices(body: string): MarketAnswer {
  const prices = checkAnswer(MARKET, Prices, parseJsonAnswer(MARKET, body), 'expected [{"start", "end", "price_per_mwh"}];');
  return { intervals: prices.map((p) => ({ start_ms: p.start, end_ms: p.end, price: p.price_per_mwh })) };
}

export const jsonPrices: EnergyMarket<JsonPricesConfig & { url: string }> = {
  defaultUrl: '',
  defaultCurrency: 'USD',
  realtime: false,
  holdMs: 0,
  requests: (config) => [{ curve: 'day_ahead', url: config.url, label: config.url }],
  parse: (body) => parseJsonPrices(body),
};
