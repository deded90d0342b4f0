/**
 * Parsers for the mempool-style REST API (mempool.space or a self-hosted mempool backend). Pure:
 * text or parsed JSON in, values in base units out, or a MarketDataError that names the endpoint
 * and what was wrong. They read only the fields that have stayed put across the API's versions
 * (height, timestamp, difficulty, extras.totalFees, the reward-stats sums, prices) and decode its
 * sentinels (-1 / time 0 = no price, 0 = node unreachable) as errors rather than values.
 */
import { z } from 'zod';

/** The endpoints the feed reads, relative to the base URL. */
export const MEMPOOL_PATHS = {
  tip_height: '/api/blocks/tip/height',
  blocks: '/api/v1/blocks',
  reward_stats: '/api/v1/mining/reward-stats/144',
  hashrate: '/api/v1/mining/hashrate/3d',
  prices: '/api/v1/prices',
} as const;
export type MarketEndpoint = keyof typeof MEMPOOL_PATHS;
export const MARKET_ENDPOINTS = Object.keys(MEMPOOL_PATHS) as MarketEndpoint[];

export class MarketDataError extends Error {
  constructor(
    readonly endpoint: MarketEndpoint,
    detail: string,
  ) {
    super(`${MEMPOOL_PATHS[endpoint]}: ${detail}`);
    this.name = 'MarketDataError';
  }
}

const SATS_PER_BTC = 1e8;

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

export function parseJsonBody(endpoint: MarketEndpoint, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes the body around the fault in its message: keep the log line one line.
    const reason = (err as Error).message.replace(/\s+/g, ' ').slice(0, 120);
    throw new MarketDataError(endpoint, `not valid JSON (${reason}); the body starts ${preview(text)}`);
  }
}

function check<S extends z.ZodType>(endpoint: MarketEndpoint, schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const at = issue.path.length ? issue.path.join('.') : 'the body';
  throw new MarketDataError(endpoint, `unexpected shape at ${at}: ${issue.message}`);
}

/** `GET /api/blocks/tip/height` answers text/plain digits, not JSON. */
export function parseTipHeight(text: string): number {
  const m = /^\s*(\d{1,10})\s*$/.exec(text);
  if (!m) throw new MarketDataError('tip_height', `expected the block height as plain-text digits, got ${preview(text)}`);
  return Number(m[1]);
}

export interface BlockSummary {
  height: number;
  timestamp_s: number;
  difficulty: number;
  /** Sum of the block's fees in sats; null on backends without `extras`. */
  total_fees_sats: number | null;
  /** Coinbase outputs in sats (subsidy + fees); null on backends without `extras`. */
  reward_sats: number | null;
}

const sats = z.number().int().nonnegative();
const Block = z.object({
  height: z.number().int().nonnegative(),
  timestamp: z.number().int().positive(),
  difficulty: z.number().finite().positive(),
  extras: z.object({ totalFees: sats.optional(), reward: sats.optional() }).nullish(),
});
const Blocks = z.array(Block).min(1, 'expected at least one block');

/** `GET /api/v1/blocks` (newest first) or the websocket's `blocks` (oldest first): the order is not relied on. */
export function parseBlocks(body: unknown): BlockSummary[] {
  return check('blocks', Blocks, body).map((b) => ({
    height: b.height,
    timestamp_s: b.timestamp,
    difficulty: b.difficulty,
    total_fees_sats: b.extras?.totalFees ?? null,
    reward_sats: b.extras?.reward ?? null,
  }));
}

/** The highest block of a list, whatever its order. */
export function tipBlock(blocks: readonly BlockSummary[]): BlockSummary {
  return blocks.reduce((tip, b) => (b.height > tip.height ? b : tip));
}

export interface RewardStats {
  start_block: number;
  end_block: number;
  total_fee_sats: number;
  total_reward_sats: number;
  /** Mean total fees per block over the window, in BTC. */
  fees_btc_per_block: number;
}

/** The sums come from a SQL SUM() and arrive as strings of sats; a plain number is accepted too. */
const SatsSum = z.union([z.string().regex(/^\d+$/, 'expected a whole number of sats'), sats]).transform(Number);
const RewardStatsBody = z
  .object({ startBlock: z.number().int().nonnegative(), endBlock: z.number().int().nonnegative(), totalReward: SatsSum, totalFee: SatsSum })
  .refine((r) => r.endBlock >= r.startBlock, { message: 'endBlock is before startBlock', path: ['endBlock'] });

/** `GET /api/v1/mining/reward-stats/:blockCount`: the exact fee sum over the last blocks, in one call. */
export function parseRewardStats(body: unknown): RewardStats {
  const r = check('reward_stats', RewardStatsBody, body);
  const blocks = r.endBlock - r.startBlock + 1;
  return {
    start_block: r.startBlock,
    end_block: r.endBlock,
    total_fee_sats: r.totalFee,
    total_reward_sats: r.totalReward,
    fees_btc_per_block: r.totalFee / blocks / SATS_PER_BTC,
  };
}

export interface NetworkHashrate {
  /** Bitcoin Core getnetworkhashps(1008), H/s. */
  hashrate_hs: number;
  /** Core getdifficulty(); null when the backend reported 0. */
  difficulty: number | null;
}

const HashrateBody = z.object({ currentHashrate: z.number().finite().nonnegative(), currentDifficulty: z.number().finite().nonnegative() });

/** `GET /api/v1/mining/hashrate/:period`: 0 means the backend could not reach its node, which is no value. */
export function parseHashrate(body: unknown): NetworkHashrate {
  const h = check('hashrate', HashrateBody, body);
  if (h.currentHashrate === 0) throw new MarketDataError('hashrate', 'currentHashrate is 0: the backend cannot reach its Bitcoin node');
  return { hashrate_hs: h.currentHashrate, difficulty: h.currentDifficulty > 0 ? h.currentDifficulty : null };
}

export interface BtcPrice {
  usd: number;
  /** When the backend took the price (unix s); null on 2022 backends, whose body has no `time`. */
  time_s: number | null;
}

const PricesBody = z.object({ USD: z.number().finite(), time: z.number().int().nonnegative().optional() });

/** `GET /api/v1/prices` (or the websocket's `conversions`): USD per BTC. */
export function parsePrices(body: unknown): BtcPrice {
  const p = check('prices', PricesBody, body);
  if (p.time === 0) throw new MarketDataError('prices', 'time is 0: the backend has not fetched a price yet');
  if (!(p.USD > 0)) throw new MarketDataError('prices', `USD is ${p.USD}: the backend has no USD price`);
  return { usd: p.USD, time_s: p.time ?? null };
}
