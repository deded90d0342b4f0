// Every register map in fixtures/ replayed by a real Modbus TCP server on loopback, read by the real
// source. Each quantity of a map is served with its own value in its own encoding, so a read one
// register off (Schneider's 1-based numbers) or in the wrong unit cannot pass.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerFile, startFakeMeter, type FakeMeter, type RegisterTable } from '../../../demo/fake-meter.js';
import { ModbusConfig } from './definition.js';
import { ModbusSource } from './index.js';
import { METERS } from './meters.js';
import { decodePower, rawValue } from './registers.js';

interface FixtureRegister {
  quantity: string;
  pdu_address_dec: number;
  function_code: 3 | 4;
  data_type: 'float32' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'int16' | 'uint16';
}
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const eastron = fixture('eastron-sdm630.registers.json') as { registers: FixtureRegister[]; captured_reads: { raw_registers_dec: number[] }[] };
const schneider = fixture('schneider-iem3000-pm5340.registers.json') as { iem3000_registers: FixtureRegister[] };
const abb = fixture('abb-b2x-m4m.registers.json') as { registers: FixtureRegister[] };

/** The words a meter sends for `value` of `type`, high word first. */
function words(type: FixtureRegister['data_type'], value: number): number[] {
  const n = { float32: 2, int32: 2, uint32: 2, int64: 4, uint64: 4, int16: 1, uint16: 1 }[type];
  const buf = Buffer.alloc(n * 2);
  if (type === 'float32') buf.writeFloatBE(value);
  else if (type === 'int32') buf.writeInt32BE(value);
  else if (type === 'uint32') buf.writeUInt32BE(value);
  else if (type === 'int64') buf.writeBigInt64BE(BigInt(value));
  else if (type === 'uint64') buf.writeBigUInt64BE(BigInt(value));
  else if (type === 'int16') buf.writeInt16BE(value);
  else buf.writeUInt16BE(value);
  return Array.from({ length: n }, (_, i) => buf.readUInt16BE(i * 2));
}

/** Every quantity of a fixture map at its address, with a raw value of its own (1000 + 37 × its index). */
function serveMap(registers: readonly FixtureRegister[], overrides: Record<string, number[]> = {}) {
  return registerFile(
    registers.map((r, i) => ({
      table: (r.function_code === 4 ? 'input' : 'holding') as RegisterTable,
      address: r.pdu_address_dec,
      words: overrides[r.quantity] ?? words(r.data_type, 1000 + 37 * i),
    })),
  );
}
const rawOf = (registers: readonly FixtureRegister[], quantity: string) => 1000 + 37 * registers.findIndex((r) => r.quantity === quantity);
const at = (registers: readonly FixtureRegister[], quantity: string) => registers.find((r) => r.quantity === quantity)!;

const meters: FakeMeter[] = [];
afterAll(async () => {
  await Promise.all(meters.map((m) => m.close()));
});

async function read(meter: FakeMeter, config: Record<string, unknown>) {
  const source = new ModbusSource(ModbusConfig.parse({ type: 'modbus', host: meter.host, port: meter.port, covers: ['gw-row1'], timeout: '500ms', ...config }));
  try {
    return (await source.read(AbortSignal.timeout(10_000)))[0]!;
  } finally {
    await source.close();
  }
}

describe('shipped maps agree with the fixtures', () => {
  it.each([
    ['eastron-sdm630', eastron.registers],
    ['schneider-iem3000', schneider.iem3000_registers],
    ['abb-b2x', abb.registers],
  ] as const)('%s: power and import energy at the fixture\'s addresses, tables and types', (model, registers) => {
    const map = METERS[model];
    for (const [key, quantity] of [['power', 'active_power_total'], ['energy', 'import_active_energy_total']] as const) {
      const r = at(registers, quantity);
      expect({ address: map[key].address, table: map[key].table, type: map[key].type }, `${model} ${key}`).toEqual({
        address: r.pdu_address_dec,
        table: r.function_code === 4 ? 'input' : 'holding',
        type: r.data_type,
      });
    }
  });
});

describe('modbus source against a real Modbus TCP meter', () => {
  it('Eastron SDM630: float32 W and kWh in input registers; the captured 2,127.98 kWh read decodes exactly', async () => {
    const captured = eastron.captured_reads[0]!.raw_registers_dec; // [17668, 65470, 0, 0]: 4 asked for a 2-word float
    const meter = await startFakeMeter(serveMap(eastron.registers, { active_power_total: words('float32', 6895), import_active_energy_total: captured.slice(0, 2), active_energy_total_import_plus_export: captured }));
    meters.push(meter);
    const r = await read(meter, { meter: 'eastron-sdm630' });
    // 6,895 W is what the same published log reports; 0x4504FFBE = 2127.98388671875 kWh × 3.6e6 J.
    expect(r).toMatchObject({ id: `127.0.0.1:${meter.port}/1`, kind: 'meter', up: true, power_w: 6895, power_source: 'measured', covers: ['gw-row1'], model: 'eastron-sdm630' });
    expect(r.device_energy_j).toBe(2127.98388671875 * 3.6e6);
  });

  it('an operator\'s own map reads the captured register 342 (total kWh) the same way', async () => {
    const meter = await startFakeMeter(serveMap(eastron.registers, { active_energy_total_import_plus_export: eastron.captured_reads[0]!.raw_registers_dec }));
    meters.push(meter);
    const r = await read(meter, {
      map: { power: { address: 12, table: 'input', type: 'float32', unit: 'W' }, energy: { address: 342, table: 'input', type: 'float32', unit: 'kWh' } },
    });
    // Register 12 is active_power_l1, the 7th quantity: raw 1000 + 37 × 6 = 1222 W.
    expect(r).toMatchObject({ up: true, power_w: rawOf(eastron.registers, 'active_power_l1'), device_energy_j: 2127.98388671875 * 3.6e6 });
  });

  it('Schneider iEM3000 / PM5xxx: kW float at 3059 (number 3060), Wh INT64 at 3203; neighbours differ so an off-by-one cannot pass', async () => {
    const meter = await startFakeMeter(serveMap(schneider.iem3000_registers, { active_power_total: words('float32', 41.37), import_active_energy_total: words('int64', 74_057_676) }));
    meters.push(meter);
    for (const model of ['schneider-iem3000', 'schneider-pm5000']) {
      const r = await read(meter, { meter: model });
      // 41.37 kW as the meter's float32 → W; 74,057,676 Wh × 3,600 J.
      expect(r).toMatchObject({ up: true, power_w: Math.fround(41.37) * 1000, device_energy_j: 74_057_676 * 3600 });
    }
  });

  it('ABB B2x: 0.01 W and 0.01 kWh integers; all-ones means "not available", not 4 GW; reversed meters read negative', async () => {
    const meter = await startFakeMeter(serveMap(abb.registers, { active_power_total: words('int32', 512_345), import_active_energy_total: words('uint64', 1_493_107_599) }));
    meters.push(meter);
    // 512,345 × 0.01 W; 1,493,107,599 × 0.01 kWh × 3.6e6 J.
    expect(await read(meter, { meter: 'abb-b2x' })).toMatchObject({ up: true, power_w: 5123.45, device_energy_j: 14_931_075.99 * 3.6e6 });

    const unavailable = await startFakeMeter(serveMap(abb.registers, { active_power_total: [0x7fff, 0xffff], import_active_energy_total: [0xffff, 0xffff, 0xffff, 0xffff] }));
    meters.push(unavailable);
    const na = await read(unavailable, { meter: 'abb-b2x' });
    expect(na).toMatchObject({ up: true, error: expect.stringContaining('not available') });
    expect(na.power_w).toBeUndefined();
    expect(na.device_energy_j).toBeUndefined();

    const reversed = await startFakeMeter(serveMap(abb.registers, { active_power_total: words('int32', -512_345) }));
    meters.push(reversed);
    const negative = await read(reversed, { meter: 'abb-b2x' });
    expect(negative.power_w).toBeUndefined();
    expect(negative.error).toContain('reverse: true');
    expect(await read(reversed, { meter: 'abb-b2x', reverse: true })).toMatchObject({ power_w: 5123.45 });
  });

  it('reports the meter down, naming the cause, when it hangs, refuses or drops the connection, and recovers', async () => {
    const meter = await startFakeMeter(serveMap(eastron.registers, { active_power_total: words('float32', 6895) }));
    meters.push(meter);
    const source = new ModbusSource(ModbusConfig.parse({ type: 'modbus', host: meter.host, port: meter.port, covers: 'site', meter: 'eastron-sdm630', timeout: '300ms' }));
    for (const [behaviour, error] of [['hang', /timed out/i], ['refuse', /exception 2/i], ['close', /.+/]] as const) {
      meter.behave(behaviour);
      const r = (await source.read(AbortSignal.timeout(10_000)))[0]!;
      expect(r, behaviour).toMatchObject({ up: false, covers: 'site', error: expect.stringMatching(error) });
    }
    meter.behave('ok');
    expect((await source.read(AbortSignal.timeout(10_000)))[0]).toMatchObject({ up: true, power_w: 6895 });
    await source.close();
  });

  it('reports a meter nobody answers for as down', async () => {
    const r = await read({ host: '127.0.0.1', port: 9, behave: () => undefined, close: async () => undefined }, { meter: 'eastron-sdm630' });
    expect(r).toMatchObject({ up: false, error: expect.any(String) });
  });
});

describe('register decoding, pure', () => {
  it('word order and sentinels', () => {
    expect(rawValue([0xffbe, 0x4504], 'float32', 'low_first')).toBe(2127.98388671875);
    expect(rawValue([0xffff], 'uint16', 'high_first')).toBeUndefined();
    expect(rawValue([0x7fff], 'int16', 'high_first')).toBeUndefined();
    expect(rawValue([0x7fc0, 0x0000], 'float32', 'high_first')).toBeUndefined(); // NaN
    expect(decodePower([0, 1000], { address: 0, table: 'holding', type: 'uint32', word_order: 'high_first', scale: 0.1, unit: 'kW' })).toBeCloseTo(100_000, 9);
  });

  it('config: a meter or a map, and covers', () => {
    const base = { type: 'modbus', host: '10.0.3.5' };
    expect(ModbusConfig.safeParse({ ...base, covers: 'site' }).error?.issues[0]?.path).toEqual(['meter']);
    expect(ModbusConfig.safeParse({ ...base, meter: 'eastron-sdm630' }).error?.issues[0]?.path).toEqual(['covers']);
    expect(ModbusConfig.safeParse({ ...base, meter: 'landis-gyr', covers: 'site' }).success).toBe(false);
  });
});
