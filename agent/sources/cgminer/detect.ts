/**
 * Which firmware family a miner runs, from the replies it gives. `identify` is pure and reads any
 * reply, error replies included: a Whatsminer answers `version` with an error whose Description
 * says "whatsminer", and some Hiveon builds deny `devdetails` (code 45), so detection walks
 * version → devdetails → stats → summary and stops at the first reply that tells.
 */
import { bitmainModel } from './antminer.js';
import { avalonModel, avalonModules } from './avalon.js';
import { asMinerError, MinerError } from './errors.js';
import type { Identity } from './family.js';
import { firstRow, replyStatus, rows, str, type JsonRecord } from './reply.js';
import { V3_DEVICE_INFO, v3Message, v3Model } from './whatsminer-v3.js';
import { whatsminerModel } from './whatsminer.js';

export const DETECTION_COMMANDS = ['version', 'devdetails', 'stats', 'summary'] as const;

function identity(family: Identity['family'], model: string | undefined): Identity {
  return model === undefined ? { family } : { family, model };
}

export function identify(reply: JsonRecord): Identity | undefined {
  const description = replyStatus(reply).description ?? '';
  const version = firstRow(reply, 'VERSION');
  const details = firstRow(reply, 'DEVDETAILS');
  const statRows = rows(reply, 'STATS');
  const summary = firstRow(reply, 'SUMMARY');
  const type = str(version?.Type) ?? statRows.map((row) => str(row.Type)).find((t) => t !== undefined);

  if (/whatsminer|btminer/i.test(description) || details?.Driver === 'bitmicro') {
    return identity('whatsminer', whatsminerModel(str(details?.Model)));
  }
  if (/bosminer|boser/i.test(description) || version?.BOSminer !== undefined || version?.BOSer !== undefined) {
    return identity('braiins', str(details?.Model) ?? type);
  }
  if (/luxminer/i.test(description) || version?.LUXminer !== undefined) return identity('luxos', type);
  const modules = avalonModules(reply);
  if (/avalon/i.test(str(version?.PROD) ?? '') || modules.length > 0 || statRows.some((row) => /^AVA/.test(str(row.ID) ?? ''))) {
    return identity('avalon', str(version?.PROD) ?? avalonModel(modules[0]?.tokens.get('Ver')));
  }
  if (type !== undefined && /antminer/i.test(type)) {
    // Hiveon names itself in Type on some builds and marks its bmminer versions "… rwglr" on others.
    const builds = [description, str(version?.BMMiner), str(version?.CGMiner), ...statRows.map((row) => str(row.BMMiner))];
    const hiveon = /hiveon/i.test(type) || builds.some((b) => b !== undefined && /rwglr/i.test(b));
    return identity(hiveon ? 'hiveon' : 'antminer', bitmainModel(type));
  }
  // btminer's summary says only "cgminer 4.9.2" but carries fields no other family has.
  if (summary && (summary.Power_RT !== undefined || summary['Factory GHS'] !== undefined)) return identity('whatsminer', undefined);
  return undefined;
}

/**
 * Asks the detection commands in turn. A transport failure ends detection (the miner is not there);
 * error replies and malformed replies move on to the next command. A daemon that answers but says
 * nothing recognisable is generic cgminer.
 */
export async function detect(query: (command: string) => Promise<JsonRecord>): Promise<Identity> {
  let answered = false;
  let lastError: MinerError | undefined;
  for (const command of DETECTION_COMMANDS) {
    let reply: JsonRecord;
    try {
      reply = await query(command);
    } catch (error) {
      lastError = asMinerError(error);
      if (lastError.transport) throw lastError;
      continue;
    }
    answered = true;
    const found = identify(reply);
    if (found) return found;
  }
  if (!answered) throw lastError ?? new MinerError('malformed', 'no parseable reply to any detection command');
  return { family: 'generic' };
}

/** Whatsminer API v3 names its model in `get.device.info`; any success reply there is a v3 miner (an error reply throws). */
export function identifyV3(reply: JsonRecord): Identity {
  v3Message(V3_DEVICE_INFO.command, reply);
  return identity('whatsminer-v3', v3Model(reply));
}
