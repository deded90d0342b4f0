/**
 * What the measuring sources (redfish, modbus, snmp) share: the shape of a meter's reading, with the
 * `covers` that says what the meter feeds. The collector bills power by it (docs/economics.md).
 */
import type { Covers } from '../../protocol/index.js';
import type { DeviceReading } from './source.js';

export interface MeterValues {
  id: string;
  covers: Covers;
  vendor?: string | undefined;
  model?: string | undefined;
  /** Active power in W; undefined when the meter gave none. */
  power_w?: number | undefined;
  /** The meter's own import-energy counter in J, where it has one. */
  energy_j?: number | undefined;
}

/** A meter that answered: up, its power measured. Without a power figure it is up but shows nothing. */
export function meterReading(v: MeterValues): DeviceReading {
  // Measured also when the agent derives the power from the meter's energy counter.
  const reading: DeviceReading = { id: v.id, kind: 'meter', up: true, covers: v.covers, power_source: 'measured' };
  if (v.vendor) reading.vendor = v.vendor;
  if (v.model) reading.model = v.model;
  if (v.power_w !== undefined && Number.isFinite(v.power_w) && v.power_w >= 0) reading.power_w = v.power_w;
  if (v.energy_j !== undefined && Number.isFinite(v.energy_j) && v.energy_j >= 0) reading.device_energy_j = v.energy_j;
  return reading;
}

/** A meter that did not answer: down, with the reason, still saying what it covers. */
export function meterDown(id: string, covers: Covers, error: string): DeviceReading {
  return { id, kind: 'meter', up: false, error: error.slice(0, 256), covers };
}
