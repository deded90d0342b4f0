/**
 * Polls a mempool-style API for the market inputs of the economics. Each value is cached with the
 * time it was last confirmed current: a failed or garbled fetch is counted and logged, the last
 * good value stays, and its age grows until the snapshot reads stale; it never becomes 0.
 *
 * Every poll reads the tip height (a few bytes) and the price; the block list, the 144-block fee
 * sums and the network hashrate change only with a new block, so they are fetched again only when
 * the tip moves (or when the last fetch of them failed), and otherwise confirmed current.
 */
import { BodyTooLargeError, readTextLimited } from '../../common/http-body.js';
import { PollLoop } from '../../common/poll-loop.js';
import type { Logger } from '../../common/logger.js';
import type { MarketFeedConfig } from '../economics/config.js';
import {
  MARKET_ENDPOINTS,
  MEMPOOL_PATHS,
  MarketDataError,
  parseBlocks,
  parseHashrate,
  parseJsonBody,
  parsePrices,
  parseRewardStats,
  parseTipHeight,
  tipBlock,
  type MarketEndpoint,
} from './mempool.js';
import type { MarketSnapshot, MarketSource } from './source.js';

/** The largest body read; /api/v1/blocks is about 30 kB. */
export const MAX_BODY_BYTES = 1024 * 1024;

type Field = 'height' | 'btc_usd' | 'difficulty' | 'fees_btc_per_block' | 'tip_time_ms' | 'network_hashrate_hs';
/** The fields the economics cannot do without: the snapshot is as old as the oldest of them. */
const CORE_FIELDS: readonly Field[] = ['btc_usd', 'difficulty', 'height', 'fees_btc_per_block'];
type ChainEndpoint = 'blocks' | 'reward_stats' | 'hashrate';
const CHAIN_FIELDS: Record<ChainEndpoint, readonly Field[]> = {
  blocks: ['difficulty', 'tip_time_ms'],
  reward_stats: ['fees_btc_per_block'],
  hashrate: ['network_hashrate_hs'],
};

interface Cached {
  value: number;
  /** When the value was last fetched or confirmed current. */
  at_ms: number;
  /**
   * The chain tip the value belongs to, for values that change only with a new block: the block's
   * own height for block data, else the tip seen by the poll that fetched it (so a mining index that
   * lags a block behind is taken as current until the next block).
   */
  tip?: number | undefined;
}

export class MarketFeed implements MarketSource {
  private readonly fields = new Map<Field, Cached>();
  private readonly errors = Object.fromEntries(MARKET_ENDPOINTS.map((e) => [e, 0])) as Record<MarketEndpoint, number>;
  private readonly failing = new Set<MarketEndpoint>();
  private readonly loop = new PollLoop(async () => {
    await this.poll();
    return this.config.interval;
  });

  constructor(
    private readonly config: MarketFeedConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Polls now, then every `interval` after the previous poll ends (polls never overlap). */
  start(): void {
    this.loop.start();
  }

  /** Stops polling, aborting any request in flight. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round of requests; never throws. */
  async poll(): Promise<void> {
    const [tip] = await Promise.all([this.get('tip_height', parseTipHeight), this.refreshPrice()]);
    if (tip !== undefined) this.store('height', tip);
    await Promise.all([
      this.refreshChain('blocks', tip, async () => {
        const block = await this.get('blocks', (text) => tipBlock(parseBlocks(parseJsonBody('blocks', text))));
        if (!block) return;
        this.store('difficulty', block.difficulty, block.height);
        this.store('tip_time_ms', block.timestamp_s * 1000, block.height);
      }),
      this.refreshChain('reward_stats', tip, async () => {
        const stats = await this.get('reward_stats', (text) => parseRewardStats(parseJsonBody('reward_stats', text)));
        if (stats) this.store('fees_btc_per_block', stats.fees_btc_per_block, tip);
      }),
      this.refreshChain('hashrate', tip, async () => {
        const network = await this.get('hashrate', (text) => parseHashrate(parseJsonBody('hashrate', text)));
        if (network) this.store('network_hashrate_hs', network.hashrate_hs, tip);
      }),
    ]);
  }

  snapshot(): MarketSnapshot {
    const now = this.now();
    let updatedAt: number | null = Number.POSITIVE_INFINITY;
    for (const field of CORE_FIELDS) {
      const cached = this.fields.get(field);
      updatedAt = cached && updatedAt !== null ? Math.min(updatedAt, cached.at_ms) : null;
    }
    const value = (field: Field) => this.fields.get(field)?.value ?? null;
    return {
      btc_usd: value('btc_usd'),
      difficulty: value('difficulty'),
      height: value('height'),
      fees_btc_per_block: value('fees_btc_per_block'),
      tip_time_ms: value('tip_time_ms'),
      network_hashrate_hs: value('network_hashrate_hs'),
      updated_at_ms: updatedAt,
      age_s: updatedAt === null ? null : Math.max(0, now - updatedAt) / 1000,
      stale: updatedAt === null || now - updatedAt > this.config.stale_after,
    };
  }

  fetchErrors(): Readonly<Record<MarketEndpoint, number>> {
    return { ...this.errors };
  }

  private async refreshPrice(): Promise<void> {
    const price = await this.get('prices', (text) => parsePrices(parseJsonBody('prices', text)));
    if (price) this.store('btc_usd', price.usd);
  }

  /** Refetches a chain endpoint unless all its values already belong to the current tip, which confirms them. */
  private async refreshChain(endpoint: ChainEndpoint, tip: number | undefined, fetchAndStore: () => Promise<void>): Promise<void> {
    const cached = CHAIN_FIELDS[endpoint].map((f) => this.fields.get(f));
    if (tip !== undefined && cached.every((c) => c?.tip === tip)) {
      const now = this.now();
      for (const c of cached) c!.at_ms = now;
      return;
    }
    await fetchAndStore();
  }

  private store(field: Field, value: number, tip?: number): void {
    this.fields.set(field, { value, at_ms: this.now(), tip });
  }

  /** Fetches and parses one endpoint; on any failure counts it, logs it (once per outage) and returns undefined. */
  private async get<T>(endpoint: MarketEndpoint, parse: (text: string) => T): Promise<T | undefined> {
    try {
      const value = parse(await this.fetchText(endpoint));
      if (this.failing.delete(endpoint)) this.logger.info({ endpoint: MEMPOOL_PATHS[endpoint] }, 'market feed: endpoint recovered');
      return value;
    } catch (err) {
      if (this.loop.signal.aborted) return undefined; // stopped on purpose: not a failure
      this.errors[endpoint] += 1;
      const error = describe(endpoint, err, this.config.timeout);
      if (this.failing.has(endpoint)) {
        this.logger.debug({ endpoint: MEMPOOL_PATHS[endpoint], error }, 'market feed: endpoint still failing');
      } else {
        this.failing.add(endpoint);
        this.logger.warn({ endpoint: MEMPOOL_PATHS[endpoint], error }, 'market feed: fetch failed; keeping the last good values');
      }
      return undefined;
    }
  }

  private async fetchText(endpoint: MarketEndpoint): Promise<string> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.config.timeout), this.loop.signal]);
    const res = await fetch(this.config.url + MEMPOOL_PATHS[endpoint], { signal, headers: { accept: 'application/json, text/plain' } });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new MarketDataError(endpoint, `HTTP ${res.status} ${res.statusText}`.trim());
    }
    try {
      return await readTextLimited(res, MAX_BODY_BYTES);
    } catch (err) {
      throw err instanceof BodyTooLargeError ? new MarketDataError(endpoint, err.message) : err;
    }
  }
}

function describe(endpoint: MarketEndpoint, err: unknown, timeoutMs: number): string {
  if (err instanceof MarketDataError) return err.message;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `${MEMPOOL_PATHS[endpoint]}: no answer within ${timeoutMs} ms`;
  const cause = e.cause ? ` (${e.cause.code ?? e.cause.message})` : '';
  return `${MEMPOOL_PATHS[endpoint]}: ${e.message ?? String(err)}${cause}`;
}
