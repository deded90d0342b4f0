/**
 * Whatsminer API v3 (btminer firmware from late 2024, TCP 4433, length-prefixed JSON, see framing.ts).
 * Reads need no token. Replies are `{"code":0,"when":…,"msg":{…},"desc":"…"}`; a non-zero code is an
 * error with the reason in `msg`. `get.miner.status` with param "summary" gives hashrate in TH/s
 * (`hash-1min`, `hash-realtime`, `hash-average`), `power-realtime` in W, `board-temperature`,
 * `fan-speed-in/out` and `elapsed`; `get.device.info` with param "miner" gives `miner.type`
 * (the model, e.g. "M60S_VK30").
 */
import { MinerError } from './errors.js';
import type { FamilyAdapter, Identity, MinerReadout, Replies } from './family.js';
import { maxOf, maxPositive } from './readings.js';
import { isRecord, num, str, type JsonRecord } from './reply.js';

export const V3_STATUS = { command: 'get.miner.status', param: 'summary' } as const;
export const V3_DEVICE_INFO = { command: 'get.device.info', param: 'miner' } as const;

/** The `msg` object of a successful v3 reply; an `api` MinerError for `code != 0`. */
export function v3Message(command: string, reply: JsonRecord): JsonRecord {
  const code = num(reply.code);
  if (code !== 0) {
    const reason = str(reply.msg) ?? str(reply.desc) ?? 'error reply';
    throw new MinerError('api', `${command}: ${reason} (code ${code ?? 'missing'})`, code);
  }
  if (!isRecord(reply.msg)) throw new MinerError('malformed', `${command}: reply has no msg object`);
  return reply.msg;
}

/** "M60S_VK30" → "Whatsminer M60S VK30". */
export function v3Model(reply: JsonRecord): string | undefined {
  const miner = isRecord(reply.msg) ? reply.msg.miner : undefined;
  const type = isRecord(miner) ? str(miner.type) : undefined;
  return type ? `Whatsminer ${type.replace(/_/g, ' ')}` : undefined;
}

const TH = 1e12;

function parseV3(replies: Replies, identity: Identity): MinerReadout {
  const reply = replies.get(V3_STATUS.command);
  if (reply === undefined) throw new MinerError('malformed', `${V3_STATUS.command}: no reply`);
  if (reply instanceof MinerError) throw reply;
  const summary = v3Message(V3_STATUS.command, reply).summary;
  if (!isRecord(summary)) throw new MinerError('malformed', `${V3_STATUS.command}: msg has no summary`);
  // Same window preference as the cgminer families: the 1-minute rate before the instantaneous one.
  const hashTh = num(summary['hash-1min']) ?? num(summary['hash-realtime']) ?? num(summary['hash-average']);
  const boards = summary['board-temperature'];
  return {
    vendor: 'microbt',
    model: identity.model,
    hashrate_hs: hashTh === undefined ? undefined : hashTh * TH,
    reported_power_w: num(summary['power-realtime']) ?? num(summary['power-5min']),
    temp_c: maxPositive(Array.isArray(boards) ? boards.map(num) : [num(boards)]),
    fan_rpm: maxOf([num(summary['fan-speed-in']), num(summary['fan-speed-out'])]),
    uptime_s: num(summary.elapsed),
  };
}

export const whatsminerV3Adapter: FamilyAdapter = {
  family: 'whatsminer-v3',
  protocol: 'whatsminer-v3',
  joinReads: false,
  reads: [V3_STATUS],
  parse: parseV3,
};
