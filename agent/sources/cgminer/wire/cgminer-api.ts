/**
 * The CGMiner API (TCP 4028): `{"command":"summary"}` in, NUL-terminated JSON out, one request per
 * connection, and multi-commands (`summary+stats`) on firmware that supports them. Spoken by stock
 * and Hiveon Antminers, btminer (Whatsminer API v1/v2), Braiins OS, LuxOS, Avalon and cgminer itself.
 */
import { nulTerminated } from './framing.js';
import type { CommandSpec, QueryOptions, Target, WireProtocol } from './protocol.js';
import { parseMinerJson } from './repair.js';
import { checkReply, splitMulti, type JsonRecord } from './reply.js';
import { exchange } from './transport.js';
import { MinerError } from './errors.js';

export const CGMINER_PORT = 4028;

/**
 * Sends `{"command": "<command>"}`. btminer's own commands (`status`, `get_psu`) are documented with
 * the key `cmd`, which older cgminer-based firmware rejects ("Missing JSON 'command'"): hence `key`.
 */
export async function cgminerQuery(target: Target, command: string, options: QueryOptions, key: 'command' | 'cmd' = 'command'): Promise<JsonRecord> {
  const request = Buffer.from(JSON.stringify({ [key]: command }), 'utf8');
  const reply = await exchange(target, request, nulTerminated, options);
  return parseMinerJson(reply.toString('utf8'), options.repairs);
}

export const cgminerApi: WireProtocol = {
  id: 'cgminer',
  defaultPort: CGMINER_PORT,
  probes: [{ command: 'version' }, { command: 'devdetails' }, { command: 'stats' }, { command: 'summary' }],
  query: (target, spec: CommandSpec, options) => cgminerQuery(target, spec.command, options, spec.key),
  async queryJoined(target, commands, options) {
    return splitMulti(await cgminerQuery(target, commands.join('+'), options), commands);
  },
  replyError(command, reply) {
    try {
      checkReply(command, reply);
      return undefined;
    } catch (error) {
      return error as MinerError;
    }
  },
};
