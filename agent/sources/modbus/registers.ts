/**
 * A meter's register map as data: where its total active power and its import-energy counter are,
 * how they are encoded and in what unit. Decoding is pure: 16-bit words in, W or J out, or undefined
 * for the "not available" sentinels (all bits set, or 0x7FFF… for signed types, as ABB sends) and NaN.
 */
import { z } from 'zod';

export const DATA_TYPES = {
  uint16: 1,
  int16: 1,
  uint32: 2,
  int32: 2,
  float32: 2,
  uint64: 4,
  int64: 4,
} as const;
export type DataType = keyof typeof DATA_TYPES;

const POWER_UNITS = { W: 1, kW: 1000 } as const;
const ENERGY_UNITS = { Wh: 3600, kWh: 3.6e6 } as const;

const registerFields = {
  address: z.number().int().min(0).max(65535).describe('The 0-based address on the wire (Schneider prints 1-based numbers: address = number − 1).'),
  table: z.enum(['input', 'holding']).describe('input registers (function 4, Eastron) or holding registers (function 3, Schneider, ABB).'),
  type: z.enum(Object.keys(DATA_TYPES) as [DataType, ...DataType[]]).describe('How the value is encoded (16, 32 or 64 bits, integer or IEEE float).'),
  word_order: z.enum(['high_first', 'low_first']).default('high_first').describe('Which 16-bit word comes first for 32- and 64-bit values; every shipped meter sends the high word first.'),
  scale: z.number().finite().positive().default(1).describe('Multiplies the raw value before the unit applies (ABB: 0.01).'),
};

export const PowerRegister = z.object({ ...registerFields, unit: z.enum(['W', 'kW']).describe('Unit of the power value after scale.') }).strict();
export const EnergyRegister = z.object({ ...registerFields, unit: z.enum(['Wh', 'kWh']).describe('Unit of the energy counter after scale.') }).strict();
export type PowerRegister = z.infer<typeof PowerRegister>;
export type EnergyRegister = z.infer<typeof EnergyRegister>;
type Register = PowerRegister | EnergyRegister;

export const RegisterMap = z
  .object({
    power: PowerRegister.describe('Total active power (all phases).'),
    energy: EnergyRegister.optional().describe("The meter's own import (delivered) active-energy counter."),
  })
  .strict();
export type RegisterMap = z.infer<typeof RegisterMap>;

export const wordsOf = (r: Register) => DATA_TYPES[r.type];

/** The raw integer or float the words hold, or undefined for a sentinel. */
export function rawValue(words: readonly number[], type: DataType, order: 'high_first' | 'low_first'): number | undefined {
  const n = DATA_TYPES[type];
  if (words.length < n) throw new RangeError(`${type} needs ${n} registers, got ${words.length}`);
  const ordered = order === 'high_first' ? words.slice(0, n) : words.slice(0, n).reverse();
  const buf = Buffer.alloc(n * 2);
  ordered.forEach((w, i) => buf.writeUInt16BE(w & 0xffff, i * 2));
  const allOnes = buf.every((b) => b === 0xff);
  const signedMax = buf[0] === 0x7f && buf.subarray(1).every((b) => b === 0xff);
  switch (type) {
    case 'float32': {
      const v = buf.readFloatBE(0);
      return Number.isFinite(v) ? v : undefined;
    }
    case 'uint16':
    case 'uint32':
    case 'uint64':
      return allOnes ? undefined : readUnsigned(buf);
    case 'int16':
      return signedMax ? undefined : buf.readInt16BE(0);
    case 'int32':
      return signedMax ? undefined : buf.readInt32BE(0);
    case 'int64':
      return signedMax ? undefined : Number(buf.readBigInt64BE(0));
  }
}

/** Big-endian unsigned of any width; exact to 2^53, far beyond any meter's counter in Wh. */
function readUnsigned(buf: Buffer): number {
  let v = 0;
  for (const b of buf) v = v * 256 + b;
  return v;
}

/** Watts from a power register's words. */
export function decodePower(words: readonly number[], r: PowerRegister): number | undefined {
  const raw = rawValue(words, r.type, r.word_order);
  return raw === undefined ? undefined : raw * r.scale * POWER_UNITS[r.unit];
}

/** Joules from an energy register's words. */
export function decodeEnergy(words: readonly number[], r: EnergyRegister): number | undefined {
  const raw = rawValue(words, r.type, r.word_order);
  return raw === undefined ? undefined : raw * r.scale * ENERGY_UNITS[r.unit];
}
