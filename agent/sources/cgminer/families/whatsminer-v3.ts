/**
 * Whatsminer API v3 (btminer firmware from late 2024, TCP 4433, length-prefixed JSON, see framing.ts).
 * Reads need no token. Replies are `{"code":0,"when":…,"msg":{…},"desc":"…"}`; a non-zero code is an
 * error with the reason in `msg`. `get.miner.status` with param "summary" gives hashrate in TH/s
 * (`hash-1min`, `hash-realtime`, `hash-average`), `power-realtime` in W, `board-temperature`,
 * `fan-speed-in/out` and `elapsed`; `get.device.info` with param "miner" gives `miner.type`
 * (the model, e.g. "M60S_VK30").
 */
import { MinerError } from '../wire/errors.js';
import { requireReply, type Identity, type MinerFamily, type MinerReadout, type Replies } from './family.js';
import { maxOf, maxPositive } from './readings.js';
import { isRecord, num, str, type JsonRecord } from '../wire/reply.js';

const V3_STATUS = { command: 'get.miner.status', param: 'summary' } as const;

/** "M60S_VK30" → "Whatsminer M60S VK30". */
function v3Model(reply: JsonRecord): string | undefined {
  const miner = isRecord(reply.msg) ? reply.msg.miner : undefined;
  const type = isRecord(miner) ? str(miner.type) : undefined;
  return type ? `Whatsminer ${type.replace(/_/g, ' ')}` : undefined;
}

const TH = 1e12;

function parseV3(replies: Replies, identity: Identity): MinerReadout {
  const message = requireReply(replies, V3_STATUS.command).msg;
  const summary = isRecord(message) ? message.summary : undefined;
  if (!isRecord(summary)) throw new MinerError('malformed', `${V3_STATUS.command}: msg has no summary`);
  // Same window preference as the cgminer families: the 1-minute rate before the instantaneous one.
  const hashTh = num(summary['hash-1min']) ?? num(summary['hash-realtime']) ?? num(summary['hash-average']);
  const boards = summary['board-temperature'];
  return {
    model: identity.model,
    hashrate_hs: hashTh === undefined ? undefined : hashTh * TH,
    reported_power_w: num(summary['power-realtime']) ?? num(summary['power-5min']),
    temp_c: maxPositive(Array.isArray(boards) ? boards.map(num) : [num(boards)]),
    fan_rpm: maxOf([num(summary['fan-speed-in']), num(summary['fan-speed-out'])]),
    uptime_s: num(summary.elapsed),
  };
}

export const whatsminerV3Family: MinerFamily = {
  id: 'whatsminer-v3',
  protocol: 'whatsminer-v3',
  vendor: { name: 'microbt', models: /whatsminer/i },
  algorithm: 'sha256',
  /** Any success reply to `get.device.info` on API v3 is a v3 Whatsminer. */
  recognise(reply) {
    if (num(reply.code) !== 0) return undefined;
    return { model: v3Model(reply) };
  },
  joinReads: false,
  reads: [V3_STATUS],
  parse: parseV3,
};
