/**
 * Field semantics shared by the cgminer-family adapters: hashrate keys in any unit, the summary
 * counters, and the TEMPS / FANS sections of bosminer-style firmware.
 */
import { num, rows, type JsonRecord } from '../wire/reply.js';

/** cgminer names hashrate fields "<unit> <window>", e.g. "GHS 5s" (bmminer), "MHS 1m" (btminer, bosminer). */
export const HASH_UNITS = { THS: 1e12, GHS: 1e9, MHS: 1e6, KHS: 1e3 } as const;
export type HashUnit = keyof typeof HASH_UNITS;

/**
 * Window preference: the shortest window that reflects the current rate without a 5 s window's
 * ±20 % noise (a Whatsminer's "MHS 5s" reads 116 TH/s beside a 1-minute 98), then longer ones, then
 * 5 s when it is all there is. Never "av", the mean since start-up: a miner that stopped an hour
 * ago still averages most of its rate.
 */
const WINDOWS = ['30s', '1m', '5m', '15m', '30m', '5s'];

function windowValue(record: JsonRecord, window: string, scales: Record<HashUnit, number>): number | undefined {
  for (const [unit, scale] of Object.entries(scales)) {
    const value = num(record[`${unit} ${window}`]);
    if (value !== undefined && value >= 0) return value * scale;
  }
  return undefined;
}

/**
 * The hashrate a record carries, in H/s, or undefined when it has none (a null/nan window is
 * skipped). A record whose 5 s rate is 0 is not hashing now, whatever its longer windows remember
 * (an Antminer that shut its boards down on overheat keeps its 30-minute rate for half an hour).
 * `units` overrides a unit's meaning, for firmware that mislabels it.
 */
export function hashrateFrom(record: JsonRecord | undefined, units: Partial<Record<HashUnit, number>> = {}): number | undefined {
  if (!record) return undefined;
  const scales = { ...HASH_UNITS, ...units };
  if (windowValue(record, '5s', scales) === 0) return 0;
  for (const window of WINDOWS) {
    const value = windowValue(record, window, scales);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Largest value above zero: 0 marks an empty sensor slot on every firmware here. */
export function maxPositive(values: Iterable<number | undefined>): number | undefined {
  let max: number | undefined;
  for (const value of values) if (value !== undefined && value > 0 && (max === undefined || value > max)) max = value;
  return max;
}

/** Largest non-negative value (a fan at 0 rpm is a real reading: stopped). */
export function maxOf(values: Iterable<number | undefined>): number | undefined {
  let max: number | undefined;
  for (const value of values) if (value !== undefined && value >= 0 && (max === undefined || value > max)) max = value;
  return max;
}

/** Values of the keys matching `pattern`, e.g. fan1..fan8 or temp1..temp16. */
export function numbered(record: JsonRecord | undefined, pattern: RegExp): number[] {
  if (!record) return [];
  const values: number[] = [];
  for (const [key, value] of Object.entries(record)) {
    const n = num(value);
    if (n !== undefined && pattern.test(key)) values.push(n);
  }
  return values;
}

export interface SummaryCounters {
  uptime_s?: number;
  hw_errors?: number;
  shares_accepted?: number;
  shares_rejected?: number;
}

/** The counters every cgminer SUMMARY row carries. */
export function summaryCounters(summary: JsonRecord | undefined): SummaryCounters {
  const counters: SummaryCounters = {};
  if (!summary) return counters;
  const uptime = num(summary.Elapsed);
  if (uptime !== undefined) counters.uptime_s = uptime;
  const hw = num(summary['Hardware Errors']);
  if (hw !== undefined) counters.hw_errors = hw;
  const accepted = num(summary.Accepted);
  if (accepted !== undefined) counters.shares_accepted = accepted;
  const rejected = num(summary.Rejected);
  if (rejected !== undefined) counters.shares_rejected = rejected;
  return counters;
}

/** Board temperature keys of TEMPS rows (bosminer "Board"; LuxOS names board corners). "Chip" is a chip sensor, not the board. */
const BOARD_TEMP_KEYS = ['Board', 'TopLeft', 'TopRight', 'BottomLeft', 'BottomRight'];

/** Hottest board of a `temps` reply (bosminer, LuxOS). */
export function boardTempFromTemps(reply: JsonRecord | undefined): number | undefined {
  return maxPositive(rows(reply, 'TEMPS').flatMap((row) => BOARD_TEMP_KEYS.map((key) => num(row[key]))));
}

/** Fastest fan of a `fans` reply (bosminer, LuxOS): FANS[].RPM. */
export function fanRpmFromFans(reply: JsonRecord | undefined): number | undefined {
  return maxOf(rows(reply, 'FANS').map((row) => num(row.RPM)));
}
