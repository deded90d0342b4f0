/**
 * Whatsminer API v3 (btminer firmware from late 2024, TCP 4433, length-prefixed JSON, see
 * framing.ts). Reads need no token. Replies are `{"code":0,"when":…,"msg":{…},"desc":"…"}`; a
 * non-zero code is an error with the reason in `msg`.
 */
import { MinerError } from './errors.js';
import { encodeLengthPrefixed, lengthPrefixed } from './framing.js';
import type { QueryOptions, Target, WireProtocol } from './protocol.js';
import { parseMinerJson } from './repair.js';
import { isRecord, num, str, type JsonRecord } from './reply.js';
import { exchange } from './transport.js';

export const WHATSMINER_V3_PORT = 4433;

/** The error of a v3 reply with `code != 0`, or of one without a `msg` object. */
function v3Error(command: string, reply: JsonRecord): MinerError | undefined {
  const code = num(reply.code);
  if (code !== 0) {
    const reason = str(reply.msg) ?? str(reply.desc) ?? 'error reply';
    return new MinerError('api', `${command}: ${reason} (code ${code ?? 'missing'})`, code);
  }
  return isRecord(reply.msg) ? undefined : new MinerError('malformed', `${command}: reply has no msg object`);
}

/** Sends a read, e.g. `get.miner.status` with param `summary`. */
export async function whatsminerV3Query(target: Target, cmd: string, param: string | undefined, options: QueryOptions): Promise<JsonRecord> {
  const request = encodeLengthPrefixed(param === undefined ? { cmd } : { cmd, param });
  const reply = await exchange(target, request, lengthPrefixed(options.maxBytes), options);
  return parseMinerJson(reply.toString('utf8'), options.repairs);
}

export const whatsminerV3Api: WireProtocol = {
  id: 'whatsminer-v3',
  defaultPort: WHATSMINER_V3_PORT,
  probes: [{ command: 'get.device.info', param: 'miner' }],
  query: (target, spec, options) => whatsminerV3Query(target, spec.command, spec.param, options),
  replyError: v3Error,
};
