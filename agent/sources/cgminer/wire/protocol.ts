/**
 * A miner API as the fleet poller and the scanner use it: how one read is sent and its reply
 * parsed, where a miner listens by default, what to ask to find out which family it runs, and
 * how an error reply is told from a reading. Adding an API (an HTTP one, say) is one file that
 * exports a `WireProtocol` plus one line in protocols.ts.
 */
import type { MinerError } from './errors.js';
import type { RepairStats } from './repair.js';
import type { JsonRecord } from './reply.js';
import type { ExchangeOptions, Target } from './transport.js';

export type { Target };

export interface QueryOptions extends ExchangeOptions {
  repairs?: RepairStats;
}

/** One read. Its `command` names the reply in a family's parser. */
export interface CommandSpec {
  command: string;
  /** btminer's own commands use the key "cmd" (see cgminer-api.ts). */
  key?: 'cmd';
  /** Whatsminer API v3 parameter, e.g. "summary". */
  param?: string;
}

export interface WireProtocol {
  readonly id: string;
  readonly defaultPort: number;
  /** Asked in turn to tell a miner's family (fleet/detect.ts); the first reply a family recognises ends it. */
  readonly probes: readonly CommandSpec[];
  /** Sends one read; resolves with the parsed reply, error replies included. Throws a MinerError on transport or parse failure. */
  query(target: Target, spec: CommandSpec, options: QueryOptions): Promise<JsonRecord>;
  /** Several reads in one request, one reply per command; absent when the API cannot join reads. */
  queryJoined?(target: Target, commands: readonly string[], options: QueryOptions): Promise<Map<string, JsonRecord | MinerError>>;
  /** The error an error reply carries (cgminer STATUS "E", v3 code ≠ 0), undefined for a reading. */
  replyError(command: string, reply: JsonRecord): MinerError | undefined;
}
