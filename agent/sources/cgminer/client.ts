/**
 * The two miner APIs as request → parsed reply: the CGMiner API (TCP 4028, NUL-terminated JSON,
 * multi-command `summary+stats`) and Whatsminer API v3 (TCP 4433, length-prefixed JSON). Replies come
 * back parsed and repaired but not judged: an error reply is still a reply (detection reads its
 * Description), so checking STATUS is the caller's business.
 */
import { encodeLengthPrefixed, lengthPrefixed, nulTerminated } from './framing.js';
import { parseMinerJson, type RepairStats } from './repair.js';
import { exchange, type ExchangeOptions, type Target } from './transport.js';

export type { Target };

export interface QueryOptions extends ExchangeOptions {
  repairs?: RepairStats;
}

export const CGMINER_PORT = 4028;
export const WHATSMINER_V3_PORT = 4433;

/**
 * Sends `{"command": "<command>"}`. btminer's own commands (`status`, `get_psu`) are documented with
 * the key `cmd`, which older cgminer-based firmware rejects ("Missing JSON 'command'"): hence `key`.
 */
export async function cgminerQuery(target: Target, command: string, options: QueryOptions, key: 'command' | 'cmd' = 'command'): Promise<Record<string, unknown>> {
  const request = Buffer.from(JSON.stringify({ [key]: command }), 'utf8');
  const reply = await exchange(target, request, nulTerminated, options);
  return parseMinerJson(reply.toString('utf8'), options.repairs);
}

/** Sends a Whatsminer API v3 read, e.g. `get.miner.status` with param `summary`. Reads need no token. */
export async function whatsminerV3Query(target: Target, cmd: string, param: string | undefined, options: QueryOptions): Promise<Record<string, unknown>> {
  const request = encodeLengthPrefixed(param === undefined ? { cmd } : { cmd, param });
  const reply = await exchange(target, request, lengthPrefixed(options.maxBytes), options);
  return parseMinerJson(reply.toString('utf8'), options.repairs);
}
