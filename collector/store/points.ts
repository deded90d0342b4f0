/**
 * Telemetry -> InfluxDB points, pure. One measurement per device kind (gpu, asic, host, meter),
 * tagged by site/host/workload/device/model; one `agent_message` point per message records its seq
 * so loss can be counted from history. Timestamps come from the agent, so a redelivered message
 * rewrites the same points (idempotent) instead of adding new ones.
 */
import { NUMERIC_DEVICE_FIELDS, type Telemetry } from '../../protocol/index.js';
import type { Point } from './line-protocol.js';

export const AGENT_MEASUREMENT = 'agent_message';

/** Nanosecond timestamp strings: exact beyond 2^53, and room to tell split messages apart. */
function nanos(ms: number, offsetNs = 0): string {
  return (BigInt(ms) * 1_000_000n + BigInt(offsetNs)).toString();
}

export function telemetryToPoints(message: Telemetry): Point[] {
  const points: Point[] = [];
  const timestamp = nanos(message.ts);
  for (const device of message.devices) {
    const tags: Record<string, string> = { site: message.site, host: message.host, workload: device.workload, device: device.id };
    if (device.model) tags.model = device.model;
    if (device.vendor) tags.vendor = device.vendor;
    if (device.power_source) tags.power_source = device.power_source;
    const fields: Record<string, number | boolean | string> = { up: device.up };
    for (const name of NUMERIC_DEVICE_FIELDS) {
      const value = device[name];
      if (value !== undefined) fields[name] = value;
    }
    if (device.error) fields.error = device.error;
    if (device.covers) fields.covers = device.covers === 'site' ? 'site' : device.covers.join(',');
    points.push({ measurement: device.kind, tags, fields, timestamp });
  }
  // seq below one million apart per ms keeps split messages of one cycle as distinct points.
  points.push({
    measurement: AGENT_MEASUREMENT,
    tags: { site: message.site, host: message.host },
    fields: { seq: message.seq, devices: message.devices.length, interval_s: message.interval_s },
    timestamp: nanos(message.ts, message.seq % 1_000_000),
  });
  return points;
}
