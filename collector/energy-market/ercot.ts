/**
 * ERCOT Public API (https://api.ercot.com/api/public-reports): real-time 15-minute settlement point
 * prices (NP6-905-CD `spp_node_zone_hub`) for the price now and day-ahead hourly prices (NP4-190-CD
 * `dam_stlmnt_pnt_prices`) for the forward view, for one settlement point. Answers carry positional
 * `data` rows whose columns `fields` names; delivery times are Central (prevailing) time, hour
 * *ending*, with `DSTFlag` true on the second, repeated hour of the fall-back night. Requests carry
 * the subscription key and the id token, read from files at every poll so a refreshed token is used.
 */
import { z } from 'zod';
import { localDate, localToUtc } from './local-time.js';
import type { EnergyMarket, MarketAnswer, MarketRequest } from './market.js';
import { checkAnswer, parseJsonAnswer, PriceDataError, type PriceInterval } from './prices.js';

const MARKET = 'ercot';
export const ERCOT_TIMEZONE = 'America/Chicago';
export const ERCOT_URL = 'https://api.ercot.com/api/public-reports';
export const ERCOT_REALTIME = '/np6-905-cd/spp_node_zone_hub';
export const ERCOT_DAY_AHEAD = '/np4-190-cd/dam_stlmnt_pnt_prices';
/** Rows of one query page: two days of one settlement point are 192 real-time rows. */
const PAGE_SIZE = 1000;
/** Pages followed in one poll; more means the filters are wrong. */
export const MAX_PAGES = 5;

export const ErcotConfig = z
  .object({
    type: z.literal('ercot'),
    settlement_point: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'expected an ERCOT settlement point name such as HB_NORTH').describe('e.g. HB_NORTH, LZ_HOUSTON, or a resource node.'),
    subscription_key_file: z.string().min(1).describe('Files holding the API subscription key (Ocp-Apim-Subscription-Key) and a current id token (Bearer).'),
    token_file: z.string().min(1),
  })
  .strict();
export type ErcotConfig = z.infer<typeof ErcotConfig>;

const Report = z.object({
  _meta: z.object({ totalPages: z.number().int().nonnegative().optional(), currentPage: z.number().int().positive().optional() }).passthrough().optional(),
  fields: z.array(z.object({ name: z.string() }).passthrough()).min(1),
  data: z.array(z.array(z.unknown())),
});

/** The rows of a report as objects keyed by `fields[].name` (the columns' order is the fields' order). */
export function ercotRows(body: string): { rows: Record<string, unknown>[]; page: number; pages: number } {
  const report = checkAnswer(MARKET, Report, parseJsonAnswer(MARKET, body), 'unexpected report shape');
  const names = report.fields.map((f) => f.name);
  const rows = report.data.map((row, i) => {
    if (row.length !== names.length) throw new PriceDataError(MARKET, `row ${i} has ${row.length} values for ${names.length} fields`);
    return Object.fromEntries(names.map((n, j) => [n, row[j]]));
  });
  return { rows, page: report._meta?.currentPage ?? 1, pages: report._meta?.totalPages ?? 1 };
}

const RealtimeRow = z.object({
  deliveryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  deliveryHour: z.number().int().min(1).max(24),
  deliveryInterval: z.number().int().min(1).max(4),
  settlementPoint: z.string(),
  settlementPointPrice: z.number().finite(),
  DSTFlag: z.boolean().default(false),
});

const DayAheadRow = z.object({
  deliveryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  hourEnding: z.string().regex(/^(0[1-9]|1\d|2[0-4]):00$/),
  settlementPoint: z.string(),
  settlementPointPrice: z.number().finite(),
  DSTFlag: z.boolean().default(false),
});

/**
 * The UTC start of a Central-time delivery slot `minutes` after local midnight. In the repeated
 * fall-back hour the DST flag picks the second (standard-time) occurrence; a slot in the
 * spring-forward gap does not exist.
 */
export function centralStart(date: string, minutes: number, dstFlag: boolean): number {
  const candidates = localToUtc(ERCOT_TIMEZONE, date, minutes);
  if (candidates.length === 0) throw new PriceDataError(MARKET, `${date} ${clock(minutes)} Central does not exist (the spring-forward hour)`);
  if (dstFlag && candidates.length < 2) throw new PriceDataError(MARKET, `${date} ${clock(minutes)} Central is flagged as the repeated hour but is not repeated`);
  return dstFlag ? candidates[1]! : candidates[0]!;
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function rowError(kind: string, i: number, error: z.ZodError): PriceDataError {
  const issue = error.issues[0]!;
  return new PriceDataError(MARKET, `${kind} row ${i}: ${issue.path.join('.')}: ${issue.message}`);
}

/** Real-time rows of one settlement point as 15-minute intervals (hour ending H, interval q = local (H−1):00 + 15·(q−1)). */
export function ercotRealtimePrices(rows: readonly Record<string, unknown>[], settlementPoint: string): PriceInterval[] {
  const out: PriceInterval[] = [];
  rows.forEach((raw, i) => {
    const r = RealtimeRow.safeParse(raw);
    if (!r.success) throw rowError('real-time', i, r.error);
    if (r.data.settlementPoint !== settlementPoint) return;
    const start = centralStart(r.data.deliveryDate, (r.data.deliveryHour - 1) * 60 + (r.data.deliveryInterval - 1) * 15, r.data.DSTFlag);
    out.push({ start_ms: start, end_ms: start + 15 * 60_000, price: r.data.settlementPointPrice });
  });
  return out;
}

/** Day-ahead rows of one settlement point as hourly intervals ("HH:00" is the hour ending). */
export function ercotDayAheadPrices(rows: readonly Record<string, unknown>[], settlementPoint: string): PriceInterval[] {
  const out: PriceInterval[] = [];
  rows.forEach((raw, i) => {
    const r = DayAheadRow.safeParse(raw);
    if (!r.success) throw rowError('day-ahead', i, r.error);
    if (r.data.settlementPoint !== settlementPoint) return;
    const start = centralStart(r.data.deliveryDate, (Number(r.data.hourEnding.slice(0, 2)) - 1) * 60, r.data.DSTFlag);
    out.push({ start_ms: start, end_ms: start + 3_600_000, price: r.data.settlementPointPrice });
  });
  return out;
}

function query(base: string, path: string, params: Record<string, string | number>): string {
  const u = new URL(base + path);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.toString();
}

export const ercot: EnergyMarket<ErcotConfig & { url: string }> = {
  defaultUrl: ERCOT_URL,
  defaultCurrency: 'USD',
  // Real-time prices appear a few minutes after their 15-minute interval settles.
  realtime: true,
  holdMs: 30 * 60_000,
  requests(config, nowMs, secret) {
    const headers = {
      'Ocp-Apim-Subscription-Key': secret('subscription_key_file', config.subscription_key_file),
      Authorization: `Bearer ${secret('token_file', config.token_file)}`,
    };
    const today = localDate(ERCOT_TIMEZONE, nowMs);
    const yesterday = localDate(ERCOT_TIMEZONE, nowMs - 86_400_000);
    const tomorrow = localDate(ERCOT_TIMEZONE, nowMs + 86_400_000);
    const request = (curve: MarketRequest['curve'], path: string, from: string, to: string): MarketRequest => {
      const url = query(config.url, path, { settlementPoint: config.settlement_point, deliveryDateFrom: from, deliveryDateTo: to, size: PAGE_SIZE, page: 1 });
      return { curve, url, headers, label: url };
    };
    return [request('realtime', ERCOT_REALTIME, yesterday, today), request('day_ahead', ERCOT_DAY_AHEAD, today, tomorrow)];
  },
  parse(body, request, config): MarketAnswer {
    const { rows, page, pages } = ercotRows(body);
    const intervals = request.curve === 'realtime' ? ercotRealtimePrices(rows, config.settlement_point) : ercotDayAheadPrices(rows, config.settlement_point);
    let next: MarketRequest | undefined;
    if (page < pages && page < MAX_PAGES) {
      const u = new URL(request.url);
      u.searchParams.set('page', String(page + 1));
      next = { ...request, url: u.toString(), label: u.toString() };
    }
    return { intervals, next };
  },
};
