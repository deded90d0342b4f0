/**
 * Telemetry payload of wire contract v1: one message per host per interval, base units only
 * (W, J, H/s, ratios 0..1, s, bytes, °C). The TypeScript types are inferred from these schemas.
 */
import { z } from 'zod';
import { BOUNDS } from './bounds.js';
import { Name } from './topics.js';

export const Workload = z.enum(['mining', 'hpc']);
export type Workload = z.infer<typeof Workload>;

export const DeviceKind = z.enum(['gpu', 'asic', 'host', 'meter']);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** measured: meter/PDU; reported: the device's own reading; estimated: nameplate efficiency × work. */
export const PowerSource = z.enum(['measured', 'reported', 'estimated']);
export type PowerSource = z.infer<typeof PowerSource>;

/**
 * Device id, vendor and model become InfluxDB tags and Prometheus label values: a control character
 * or a trailing backslash cannot be carried (the line protocol client does not escape them), and a
 * lone surrogate (from a `\ud800` escape) is not valid UTF-8, so it would be stored as U+FFFD.
 */
const UNSAFE_TAG = /\p{Cc}|\p{Cs}|\\$/u;
const TagValue = (max: number) =>
  z.string().min(1).max(max).refine((s) => !UNSAFE_TAG.test(s), 'must be valid UTF-8 without control characters, not ending with a backslash');

/** What an agent does to a device's own strings before publishing them, so they pass `TagValue`. */
export function tagSafe(value: string): string {
  return value.replace(/\p{Cc}|\p{Cs}/gu, ' ').replace(/\\+$/, '').trim();
}


/** Most hosts one meter can say it feeds (a row PDU or a feeder, not a whole site: use "site"). */
export const MAX_COVERED_HOSTS = 256;

/**
 * What a meter (`kind: "meter"`) measures: the agent hosts it feeds, or `"site"` for the meter the
 * site is billed by. The collector builds billed power from it (collector/economics/billed-power.ts).
 */
export const Covers = z.union([z.literal('site'), z.array(Name).min(1).max(MAX_COVERED_HOSTS)]);
export type Covers = z.infer<typeof Covers>;

const upTo = (max: number) => z.number().finite().nonnegative().max(max);
const ratio = z.number().finite().min(0).max(1);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const DeviceSample = z.object({
  id: TagValue(128),
  kind: DeviceKind,
  workload: Workload,
  vendor: TagValue(64).optional(),
  model: TagValue(128).optional(),
  /** The model string as the device gave it, where `model` is its canonical form ("Antminer S9\nV1.3.58"); for support, not a tag. */
  model_raw: z.string().max(256).optional(),
  /**
   * A miner's hash algorithm ("sha256", "scrypt", …; "unknown" when the agent cannot tell). Only
   * sha256 hashrate is priced with bitcoin's hashprice. Additive in v1: samples from agents that
   * predate it carry none and are read as sha256.
   */
  algorithm: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'must be a lowercase algorithm name such as "sha256"')
    .optional(),
  up: z.boolean(),
  /** Why the device is down or degraded, for operators; never a secret. */
  error: z.string().max(256).optional(),
  /** Up to BOUNDS.device_power_w, or BOUNDS.meter_power_w for a `meter` (checked below). */
  power_w: upTo(BOUNDS.meter_power_w).optional(),
  power_source: PowerSource.optional(),
  /** Meters only: what the power figure covers. */
  covers: Covers.optional(),
  /** Monotonic counter: joules since the agent first saw this device. */
  energy_j: upTo(BOUNDS.energy_j).optional(),
  utilization: ratio.optional(),
  temp_c: z.number().finite().min(BOUNDS.temp_c.min).max(BOUNDS.temp_c.max).optional(),
  hashrate_hs: upTo(BOUNDS.hashrate_hs).optional(),
  fan_rpm: upTo(BOUNDS.fan_rpm).optional(),
  uptime_s: upTo(BOUNDS.uptime_s).optional(),
  hw_errors: count.optional(),
  shares_accepted: count.optional(),
  shares_rejected: count.optional(),
  mem_used_bytes: upTo(BOUNDS.mem_bytes).optional(),
  mem_total_bytes: upTo(BOUNDS.mem_bytes).optional(),
}).refine((d) => d.power_w === undefined || d.kind === 'meter' || d.power_w <= BOUNDS.device_power_w, {
  message: `must be at most ${BOUNDS.device_power_w} W for a device that is not a meter`,
  path: ['power_w'],
});
export type DeviceSample = z.infer<typeof DeviceSample>;

/** Upper bound on devices per message; agents split larger fleets across messages. */
export const MAX_DEVICES_PER_MESSAGE = BOUNDS.devices_per_message;

export const Telemetry = z.object({
  v: z.literal(1),
  site: Name,
  host: Name,
  /** +1 per message per agent, persisted across restarts: gaps measure loss. */
  seq: z.number().int().nonnegative(),
  /** Unix epoch milliseconds of the sample. */
  ts: z.number().int().positive(),
  interval_s: z.number().finite().positive().max(BOUNDS.interval_s),
  devices: z.array(DeviceSample).max(MAX_DEVICES_PER_MESSAGE),
});
export type Telemetry = z.infer<typeof Telemetry>;

/** Numeric device fields, in one place so writers and metrics stay in step with the schema. */
export const NUMERIC_DEVICE_FIELDS = [
  'power_w',
  'energy_j',
  'utilization',
  'temp_c',
  'hashrate_hs',
  'fan_rpm',
  'uptime_s',
  'hw_errors',
  'shares_accepted',
  'shares_rejected',
  'mem_used_bytes',
  'mem_total_bytes',
] as const satisfies readonly (keyof DeviceSample)[];
