/**
 * The contract between the fleet poller and one firmware family: which commands to send, and a pure
 * function from the replies to a readout in base units. Adding a family = one adapter file + one line
 * in adapters.ts (+ a detection rule in detect.ts).
 */
import { MinerError } from './errors.js';
import { checkReply, replyStatus, type JsonRecord } from './reply.js';

export const FAMILIES = ['antminer', 'hiveon', 'whatsminer', 'whatsminer-v3', 'braiins', 'luxos', 'avalon', 'generic'] as const;
export type Family = (typeof FAMILIES)[number];

/** What detection (or the config) established about a miner, cached between polls. */
export interface Identity {
  family: Family;
  model?: string;
}

/** One miner's reading, before the fleet adds its id, kind and power source. */
export interface MinerReadout {
  vendor?: string;
  model?: string;
  /** Why a reachable miner is not hashing normally (e.g. "mining stopped"). */
  note?: string;
  hashrate_hs?: number;
  /** Watts the miner reports about itself. */
  reported_power_w?: number;
  /** Hottest hash board, °C. */
  temp_c?: number;
  /** Fastest fan, rpm. */
  fan_rpm?: number;
  /** Seconds since the mining daemon started (cgminer `Elapsed`). */
  uptime_s?: number;
  hw_errors?: number;
  shares_accepted?: number;
  shares_rejected?: number;
}

export interface CommandSpec {
  command: string;
  /** btminer's own commands use the key "cmd" (see client.ts). */
  key?: 'cmd';
  /** Whatsminer API v3 parameter, e.g. "summary". */
  param?: string;
}

/** Each command's parsed reply, or why it could not be had. */
export type Replies = ReadonlyMap<string, JsonRecord | MinerError>;

export interface FamilyAdapter {
  readonly family: Family;
  readonly protocol: 'cgminer' | 'whatsminer-v3';
  /** Send the reads as one joined `a+b+c` request (the firmware supports cgminer multi-commands). */
  readonly joinReads: boolean;
  /** Read every poll. */
  readonly reads: readonly CommandSpec[];
  /** Read only when the reads gave no reading, to tell why (e.g. a sleeping Whatsminer). */
  readonly diagnostics?: readonly CommandSpec[];
  /** Pure. Throws a MinerError when the replies hold no reading. */
  parse(replies: Replies, identity: Identity): MinerReadout;
}

/** The reply to `command` when it arrived and is not an error reply. */
export function okReply(replies: Replies, command: string): JsonRecord | undefined {
  const reply = replies.get(command);
  if (reply === undefined || reply instanceof MinerError) return undefined;
  return replyStatus(reply).ok ? reply : undefined;
}

/** The reply to `command`, or the error that explains its absence. */
export function requireReply(replies: Replies, command: string): JsonRecord {
  const reply = replies.get(command);
  if (reply === undefined) throw new MinerError('malformed', `${command}: no reply`);
  if (reply instanceof MinerError) throw reply;
  return checkReply(command, reply);
}

/** Bitmain hardware runs stock, Hiveon, Braiins OS and LuxOS firmware alike; the model names the maker. */
export function vendorOf(model: string | undefined): string | undefined {
  if (model === undefined) return undefined;
  if (/antminer|bitmain/i.test(model)) return 'bitmain';
  if (/whatsminer/i.test(model)) return 'microbt';
  if (/avalon/i.test(model)) return 'canaan';
  return undefined;
}
