/** Devices as a plain-text table for a terminal: one row per device, units in the headers. */
import type { DeviceSample } from '../protocol/index.js';

const COLUMNS: [header: string, cell: (d: DeviceSample) => string][] = [
  ['DEVICE', (d) => d.id],
  ['KIND', (d) => d.kind],
  ['WORKLOAD', (d) => d.workload],
  ['MODEL', (d) => d.model ?? ''],
  ['UP', (d) => (d.up ? 'yes' : 'no')],
  ['POWER W', (d) => (d.power_w === undefined ? '' : `${d.power_w.toFixed(1)} ${d.power_source ?? ''}`.trim())],
  ['HASHRATE TH/s', (d) => (d.hashrate_hs === undefined ? '' : (d.hashrate_hs / 1e12).toFixed(2))],
  ['UTIL %', (d) => (d.utilization === undefined ? '' : (d.utilization * 100).toFixed(0))],
  ['TEMP °C', (d) => (d.temp_c === undefined ? '' : d.temp_c.toFixed(0))],
  ['ERROR', (d) => d.error ?? ''],
];

export function devicesTable(devices: readonly DeviceSample[]): string {
  const used = COLUMNS.filter(([header, cell]) => ['DEVICE', 'KIND', 'UP'].includes(header) || devices.some((d) => cell(d) !== ''));
  const rows = [used.map(([h]) => h), ...devices.map((d) => used.map(([, cell]) => cell(d)))];
  const widths = used.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
