import type { z } from 'zod';

/**
 * A price curve: intervals [start, end) with a price per MWh, as every market publishes them
 * (15-minute or hourly). Pure: merging fresh prices into the held ones, and the price at an instant.
 */

export interface PriceInterval {
  start_ms: number;
  end_ms: number;
  /** Per MWh, in the currency of the feed that published it (converted to USD by the feed). */
  price: number;
}

/** An error in a market's answer: names the market and what was wrong, never a secret. */
export class PriceDataError extends Error {
  constructor(market: string, detail: string) {
    super(`${market}: ${detail}`);
    this.name = 'PriceDataError';
  }
}

/** A JSON answer, or a PriceDataError that shows how the body starts (an HTML error page, say). */
export function parseJsonAnswer(market: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new PriceDataError(market, `answer is not JSON; it starts ${JSON.stringify(body.slice(0, 60))}`);
  }
}

/** Checks an answer against its schema; the error names the first place that does not fit. */
export function checkAnswer<S extends z.ZodType>(market: string, schema: S, value: unknown, what = 'unexpected shape'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new PriceDataError(market, `${what} at ${issue.path.join('.') || 'the body'}: ${issue.message}`);
}

/** Sorted by start; an interval of `fresh` replaces any held interval that overlaps it; intervals ended before `dropBeforeMs` go. */
export function mergePrices(held: readonly PriceInterval[], fresh: readonly PriceInterval[], dropBeforeMs: number): PriceInterval[] {
  const incoming = [...fresh].sort((a, b) => a.start_ms - b.start_ms);
  const kept = held.filter((h) => h.end_ms > dropBeforeMs && !incoming.some((f) => f.start_ms < h.end_ms && h.start_ms < f.end_ms));
  return [...kept, ...incoming.filter((f) => f.end_ms > dropBeforeMs)].sort((a, b) => a.start_ms - b.start_ms);
}

/**
 * The interval in force at `atMs`: the one that contains it, or else the latest one already ended
 * less than `holdMs` before (real-time prices are published after their interval settles, so the last
 * settled price stands for the present until it is too old). Null when nothing covers the instant.
 */
export function intervalAt(curve: readonly PriceInterval[], atMs: number, holdMs = 0): PriceInterval | null {
  let latestEnded: PriceInterval | null = null;
  for (const i of curve) {
    if (i.start_ms <= atMs && atMs < i.end_ms) return i;
    if (i.end_ms <= atMs && (latestEnded === null || i.end_ms > latestEnded.end_ms)) latestEnded = i;
  }
  return latestEnded !== null && atMs < latestEnded.end_ms + holdMs ? latestEnded : null;
}

/** Intervals that end after `fromMs` and start before `toMs`. */
export function intervalsBetween(curve: readonly PriceInterval[], fromMs: number, toMs: number): PriceInterval[] {
  return curve.filter((i) => i.end_ms > fromMs && i.start_ms < toMs);
}
