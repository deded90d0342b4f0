/**
 * The last check before a sample leaves the agent: one odd value from a firmware (NaN, a negative
 * hashrate, a 300-character model) must not get the whole message rejected by the collector, so
 * invalid fields are dropped, and names are made tag-safe. Pure.
 */
import { DeviceSample, tagSafe } from '../protocol/index.js';

export interface Guarded {
  sample: DeviceSample;
  /** Fields removed because they broke the wire contract. */
  dropped: string[];
}

const clip = (value: string, max: number) => tagSafe(value.slice(0, max));

export function guardSample(input: DeviceSample): Guarded {
  const sample: DeviceSample = { ...input, id: clip(input.id, 128) || 'unknown' };
  if (input.vendor !== undefined) sample.vendor = clip(input.vendor, 64) || undefined;
  if (input.model !== undefined) sample.model = clip(input.model, 128) || undefined;
  if (input.error !== undefined) sample.error = input.error.slice(0, 256);
  const first = DeviceSample.safeParse(sample);
  if (first.success) return { sample: first.data, dropped: [] };
  const dropped = [...new Set(first.error.issues.map((i) => String(i.path[0])))];
  const trimmed = { ...sample } as Record<string, unknown>;
  for (const field of dropped) if (!['id', 'kind', 'workload', 'up'].includes(field)) delete trimmed[field];
  const second = DeviceSample.safeParse(trimmed);
  if (second.success) return { sample: second.data, dropped };
  // Even the identity is broken: publish the device as down rather than lose the message.
  return { sample: { id: sample.id || 'unknown', kind: 'host', workload: input.workload, up: false, error: `invalid reading (${dropped.join(', ')})` }, dropped };
}
