/**
 * Parses `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output into device readings.
 * Handles both the header/units form (as captured by exporters) and the bare form the agent asks for.
 */
import type { DeviceReading } from '../source.js';

/** What the agent asks for. Order matters: nvidia-smi answers in the order of --query-gpu. */
export const QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'power.draw',
  'power.draw.average',
  'power.draw.instant',
  'utilization.gpu',
  'temperature.gpu',
  'memory.used',
  'memory.total',
] as const;

/** Drivers before the 590 series reject the power.draw.average/.instant fields; this list runs everywhere. */
export const LEGACY_QUERY_FIELDS = QUERY_FIELDS.filter((f) => f !== 'power.draw.average' && f !== 'power.draw.instant');

/** The five ways nvidia-smi says "no value", plus older drivers' [Not Supported] and [Unknown Error]. */
const NOT_AVAILABLE = /^(\[?N\/A\]?|\[Not Supported\]|\[Function Not Found\]|\[Requested functionality has been deprecated\]|\[Unknown Error\]|\[Insufficient Permissions\]|\[GPU is lost\]|)$/i;

const MIB = 1024 * 1024;

export type GpuRecord = Record<string, string | undefined>;

function splitCells(line: string): string[] {
  // nvidia-smi never quotes and always separates with ", "; values may contain single spaces.
  return line.split(',').map((c) => c.trim());
}

/** A header line is a list of field names, optionally with " [unit]" suffixes. */
function isHeader(cells: string[]): boolean {
  return cells.length > 0 && cells.every((c) => /^[a-z][a-z0-9_.]*( \[[^\]]+\])?$/i.test(c)) && cells.some((c) => c.includes('.') || c === 'uuid' || c === 'name');
}

/**
 * Splits CSV output into one record per GPU keyed by field name. Without a header the caller's
 * field list names the columns; a row with a different number of cells is reported, not guessed.
 */
export function parseQueryGpuCsv(text: string, fields: readonly string[]): { records: GpuRecord[]; errors: string[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  const records: GpuRecord[] = [];
  const errors: string[] = [];
  let columns = [...fields];
  lines.forEach((line, i) => {
    const cells = splitCells(line);
    if (i === 0 && isHeader(cells)) {
      columns = cells.map((c) => c.replace(/ \[[^\]]+\]$/, ''));
      return;
    }
    if (cells.length !== columns.length) {
      errors.push(`line ${i + 1}: expected ${columns.length} values, got ${cells.length}: ${line.slice(0, 120)}`);
      return;
    }
    const record: GpuRecord = {};
    columns.forEach((name, j) => {
      const cell = cells[j]!;
      record[name] = NOT_AVAILABLE.test(cell) ? undefined : cell;
    });
    records.push(record);
  });
  return { records, errors };
}

/** "631.95 W", "100 %", "19818 MiB" or bare "631.95" -> number; anything else -> undefined. */
export function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(-?\d+(?:\.\d+)?)(?:\s*(?:W|%|MiB|MHz|C|us))?$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

function firstNumber(record: GpuRecord, ...names: string[]): number | undefined {
  for (const name of names) {
    const n = numberOf(record[name]);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** One GPU record -> the agent's reading; power prefers the driver's own `power.draw`. */
export function toReading(record: GpuRecord): DeviceReading {
  const powerW = firstNumber(record, 'power.draw', 'power.draw.average', 'power.draw.instant');
  const util = numberOf(record['utilization.gpu']);
  const memUsed = numberOf(record['memory.used']);
  const memTotal = numberOf(record['memory.total']);
  const reading: DeviceReading = {
    id: record.uuid ?? `gpu${record.index ?? '?'}`,
    kind: 'gpu',
    vendor: 'nvidia',
    up: true,
  };
  if (record.name !== undefined) reading.model = record.name;
  if (powerW !== undefined) {
    reading.power_w = powerW;
    reading.power_source = 'reported';
  }
  if (util !== undefined) reading.utilization = Math.min(1, Math.max(0, util / 100));
  const temp = numberOf(record['temperature.gpu']);
  if (temp !== undefined) reading.temp_c = temp;
  if (memUsed !== undefined) reading.mem_used_bytes = memUsed * MIB;
  if (memTotal !== undefined) reading.mem_total_bytes = memTotal * MIB;
  return reading;
}

/** True when nvidia-smi rejected a field name: the driver is older than the field list. */
export function isUnknownFieldError(stderrOrStdout: string): boolean {
  return /is not a valid field to query/i.test(stderrOrStdout);
}
