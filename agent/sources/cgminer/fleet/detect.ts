/**
 * Which family a miner runs, from the replies it gives. Each protocol lists the commands to ask
 * (CGMiner API: version → devdetails → stats → summary, because some Hiveon builds deny
 * `devdetails` and btminer refuses `version` with an error that names it), and the registry's
 * families read each reply, error replies included, until one recognises it.
 */
import { asMinerError, MinerError } from '../wire/errors.js';
import type { Identity } from '../families/family.js';
import type { FamilyRegistry } from '../families/registry.js';
import type { CommandSpec, WireProtocol } from '../wire/protocol.js';
import type { JsonRecord } from '../wire/reply.js';

/**
 * Asks the protocol's detection commands in turn. A transport failure ends detection (the miner is
 * not there); error replies and malformed replies move on to the next command. A daemon that
 * answers but says nothing recognisable gets the protocol's fallback family (generic cgminer), or
 * fails with what it said.
 */
export async function detect(protocol: WireProtocol, families: FamilyRegistry, query: (spec: CommandSpec) => Promise<JsonRecord>): Promise<Identity> {
  let answered = false;
  let lastError: MinerError | undefined;
  for (const spec of protocol.probes) {
    let reply: JsonRecord;
    try {
      reply = await query(spec);
    } catch (error) {
      lastError = asMinerError(error);
      if (lastError.transport) throw lastError;
      continue;
    }
    answered = true;
    const found = families.recognise(reply, protocol.id);
    if (found) return found;
    lastError = protocol.replyError(spec.command, reply) ?? lastError;
  }
  const fallback = families.fallback(protocol.id);
  if (answered && fallback !== undefined) return { family: fallback };
  throw lastError ?? new MinerError('malformed', answered ? `no ${protocol.id} miner family recognises the replies` : 'no parseable reply to any detection command');
}
