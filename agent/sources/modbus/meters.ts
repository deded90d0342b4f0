/**
 * Register maps shipped for common meters (fixtures/SOURCES.md says where each address comes from).
 * An operator writes `map:` in the config for any other meter, in the same shape.
 */
import type { RegisterMap } from './registers.js';

/**
 * Schneider iEM3000 series and PowerLogic PM5xxx share it: the register lists print 1-based numbers
 * (3060 "Active Power Total", 3204 "Active Energy Delivered"), the wire takes number − 1. Power is a
 * float in kW, energy an INT64 in Wh.
 */
const SCHNEIDER = {
  power: { address: 3059, table: 'holding', type: 'float32', word_order: 'high_first', scale: 1, unit: 'kW' },
  energy: { address: 3203, table: 'holding', type: 'int64', word_order: 'high_first', scale: 1, unit: 'Wh' },
} as const satisfies RegisterMap;

export const METERS = {
  /** Eastron SDM630 (and SDM72/SDM230): IEEE floats in input registers, W and kWh. */
  'eastron-sdm630': {
    power: { address: 0x0034, table: 'input', type: 'float32', word_order: 'high_first', scale: 1, unit: 'W' },
    energy: { address: 0x0048, table: 'input', type: 'float32', word_order: 'high_first', scale: 1, unit: 'kWh' },
  },
  'schneider-iem3000': SCHNEIDER,
  'schneider-pm5000': SCHNEIDER,
  /** ABB B21/B23/B24 (the 0x5Bxx map; unconfirmed for M4M): scaled integers, 0.01 W and 0.01 kWh, all-ones = no value. */
  'abb-b2x': {
    power: { address: 0x5b14, table: 'holding', type: 'int32', word_order: 'high_first', scale: 0.01, unit: 'W' },
    energy: { address: 0x5000, table: 'holding', type: 'uint64', word_order: 'high_first', scale: 0.01, unit: 'kWh' },
  },
} as const satisfies Record<string, RegisterMap>;

export type MeterModel = keyof typeof METERS;
export const METER_MODELS = Object.keys(METERS) as [MeterModel, ...MeterModel[]];
