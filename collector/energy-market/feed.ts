/**
 * Polls one energy market and holds its prices in USD per MWh: a real-time curve (the price now,
 * where the market has one) and a day-ahead curve (the forward view, and the price now for
 * day-ahead-only markets). A failed, garbled or throttled poll keeps the prices held, which stand
 * while they cover the present; then `priceNow` is null and the caller says so (stale), never 0.
 * Throttling (HTTP 429) and failures back off: Retry-After or "Try again in N seconds" when the
 * market says, else doubling from 5 s up to 10 minutes.
 */
import { readFileSync } from 'node:fs';
import { BodyTooLargeError, readTextLimited } from '../../common/http-body.js';
import { PollLoop } from '../../common/poll-loop.js';
import type { Logger } from '../../common/logger.js';
import type { CurveKind, MarketRequest, SecretReader } from './market.js';
import { intervalAt, mergePrices, PriceDataError, type PriceInterval } from './prices.js';
import { marketOf, type EnergyFeedConfig } from './registry.js';
import { shownSecretPath } from '../../common/secret-path.js';

/** The largest answer read: two days of 15-minute A44 XML is about 40 kB. */
export const MAX_PRICE_BODY_BYTES = 4 * 1024 * 1024;
const FIRST_RETRY_MS = 5_000;
export const MAX_BACKOFF_MS = 10 * 60_000;
/** Prices are kept this long after their interval ends (the hysteresis and charts look back). */
const KEEP_MS = 2 * 86_400_000;

export class ThrottledError extends Error {
  constructor(readonly retryAfterMs: number | null) {
    super(`throttled (HTTP 429)${retryAfterMs === null ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}`);
    this.name = 'ThrottledError';
  }
}

/** Retry-After in seconds, or Azure API Management's "Try again in N seconds" in the body. */
export function retryAfterMs(header: string | null, body: string): number | null {
  const seconds = header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) : Number(/try again in (\d+) seconds?/i.exec(body)?.[1] ?? NaN);
  return Number.isFinite(seconds) ? seconds * 1000 : null;
}

/** A secret file's trimmed content; the error names the key and the file, never the content. */
export const readSecretFile: SecretReader = (key, path) => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`economics.energy.feed.${key}: cannot read ${shownSecretPath(path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (text === '') throw new Error(`economics.energy.feed.${key}: ${shownSecretPath(path)} is empty`);
  return text;
};

export interface FeedStatus {
  /** When a poll last brought prices (any curve); null before the first. */
  updated_at_ms: number | null;
  /** Failed requests since start (a counter). */
  errors: number;
  throttled: number;
}

export class EnergyPriceFeed {
  private readonly curves: Record<CurveKind, PriceInterval[]> = { realtime: [], day_ahead: [] };
  private readonly market;
  private updatedAt: number | null = null;
  private errors = 0;
  private throttled = 0;
  private failures = 0;
  private failing = false;
  private readonly loop = new PollLoop(() => this.poll());

  constructor(
    readonly config: EnergyFeedConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly secret: SecretReader = readSecretFile,
  ) {
    this.market = marketOf(config);
  }

  /** A short name for logs and metric labels: the market and where it reads. */
  get name(): string {
    const c = this.config as Record<string, unknown>;
    return `${this.config.type}:${String(c.settlement_point ?? c.bidding_zone ?? c.area ?? new URL(this.config.url).host)}`;
  }

  /** Throws (naming the config key and the file) when a key or token file cannot be read: checked at start. */
  checkSecrets(): void {
    this.market.requests(this.config, this.now(), this.secret);
  }

  /** Polls now, then after `refresh` (or the backoff after a failure), polls never overlapping. */
  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One poll of every request; never throws. Returns the delay before the next one. */
  async poll(): Promise<number> {
    let requests: MarketRequest[];
    try {
      requests = this.market.requests(this.config, this.now(), this.secret);
    } catch (err) {
      return this.failed(err);
    }
    // After a failure the next poll comes at its backoff (the longest, when several failed), not at `refresh`.
    let failedDelay: number | null = null;
    for (const first of requests) {
      let request: MarketRequest | undefined = first;
      try {
        while (request) {
          const answer = this.market.parse(await this.fetchText(request), request, this.config);
          if (answer.currency !== undefined && answer.currency !== this.config.currency) {
            throw new PriceDataError(this.config.type, `prices in ${answer.currency}, but the feed's currency is ${this.config.currency}`);
          }
          const usd = answer.intervals.map((i) => ({ ...i, price: i.price * this.config.usd_per_unit }));
          this.curves[request.curve] = mergePrices(this.curves[request.curve], usd, this.now() - KEEP_MS);
          if (usd.length > 0) this.updatedAt = this.now();
          request = answer.next;
        }
      } catch (err) {
        if (this.loop.signal.aborted) return this.config.refresh;
        failedDelay = Math.max(failedDelay ?? 0, this.failed(err, request?.label));
      }
    }
    if (failedDelay !== null) return failedDelay;
    this.failures = 0;
    if (this.failing) this.logger.info({ feed: this.name }, 'energy price feed recovered');
    this.failing = false;
    return this.config.refresh;
  }

  /** Counts and logs a failure (warn once per outage); returns the backoff before the next try. */
  private failed(err: unknown, where?: string): number {
    this.errors += 1;
    this.failures += 1;
    const backoff = Math.min(MAX_BACKOFF_MS, Math.min(this.config.refresh, FIRST_RETRY_MS) * 2 ** (this.failures - 1));
    let delay = backoff;
    if (err instanceof ThrottledError) {
      this.throttled += 1;
      delay = Math.min(MAX_BACKOFF_MS, Math.max(backoff, err.retryAfterMs ?? 0));
    }
    const error = describe(err, this.config.timeout);
    const fields = { feed: this.name, request: where, error, retry_in_s: Math.round(delay / 1000) };
    if (this.failing) this.logger.debug(fields, 'energy price feed still failing');
    else this.logger.warn(fields, 'energy price feed failed; keeping the prices held while they cover the present');
    this.failing = true;
    return delay;
  }

  private async fetchText(request: MarketRequest): Promise<string> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.config.timeout), this.loop.signal]);
    const res = await fetch(request.url, { signal, headers: { accept: 'application/json, application/xml, text/xml', ...request.headers } });
    if (res.status === 429) throw new ThrottledError(retryAfterMs(res.headers.get('retry-after'), await readTextLimited(res, 64 * 1024).catch(() => '')));
    if (res.status === 204) return '';
    if (!res.ok) {
      await res.body?.cancel();
      throw new PriceDataError(this.config.type, `HTTP ${res.status} ${res.statusText}`.trim());
    }
    return readTextLimited(res, MAX_PRICE_BODY_BYTES);
  }

  /** The spot price (USD/MWh) in force at an instant, or null when the held prices do not cover it. */
  priceAt(atMs: number): PriceInterval | null {
    return this.market.realtime ? intervalAt(this.curves.realtime, atMs, this.config.hold) : intervalAt(this.curves.day_ahead, atMs, this.config.hold);
  }

  /** The held real-time (or, without one, day-ahead) intervals: the settled past, for hysteresis. */
  settled(): readonly PriceInterval[] {
    return this.market.realtime ? this.curves.realtime : this.curves.day_ahead;
  }

  /** The day-ahead intervals, for the forward view. */
  dayAhead(): readonly PriceInterval[] {
    return this.curves.day_ahead;
  }

  status(): FeedStatus {
    return { updated_at_ms: this.updatedAt, errors: this.errors, throttled: this.throttled };
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof PriceDataError || err instanceof ThrottledError || err instanceof BodyTooLargeError) return err.message;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause ? ` (${e.cause.code ?? e.cause.message})` : '';
  return `${e.message ?? String(err)}${cause}`;
}
