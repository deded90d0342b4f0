/**
 * What one energy market (a price feed family) implements: its config keys, the HTTP requests of one
 * poll, and a pure parser of each answer. The poller (feed.ts) does the I/O, retries and staleness.
 */
import type { PriceInterval } from './prices.js';

/** realtime: settled prices (the price now); day_ahead: published ahead (the forward view, and "now" for markets without real time). */
export type CurveKind = 'realtime' | 'day_ahead';

export interface MarketRequest {
  curve: CurveKind;
  url: string;
  headers?: Record<string, string>;
  /** The URL as logs may show it: no keys or tokens. */
  label: string;
}

export interface MarketAnswer {
  intervals: PriceInterval[];
  /** The currency the answer states, when it states one (checked against the configured one). */
  currency?: string | undefined;
  /** A further page of the same query. */
  next?: MarketRequest | undefined;
}

/** Reads a secret file (trimmed); throws an error naming the config key and the file. */
export type SecretReader = (key: string, path: string) => string;

export interface EnergyMarket<C> {
  /** Where the market's API is unless the config says otherwise. */
  readonly defaultUrl: string;
  /** The currency its prices come in unless the config says otherwise. */
  readonly defaultCurrency: string;
  /** It publishes settled real-time prices (the price now comes from them, the day-ahead curve is only the forward view). */
  readonly realtime: boolean;
  /** How long a real-time price stands for the present after its interval ends; 0 for day-ahead markets. */
  readonly holdMs: number;
  requests(config: C, nowMs: number, secret: SecretReader): MarketRequest[];
  /** Parses one answer; an answer that says "no data" gives no intervals, not an error. */
  parse(body: string, request: MarketRequest, config: C): MarketAnswer;
}
