/**
 * A miner's readout as the agent's DeviceReading: kind "asic", base units, and only values the wire
 * schema accepts (a firmware's negative counter or 300-character error must not get the whole
 * message rejected by the collector).
 */
import type { DeviceReading } from '../../source.js';
import type { MinerTarget } from '../config.js';
import type { Identity, MinerReadout } from '../families/family.js';
import type { ResolvedPower } from './power.js';

const MAX_ERROR = 256;
const MAX_MODEL = 128;
const MAX_VENDOR = 64;
const MAX_MODEL_RAW = 256;

const nonNegative = (value: number | undefined): number | undefined => (value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined);
const count = (value: number | undefined): number | undefined => {
  const n = nonNegative(value);
  return n === undefined ? undefined : Math.round(n);
};
const temperature = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value >= -273.15 && value <= 1000 ? value : undefined;

function base(target: MinerTarget, vendor: string | undefined, model: string | undefined): DeviceReading {
  const reading: DeviceReading = { id: target.id, kind: 'asic', up: true };
  if (vendor) reading.vendor = vendor.slice(0, MAX_VENDOR);
  if (model) reading.model = model.slice(0, MAX_MODEL);
  return reading;
}

export function upReading(target: MinerTarget, readout: MinerReadout, power: ResolvedPower | undefined): DeviceReading {
  const reading = base(target, readout.vendor, readout.model);
  if (readout.model_raw) reading.model_raw = readout.model_raw.slice(0, MAX_MODEL_RAW);
  if (readout.algorithm) reading.algorithm = readout.algorithm;
  if (readout.note) reading.error = readout.note.slice(0, MAX_ERROR);
  const fields: Partial<DeviceReading> = {
    power_w: nonNegative(power?.power_w),
    hashrate_hs: nonNegative(readout.hashrate_hs),
    temp_c: temperature(readout.temp_c),
    fan_rpm: nonNegative(readout.fan_rpm),
    uptime_s: nonNegative(readout.uptime_s),
    hw_errors: count(readout.hw_errors),
    shares_accepted: count(readout.shares_accepted),
    shares_rejected: count(readout.shares_rejected),
  };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) (reading as Record<string, unknown>)[key] = value;
  if (reading.power_w !== undefined && power) reading.power_source = power.power_source;
  return reading;
}

export function downReading(target: MinerTarget, vendor: string | undefined, identity: Identity | undefined, error: string): DeviceReading {
  const model = identity?.model ?? target.model;
  const reading = base(target, vendor, model);
  reading.up = false;
  reading.error = error.slice(0, MAX_ERROR);
  return reading;
}
