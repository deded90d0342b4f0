/**
 * ENTSO-E Transparency Platform day-ahead prices (document A44) for one bidding zone. A document may
 * hold several TimeSeries for the same hours at different resolutions (hourly and 15-minute): the
 * finest covering an instant wins, since it is the one that settles. Under curve type A03 a missing
 * position holds the price of the position before it. "No matching data" comes back as an
 * Acknowledgement document with HTTP 200: no prices, not an error. Times are UTC.
 */
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { EnergyMarket, MarketAnswer } from './market.js';
import { PriceDataError, type PriceInterval } from './prices.js';

const MARKET = 'entsoe';
export const ENTSOE_URL = 'https://web-api.tp.entsoe.eu/api';
/** The acknowledgement reason code for "No matching data found". */
const NO_DATA_REASON = '999';

export const EntsoeConfig = z
  .object({
    type: z.literal('entsoe'),
    bidding_zone: z.string().regex(/^[0-9A-Z-]{16}$/, 'expected a 16-character EIC code such as 10Y1001A1001A82H').describe('EIC code of the bidding zone, e.g. 10Y1001A1001A82H (DE-LU), 10YBE----------2 (BE).'),
    security_token_file: z.string().min(1).describe('File holding the Transparency Platform security token.'),
  })
  .strict();
export type EntsoeConfig = z.infer<typeof EntsoeConfig>;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['TimeSeries', 'Period', 'Point', 'Reason'].includes(name),
});

const Point = z.object({ position: z.coerce.number().int().positive(), 'price.amount': z.coerce.number().finite() });
const Period = z.object({
  timeInterval: z.object({ start: z.string(), end: z.string() }),
  resolution: z.string(),
  Point: z.array(Point).min(1),
});
const TimeSeries = z.object({
  'currency_Unit.name': z.string().optional(),
  'price_Measure_Unit.name': z.string().optional(),
  curveType: z.string().default('A01'),
  Period: z.array(Period).min(1),
});
const Publication = z.object({ TimeSeries: z.array(TimeSeries).default([]) });
const Acknowledgement = z.object({ Reason: z.array(z.object({ code: z.string(), text: z.string().optional() })).min(1) });

/** ISO 8601 minutes-only UTC times ("2024-10-07T22:00Z") as ms. */
function utc(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new PriceDataError(MARKET, `bad time ${JSON.stringify(text)}`);
  return ms;
}

/** PT15M, PT30M, PT60M, PT1H as ms. */
export function resolutionMs(text: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(text);
  const ms = m ? (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000 : 0;
  if (!(ms > 0)) throw new PriceDataError(MARKET, `unsupported resolution ${JSON.stringify(text)}`);
  return ms;
}

function shapeError(where: string, error: z.ZodError): PriceDataError {
  const issue = error.issues[0]!;
  return new PriceDataError(MARKET, `unexpected ${where} at ${issue.path.join('.') || 'its root'}: ${issue.message}`);
}

/** Every position of one Period: given prices, and under A03 (and A01, which should have none) gaps holding the previous price. */
function periodPrices(period: z.infer<typeof Period>): { resolution: number; intervals: PriceInterval[] } {
  const start = utc(period.timeInterval.start);
  const end = utc(period.timeInterval.end);
  const resolution = resolutionMs(period.resolution);
  const slots = Math.round((end - start) / resolution);
  if (!(slots > 0) || start + slots * resolution !== end) throw new PriceDataError(MARKET, `period ${period.timeInterval.start}/${period.timeInterval.end} is not a whole number of ${period.resolution}`);
  const byPosition = new Map(period.Point.map((p) => [p.position, p['price.amount']]));
  if (!byPosition.has(1)) throw new PriceDataError(MARKET, `period starting ${period.timeInterval.start} has no position 1`);
  const intervals: PriceInterval[] = [];
  let price = byPosition.get(1)!;
  for (let position = 1; position <= slots; position++) {
    price = byPosition.get(position) ?? price;
    const s = start + (position - 1) * resolution;
    intervals.push({ start_ms: s, end_ms: s + resolution, price });
  }
  return { resolution, intervals };
}

/** Parses an A44 document (or an acknowledgement) into intervals, the finest resolution winning where series overlap. */
export function parseEntsoe(body: string): MarketAnswer {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body, true) as Record<string, unknown>;
  } catch (err) {
    throw new PriceDataError(MARKET, `answer is not XML (${String((err as Error).message ?? err).split('\n')[0]}); it starts ${JSON.stringify(body.slice(0, 60))}`);
  }
  if (doc.Acknowledgement_MarketDocument !== undefined) {
    const ack = Acknowledgement.safeParse(doc.Acknowledgement_MarketDocument);
    if (!ack.success) throw shapeError('acknowledgement', ack.error);
    const reason = ack.data.Reason[0]!;
    if (reason.code === NO_DATA_REASON) return { intervals: [] };
    throw new PriceDataError(MARKET, `request refused: reason ${reason.code} ${reason.text ?? ''}`.trim());
  }
  if (doc.Publication_MarketDocument === undefined) {
    throw new PriceDataError(MARKET, `expected a Publication_MarketDocument, got ${Object.keys(doc).filter((k) => k !== '?xml').join(', ') || 'nothing'}`);
  }
  const publication = Publication.safeParse(doc.Publication_MarketDocument);
  if (!publication.success) throw shapeError('document', publication.error);
  const currencies = new Set<string>();
  const periods: { resolution: number; intervals: PriceInterval[] }[] = [];
  for (const series of publication.data.TimeSeries) {
    if (series['price_Measure_Unit.name'] !== undefined && series['price_Measure_Unit.name'] !== 'MWH') {
      throw new PriceDataError(MARKET, `prices per ${series['price_Measure_Unit.name']}, expected per MWH`);
    }
    if (series['currency_Unit.name'] !== undefined) currencies.add(series['currency_Unit.name']);
    for (const period of series.Period) periods.push(periodPrices(period));
  }
  if (currencies.size > 1) throw new PriceDataError(MARKET, `mixed currencies ${[...currencies].join(', ')}`);
  // Finest first: an interval is kept unless a finer (or earlier, equally fine) one already covers part of it.
  periods.sort((a, b) => a.resolution - b.resolution);
  const kept: PriceInterval[] = [];
  for (const { intervals } of periods) {
    for (const i of intervals) if (!kept.some((k) => k.start_ms < i.end_ms && i.start_ms < k.end_ms)) kept.push(i);
  }
  kept.sort((a, b) => a.start_ms - b.start_ms);
  return { intervals: kept, currency: [...currencies][0] };
}

/** yyyyMMddHHmm in UTC, as the API takes periodStart/periodEnd. */
function apiTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

export const entsoe: EnergyMarket<EntsoeConfig & { url: string }> = {
  defaultUrl: ENTSOE_URL,
  defaultCurrency: 'EUR',
  realtime: false,
  holdMs: 0,
  requests(config, nowMs, secret) {
    const token = secret('security_token_file', config.security_token_file);
    const day = 86_400_000;
    const from = Math.floor(nowMs / day) * day - day;
    const u = new URL(config.url);
    const params = { documentType: 'A44', in_Domain: config.bidding_zone, out_Domain: config.bidding_zone, periodStart: apiTime(from), periodEnd: apiTime(from + 3 * day) };
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const label = u.toString();
    u.searchParams.set('securityToken', token);
    return [{ curve: 'day_ahead', url: u.toString(), label }];
  },
  parse: (body) => parseEntsoe(body),
};
