/**
 * Antminers on Bitmain's bmminer / cgminer builds (stock, and forks that keep its API: asicseer,
 * VNish, MSKminer) and on Hiveon, a bmminer build that adds chain power. Stock firmware reports no
 * power: the fleet estimates it from the model (see models.ts). `stats` carries a version header
 * row (STATS[0]: Type, BMMiner) and then the data row (STATS[1]: fans, per-chain temperatures,
 * rates and, on VNish, `chain_consumptionN` watts). Bitmain's scrypt firmware (L3+) writes MH/s
 * under its "GHS" keys.
 */
import { MinerError } from '../wire/errors.js';
import { firstRow, minerType, num, replyStatus, rows, str, type JsonRecord } from '../wire/reply.js';
import { okReply, requireReply, type Identity, type MinerFamily, type MinerReadout, type Recognised, type Replies } from './family.js';
import { canonicalModel, modelInfo } from './models.js';
import { hashrateFrom, maxOf, maxPositive, numbered, summaryCounters } from './readings.js';

/** Values of "73-45-64-65" style sensor strings; "2--1-20-22" holds a -1, "-" an empty slot. */
function dashedValues(value: unknown): number[] {
  if (typeof value !== 'string') return [];
  return value
    .split(/(?<=\d)-/)
    .map(Number)
    .filter(Number.isFinite);
}

/** Board (PCB) temperatures: temp1..tempN, and on newer firmware temp_pcbN (one value per sensor). */
function boardTemp(data: JsonRecord | undefined): number | undefined {
  const dashed = Object.entries(data ?? {})
    .filter(([key]) => /^temp_pcb\d+$/.test(key))
    .flatMap(([, value]) => dashedValues(value));
  return maxPositive([...numbered(data, /^temp\d+$/), ...dashed]);
}

function sum(values: number[]): number | undefined {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
}

/** Hash boards present (chain_acnN > 0 chips) and their rates, for telling a stopped miner from a slow one. */
function chains(data: JsonRecord | undefined): Array<{ rate: number | undefined }> {
  return Object.entries(data ?? {})
    .filter(([key, value]) => /^chain_acn\d+$/.test(key) && (num(value) ?? 0) > 0)
    .map(([key]) => ({ rate: num(data?.[`chain_rate${key.slice('chain_acn'.length)}`]) }));
}

/** Boards at or above this, stopped, point at the firmware's overheat protection (S19 PCBs run 55–80 °C). */
const HOT_BOARD_C = 85;

/** Why an answering Antminer hashes nothing, from what its boards say. */
function idleNote(data: JsonRecord | undefined, tempC: number | undefined): string {
  const boards = chains(data).length;
  const which = boards > 0 ? `all ${boards} hash boards report 0 H/s` : 'hashrate 0';
  if (tempC !== undefined && tempC >= HOT_BOARD_C) return `not hashing: ${which}, hottest board ${tempC} °C (overheat shutdown?)`;
  return `not hashing: ${which}${tempC === undefined ? '' : `, boards at ${tempC} °C`} (sleep mode or boards off)`;
}

/** Bitmain stats give the 30-minute rate as "rate_30m" in `rate_unit` ("GH") beside the "GHS" windows. */
function statsHashrate(data: JsonRecord | undefined, units: { GHS?: number }): number | undefined {
  const rate30m = num(data?.rate_30m);
  const inGh = data?.rate_unit === undefined || data.rate_unit === 'GH';
  return hashrateFrom(rate30m !== undefined && inGh ? { ...data, 'GHS 30m': rate30m } : data, units);
}

function parseBitmain(replies: Replies, identity: Identity): { readout: MinerReadout; data: JsonRecord | undefined } {
  const summary = firstRow(okReply(replies, 'summary'), 'SUMMARY');
  const statRows = rows(okReply(replies, 'stats'), 'STATS');
  const data = statRows.find((row) => row.ID !== undefined || row.Elapsed !== undefined);
  if (!summary && !data) {
    requireReply(replies, 'summary');
    throw new MinerError('malformed', 'summary: no SUMMARY row and no stats data row');
  }
  const raw = str(statRows[0]?.Type);
  const model = identity.model ?? (raw === undefined ? undefined : canonicalModel(raw));
  // Bitmain's scrypt builds label MH/s as "GHS" (an L3+ at 504 MH/s says "GHS 5s":"504.56").
  const units = model !== undefined && modelInfo(model)?.algorithm === 'scrypt' ? { GHS: 1e6 } : {};
  // asicseer's stats row carries the summary counters too.
  const counters = summaryCounters(summary ?? data);
  const tempC = boardTemp(data);
  const hashrate = hashrateFrom(summary, units) ?? statsHashrate(data, units);
  const readout: MinerReadout = {
    model,
    hashrate_hs: hashrate,
    temp_c: tempC,
    fan_rpm: maxOf(numbered(data, /^fan\d+$/)),
    uptime_s: counters.uptime_s ?? num(data?.Elapsed),
    hw_errors: counters.hw_errors ?? sum(numbered(data, /^chain_hw\d+$/)),
    shares_accepted: counters.shares_accepted,
    shares_rejected: counters.shares_rejected,
    // VNish: watts per hash board.
    reported_power_w: sum(numbered(data, /^chain_consumption\d+$/)),
  };
  if (raw !== undefined && raw !== model) readout.model_raw = raw;
  if (hashrate === 0) readout.note = idleNote(data, tempC);
  return { readout, data };
}

const READS = [{ command: 'summary' }, { command: 'stats' }];
const BITMAIN = { name: 'bitmain', models: /antminer|bitmain/i };

/** "Antminer S9 (vnish 3.8.6)" names its firmware; otherwise the daemon's build ("bmminer 2.4.0-asicseer-1.1.9"). */
function bitmainFirmware(reply: JsonRecord, type: string): string | undefined {
  const noted = /\(([^)]*[a-z][^)]*)\)/i.exec(type)?.[1]?.trim();
  if (noted !== undefined && !/^v[\d.]+$/i.test(noted)) return noted;
  const header = firstRow(reply, 'VERSION') ?? rows(reply, 'STATS')[0];
  const build = str(header?.BMMiner) ?? str(header?.CGMiner) ?? str(header?.Cgminer);
  const daemon = header?.BMMiner !== undefined ? 'bmminer' : 'cgminer';
  return build === undefined ? replyStatus(reply).description : `${daemon} ${build}`;
}

/** Hiveon names itself in Type on some builds and marks its bmminer versions "… rwglr" on others. */
function isHiveon(reply: JsonRecord, type: string): boolean {
  const builds = [replyStatus(reply).description, str(firstRow(reply, 'VERSION')?.BMMiner), str(firstRow(reply, 'VERSION')?.CGMiner), ...rows(reply, 'STATS').map((row) => str(row.BMMiner))];
  return /hiveon/i.test(type) || builds.some((b) => b !== undefined && /rwglr/i.test(b));
}

/** A bmminer reply: "Antminer …" in VERSION or STATS Type (firmware that names its own build is recognised before this). */
function recogniseBitmain(hiveon: boolean) {
  return (reply: JsonRecord): Recognised | undefined => {
    const type = minerType(reply);
    if (type === undefined || !/antminer/i.test(type) || isHiveon(reply, type) !== hiveon) return undefined;
    const model = canonicalModel(type);
    return { model, firmware: bitmainFirmware(reply, type) };
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
  // Hiveon's ASIC firmware is for Bitmain's SHA-256 models.
  algorithm: 'sha256',
  recognise: recogniseBitmain(true),
  joinReads: true,
  reads: READS,
  parse(replies, identity) {
    const { readout, data } = parseBitmain(replies, identity);
    return { ...readout, reported_power_w: hiveonPower(data) };
  },
};
