/**
 * Nord Pool Data Portal day-ahead prices for one delivery area, in both shapes of the portal:
 * `DayAheadPrices` (`multiAreaEntries`, by area, hourly before 2025-10-01) and
 * `DayAheadPriceIndices` (`multiIndexEntries`, by index name, with `resolutionInMinutes`). Times are
 * UTC; prices are per MWh in the requested currency. A day not yet published answers 204 (empty).
 */
import { z } from 'zod';
import type { EnergyMarket, MarketAnswer } from './market.js';
import { checkAnswer, parseJsonAnswer, PriceDataError, type PriceInterval } from './prices.js';

const MARKET = 'nordpool';
export const NORDPOOL_URL = 'https://dataportal-api.nordpoolgroup.com/api';
export const NORDPOOL_TIMEZONE = 'Europe/Oslo';

export const NordpoolConfig = z
  .object({
    type: z.literal('nordpool'),
    area: z.string().regex(/^[A-Za-z0-9-]{1,16}$/, 'expected a delivery area such as SE3').describe('Delivery area or index name, e.g. SE3, NO1, DK1, FI.'),
  })
  .strict();
export type NordpoolConfig = z.infer<typeof NordpoolConfig>;

const Entry = z.object({ deliveryStart: z.string(), deliveryEnd: z.string(), entryPerArea: z.record(z.string(), z.number().finite()) });
const Answer = z.object({
  currency: z.string().optional(),
  multiAreaEntries: z.array(Entry).optional(),
  multiIndexEntries: z.array(Entry).optional(),
});

export function parseNordpool(body: string, area: string): MarketAnswer {
  if (body.trim() === '') return { intervals: [] }; // 204: the day is not published yet
  const answer = checkAnswer(MARKET, Answer, parseJsonAnswer(MARKET, body));
  const entries = answer.multiAreaEntries ?? answer.multiIndexEntries;
  if (!entries) throw new PriceDataError(MARKET, 'neither multiAreaEntries nor multiIndexEntries in the answer');
  const intervals: PriceInterval[] = [];
  for (const [i, e] of entries.entries()) {
    const start = Date.parse(e.deliveryStart);
    const end = Date.parse(e.deliveryEnd);
    if (!(end > start)) throw new PriceDataError(MARKET, `entry ${i}: bad delivery period ${e.deliveryStart}/${e.deliveryEnd}`);
    const price = e.entryPerArea[area];
    if (price === undefined) throw new PriceDataError(MARKET, `entry ${i} has no price for ${area} (areas: ${Object.keys(e.entryPerArea).join(', ')})`);
    intervals.push({ start_ms: start, end_ms: end, price });
  }
  return { intervals, currency: answer.currency };
}

export const nordpool: EnergyMarket<NordpoolConfig & { url: string; currency: string }> = {
  defaultUrl: NORDPOOL_URL,
  defaultCurrency: 'EUR',
  realtime: false,
  holdMs: 0,
  requests(config, nowMs) {
    // Today's and tomorrow's delivery days; the portal's dates are CET days (Oslo and Stockholm share the rules).
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: NORDPOOL_TIMEZONE }).format(nowMs + offset * 86_400_000);
    return [0, 1].map((offset) => {
      const u = new URL(`${config.url}/DayAheadPrices`);
      for (const [k, v] of Object.entries({ date: day(offset), market: 'DayAhead', deliveryArea: config.area, currency: config.currency })) u.searchParams.set(k, v);
      return { curve: 'day_ahead' as const, url: u.toString(), label: u.toString() };
    });
  },
  parse: (body, _request, config) => parseNordpool(body, config.area),
};
