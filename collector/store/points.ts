/**
 * Telemetry -> InfluxDB points, pure. One measurement per device kind (gpu, asic, host, meter),
 * tagged by site/host/workload/device/model; one `agent_message` point per message records its seq
 * so loss can be counted from history. Timestamps come from the agent, so a redelivered message
 * rewrites the same points (idempotent) instead of adding new ones.
 */
import { NUMERIC_DEVICE_FIELDS, type Telemetry } from '../../protocol/index.js';
import type { MessageAmounts } from '../accounting/amounts.js';
import { WORKLOADS } from '../state/live-state.js';
import type { Point } from './line-protocol.js';

export const AGENT_MEASUREMENT = 'agent_message';

/** Nanosecond timestamp strings: exact beyond 2^53, and room to tell split messages apart. */
function nanos(ms: number, offsetNs = 0): string {
  return (BigInt(ms) * 1_000_000n + BigInt(offsetNs)).toString();
}

/**
 * `amounts`, when given, are stored with the message record (`mining_revenue_usd`, `hpc_energy_j`,
 * …): a redelivered message rewrites the same point, so sums over `agent_message` are the site's
 * exact accounts whatever was delivered twice or to which collector.
 */
export function telemetryToPoints(message: Telemetry, amounts?: MessageAmounts): Point[] {
  const points: Point[] = [];
  const timestamp = nanos(message.ts);
  for (const device of message.devices) {
    const tags: Record<string, string> = { site: message.site, host: message.host, workload: device.workload, device: device.id };
    if (device.model) tags.model = device.model;
    if (device.vendor) tags.vendor = device.vendor;
    if (device.power_source) tags.power_source = device.power_source;
    if (device.algorithm) tags.algorithm = device.algorithm;
    const fields: Record<string, number | boolean | string> = { up: device.up };
    for (const name of NUMERIC_DEVICE_FIELDS) {
      const value = device[name];
      if (value !== undefined) fields[name] = value;
    }
    if (device.error) fields.error = device.error;
    // Control characters as JSON escapes ("Antminer S9\\nV1.3.58"): a raw newline has no safe place in line protocol.
    if (device.model_raw) fields.model_raw = JSON.stringify(device.model_raw).slice(1, -1);
    if (device.covers) fields.covers = device.covers === 'site' ? 'site' : device.covers.join(',');
    points.push({ measurement: device.kind, tags, fields, timestamp });
  }
  // seq below one million apart per ms keeps split messages of one cycle as distinct points.
  points.push({
    measurement: AGENT_MEASUREMENT,
    tags: { site: message.site, host: message.host },
    fields: { seq: message.seq, devices: message.devices.length, interval_s: message.interval_s, ...(amounts ? accountFields(amounts) : {}) },
    timestamp: nanos(message.ts, message.seq % 1_000_000),
  });
  return points;
}

/** The workloads a message has devices of, with their billed energy, revenue (when known) and energy cost. */
function accountFields(amounts: MessageAmounts): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const workload of WORKLOADS) {
    const a = amounts[workload];
    if (a.up_seconds + a.down_seconds === 0) continue;
    fields[`${workload}_energy_j`] = a.energy_j;
    fields[`${workload}_energy_cost_usd`] = a.energy_cost_usd;
    if (a.revenue_usd !== undefined) fields[`${workload}_revenue_usd`] = a.revenue_usd;
  }
  return fields;
}
