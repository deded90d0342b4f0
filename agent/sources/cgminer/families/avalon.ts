/**
 * Canaan AvalonMiner (cgminer 4.11 fork). Almost everything sits in one string per module,
 * `"MM ID0": "Ver[1246-83-…] … GHSspd[81072.68] … TMax[77] … Fan1[5344] … PS[0 1214 1316 242 3189 1320 3504] …"`
 * (newer firmware: `"MM ID0:Summary": "'STATS':{Ver[…] …}"`). Power is `WALLPOWER[w]` where the
 * firmware has it, else PS[4] (the PSU output reading, as asic-rs reads it); a zero means no reading.
 */
import { MinerError } from '../wire/errors.js';
import { okReply, requireReply, type MinerFamily, type MinerReadout } from './family.js';
import { hashrateFrom, maxOf, maxPositive, summaryCounters } from './readings.js';
import { firstRow, num, rows, str, type JsonRecord } from '../wire/reply.js';

/** `Key[value]` tokens of an MM ID string; values keep their inner text ("0 1214 1316"). */
export function parseMmTokens(text: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const match of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\[([^\]]*)\]/g)) tokens.set(match[1]!, match[2]!);
  return tokens;
}

function numbers(value: string | undefined): number[] {
  return (value ?? '').trim().split(/\s+/).filter(Boolean).map(Number).filter(Number.isFinite);
}

function first(tokens: Map<string, string>, key: string): number | undefined {
  return numbers(tokens.get(key))[0];
}

/**
 * The model a module's Ver names: Ver[1246-83-21072802_…] → "AvalonMiner 1246";
 * Ver[15-194-24102401_…] → "AvalonMiner 15-194" (series-THs, as PROD says); Ver[9211809-b4b3d00]
 * → "AvalonMiner 921" (model then a YYMM build date); Ver[Q-25052801_…] → "Avalon Q".
 */
export function avalonModel(ver: string | undefined): string | undefined {
  const parts = ver?.split('-').map((p) => p.trim()) ?? [];
  const [first, second] = parts;
  if (!first) return undefined;
  if (/^\d{2}$/.test(first) && second !== undefined && /^\d{3}$/.test(second)) return `AvalonMiner ${first}-${second}`;
  const dated = /^(\d{3,4})\d{4}$/.exec(first);
  if (dated) return `AvalonMiner ${dated[1]}`;
  return /^\d+$/.test(first) ? `AvalonMiner ${first}` : `Avalon ${first}`;
}

/** The MM ID strings of a stats reply, one per hashing module, with the row that holds them. */
export function avalonModules(stats: JsonRecord | undefined): Array<{ row: JsonRecord; tokens: Map<string, string> }> {
  return rows(stats, 'STATS').flatMap((row) =>
    Object.entries(row)
      .filter(([key, value]) => /^MM ID\d+/.test(key) && typeof value === 'string')
      .map(([, value]) => ({ row, tokens: parseMmTokens(value as string) })),
  );
}

function modulePower(tokens: Map<string, string>): number | undefined {
  const wall = first(tokens, 'WALLPOWER');
  if (wall !== undefined && wall > 0) return wall;
  const ps = numbers(tokens.get('PS'))[4];
  return ps !== undefined && ps > 0 ? ps : undefined;
}

function sum(values: Array<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length > 0 ? present.reduce((a, b) => a + b, 0) : undefined;
}

export const avalonFamily: MinerFamily = {
  id: 'avalon',
  protocol: 'cgminer',
  vendor: { name: 'canaan', models: /avalon/i },
  algorithm: 'sha256',
  /** VERSION PROD "AvalonMiner 1246", or a stats reply with MM ID module strings / AVA rows. */
  recognise(reply) {
    const prod = str(firstRow(reply, 'VERSION')?.PROD);
    const modules = avalonModules(reply);
    if (!/avalon/i.test(prod ?? '') && modules.length === 0 && !rows(reply, 'STATS').some((row) => /^AVA/.test(str(row.ID) ?? ''))) return undefined;
    const model = prod ?? avalonModel(modules[0]?.tokens.get('Ver'));
    const firmware = str(firstRow(reply, 'VERSION')?.VERSION) ?? modules[0]?.tokens.get('Ver');
    return { model, firmware };
  },
  joinReads: true,
  reads: [{ command: 'summary' }, { command: 'stats' }],
  parse(replies, identity): MinerReadout {
    const summary = firstRow(okReply(replies, 'summary'), 'SUMMARY');
    const modules = avalonModules(okReply(replies, 'stats'));
    if (!summary && modules.length === 0) {
      requireReply(replies, 'stats');
      throw new MinerError('malformed', 'stats: no MM ID module string and no summary');
    }
    const counters = summaryCounters(summary);
    const speedGh = sum(modules.map(({ tokens }) => first(tokens, 'GHSspd')));
    const hashrate = hashrateFrom(summary) ?? (speedGh === undefined ? undefined : speedGh * 1e9);
    const state = modules.map(({ tokens }) => tokens.get('SYSTEMSTATU')?.trim()).find((s) => s);
    return {
      ...(hashrate === 0 ? { note: `not hashing${state ? ` (${state})` : ''}` } : {}),
      model: identity.model ?? avalonModel(modules[0]?.tokens.get('Ver')),
      hashrate_hs: hashrate,
      reported_power_w: sum(modules.map(({ tokens }) => modulePower(tokens))),
      // No PCB sensor on Avalon boards: TMax is the hottest board reading, HBOTemp/HBITemp the board outlet/inlet (Avalon Q).
      temp_c: maxPositive(modules.flatMap(({ tokens }) => ['TMax', 'HBOTemp', 'HBITemp'].map((key) => first(tokens, key)))),
      fan_rpm: maxOf(modules.flatMap(({ tokens }) => [...tokens].filter(([key]) => /^Fan\d*$/.test(key)).map(([, v]) => numbers(v)[0]))),
      uptime_s: counters.uptime_s ?? num(modules[0]?.row.Elapsed),
      hw_errors: counters.hw_errors ?? sum(modules.map(({ tokens }) => first(tokens, 'HW'))),
      shares_accepted: counters.shares_accepted,
      shares_rejected: counters.shares_rejected,
    };
  },
};

