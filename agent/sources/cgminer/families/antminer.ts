/**
 * Antminers on stock Bitmain firmware (bmminer / cgminer, hashrate in GH/s) and on Hiveon, a
 * bmminer build that adds chain power. Stock firmware reports no power: the fleet estimates it
 * from the model (see models.ts). `stats` carries a version header row (STATS[0]: Type, BMMiner)
 * and then the data row (STATS[1]: fans, per-chain temperatures and rates).
 */
import { MinerError } from '../wire/errors.js';
import { okReply, requireReply, type MinerFamily, type Identity, type MinerReadout, type Replies } from './family.js';
import { hashrateFrom, maxOf, maxPositive, numbered, summaryCounters } from './readings.js';
import { firstRow, minerType, num, replyStatus, rows, str, type JsonRecord } from '../wire/reply.js';

/** "Antminer S9 Hiveon" names the hardware plus the firmware; the model is the hardware. */
export function bitmainModel(type: string | undefined): string | undefined {
  const model = type?.replace(/\bhiveon\b/gi, '').replace(/\s+/g, ' ').trim();
  return model || undefined;
}

/** Board (PCB) temperatures: temp1..tempN, and on newer firmware temp_pcbN as "73-45-64-65" (one per sensor). */
function boardTemp(data: JsonRecord | undefined): number | undefined {
  const dashed = Object.entries(data ?? {})
    .filter(([key, value]) => /^temp_pcb\d+$/.test(key) && typeof value === 'string')
    .flatMap(([, value]) => (value as string).split('-').map(Number));
  return maxPositive([...numbered(data, /^temp\d+$/), ...dashed]);
}

function parseBitmain(replies: Replies, identity: Identity): { readout: MinerReadout; data: JsonRecord | undefined } {
  const summary = firstRow(okReply(replies, 'summary'), 'SUMMARY');
  const statRows = rows(okReply(replies, 'stats'), 'STATS');
  const data = statRows.find((row) => row.ID !== undefined || row.Elapsed !== undefined);
  if (!summary && !data) {
    requireReply(replies, 'summary');
    throw new MinerError('malformed', 'summary: no SUMMARY row and no stats data row');
  }
  const counters = summaryCounters(summary);
  const model = identity.model ?? bitmainModel(str(statRows[0]?.Type));
  const chainErrors = numbered(data, /^chain_hw\d+$/);
  const readout: MinerReadout = {
    model,
    hashrate_hs: hashrateFrom(summary) ?? hashrateFrom(data),
    temp_c: boardTemp(data),
    fan_rpm: maxOf(numbered(data, /^fan\d+$/)),
    uptime_s: counters.uptime_s ?? num(data?.Elapsed),
    hw_errors: counters.hw_errors ?? (chainErrors.length > 0 ? chainErrors.reduce((a, b) => a + b, 0) : undefined),
    shares_accepted: counters.shares_accepted,
    shares_rejected: counters.shares_rejected,
  };
  return { readout, data };
}

const READS = [{ command: 'summary' }, { command: 'stats' }];
const BITMAIN = { name: 'bitmain', models: /antminer|bitmain/i };

/** Hiveon names itself in Type on some builds and marks its bmminer versions "… rwglr" on others. */
function isHiveon(reply: JsonRecord, type: string): boolean {
  const builds = [replyStatus(reply).description, str(firstRow(reply, 'VERSION')?.BMMiner), str(firstRow(reply, 'VERSION')?.CGMiner), ...rows(reply, 'STATS').map((row) => str(row.BMMiner))];
  return /hiveon/i.test(type) || builds.some((b) => b !== undefined && /rwglr/i.test(b));
}

/** A bmminer reply: "Antminer …" in VERSION or STATS Type (firmware that names its own build is recognised before this). */
function recogniseBitmain(hiveon: boolean) {
  return (reply: JsonRecord): { model?: string } | undefined => {
    const type = minerType(reply);
    if (type === undefined || !/antminer/i.test(type) || isHiveon(reply, type) !== hiveon) return undefined;
    const model = bitmainModel(type);
    return model === undefined ? {} : { model };
  };
}

export const antminerFamily: MinerFamily = {
  id: 'antminer',
  protocol: 'cgminer',
  vendor: BITMAIN,
  recognise: recogniseBitmain(false),
  joinReads: true,
  reads: READS,
  parse: (replies, identity) => parseBitmain(replies, identity).readout,
};

/** Hiveon's `chain_power` is a string with a suffix ("34.65 (AB)"); chain_power1..N are per board. */
function hiveonPower(data: JsonRecord | undefined): number | undefined {
  const total = data?.chain_power;
  if (typeof total === 'number') return total;
  const leading = typeof total === 'string' ? /^\s*(\d+(?:\.\d+)?)/.exec(total) : null;
  if (leading) return Number(leading[1]);
  const chains = numbered(data, /^chain_power\d+$/);
  return chains.length > 0 ? chains.reduce((a, b) => a + b, 0) : undefined;
}

export const hiveonFamily: MinerFamily = {
  id: 'hiveon',
  protocol: 'cgminer',
  vendor: BITMAIN,
  recognise: recogniseBitmain(true),
  joinReads: true,
  reads: READS,
  parse(replies, identity) {
    const { readout, data } = parseBitmain(replies, identity);
    return { ...readout, reported_power_w: hiveonPower(data) };
  },
};
