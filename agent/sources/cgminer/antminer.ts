/**
 * Antminers on stock Bitmain firmware (bmminer / cgminer, hashrate in GH/s) and on Hiveon, a
 * bmminer build that adds chain power. Stock firmware reports no power: the fleet estimates it
 * from the model (see models.ts). `stats` carries a version header row (STATS[0]: Type, BMMiner)
 * and then the data row (STATS[1]: fans, per-chain temperatures and rates).
 */
import { MinerError } from './errors.js';
import { okReply, requireReply, type FamilyAdapter, type Identity, type MinerReadout, type Replies } from './family.js';
import { hashrateFrom, maxOf, maxPositive, numbered, summaryCounters } from './readings.js';
import { firstRow, num, rows, str, type JsonRecord } from './reply.js';

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
    vendor: 'bitmain',
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

export const antminerAdapter: FamilyAdapter = {
  family: 'antminer',
  protocol: 'cgminer',
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

export const hiveonAdapter: FamilyAdapter = {
  family: 'hiveon',
  protocol: 'cgminer',
  joinReads: true,
  reads: READS,
  parse(replies, identity) {
    const { readout, data } = parseBitmain(replies, identity);
    return { ...readout, reported_power_w: hiveonPower(data) };
  },
};
