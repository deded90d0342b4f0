/**
 * A site's own price endpoint, for PPAs, retail tariffs and anything no market module reads:
 * `[{"start": ISO 8601, "end": ISO 8601, "price_per_mwh": number}]`, in the feed's currency.
 */
import { z } from 'zod';
import type { EnergyMarket, MarketAnswer } from './market.js';
import { PriceDataError } from './prices.js';

const MARKET = 'json';

export const JsonPricesConfig = z.object({ type: z.literal('json') }).strict();
export type JsonPricesConfig = z.infer<typeof JsonPricesConfig>;

const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const Prices = z.array(z.object({ start: Instant, end: Instant, price_per_mwh: z.number().finite() }).refine((p) => p.end > p.start, { message: 'end must be after start', path: ['end'] }));

export function parseJsonPrices(body: string): MarketAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PriceDataError(MARKET, `answer is not JSON; it starts ${JSON.stringify(body.slice(0, 60))}`);
  }
  const r = Prices.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new PriceDataError(MARKET, `expected [{"start", "end", "price_per_mwh"}]; at ${issue.path.join('.') || 'the body'}: ${issue.message}`);
  }
  return { intervals: r.data.map((p) => ({ start_ms: p.start, end_ms: p.end, price: p.price_per_mwh })) };
}

export const jsonPrices: EnergyMarket<JsonPricesConfig & { url: string }> = {
  defaultUrl: '',
  defaultCurrency: 'USD',
  realtime: false,
  holdMs: 0,
  requests: (config) => [{ curve: 'day_ahead', url: config.url, label: config.url }],
  parse: (body) => parseJsonPrices(body),
};
