/**
 * Power meters over Modbus TCP (modbus-serial): total active power and the meter's own import-energy
 * counter, from a shipped register map (`meter:`) or one written in the config (`map:`), published
 * as a meter covering what the config says it feeds. One connection per meter, reopened after a failure.
 */
import ModbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { z } from 'zod';
import { Duration } from '../../../common/units.js';
import { Covers } from '../../../protocol/index.js';
import { meterDown, meterReading } from '../meter.js';
import { defineSource, sourceType, sourceWorkload, type DeviceReading, type Source } from '../source.js';
import { METER_MODELS, METERS } from './meters.js';
import { decodeEnergy, decodePower, RegisterMap, wordsOf, type EnergyRegister, type PowerRegister } from './registers.js';

// CommonJS: the package's module.exports is the client class itself.
const ModbusClient = ModbusSerial as unknown as typeof ModbusRTU;

export const ModbusConfig = z
  .object({
    type: sourceType('modbus'),
    workload: sourceWorkload('mining'),
    host: z.string().min(1).describe('The meter\'s (or its Modbus TCP gateway\'s) address or host name.'),
    port: z.number().int().min(1).max(65535).default(502).describe('Modbus TCP port.'),
    unit_id: z.number().int().min(0).max(255).default(1).describe("Modbus unit (slave) id; behind an RTU gateway, the meter's bus address."),
    meter: z.enum(METER_MODELS).optional().describe('A shipped register map, or `map:` for any other meter.'),
    map: RegisterMap.optional().describe('Where power and energy are, for a meter without a shipped map.'),
    covers: Covers.describe('What the meter feeds: agent host names, or "site" for the meter the site is billed by.'),
    reverse: z.boolean().default(false).describe('Meters installed so that consumption reads as export (negative power).'),
    id: z.string().min(1).max(128).optional().describe('Device id; default the meter\'s host and unit id.'),
    timeout: Duration.prefault('3s').refine((ms) => ms > 0, 'must be more than 0').describe('Per Modbus request; a meter slower than this is reported down for the cycle.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.meter === undefined) === (c.map === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['meter'], message: `set meter (one of ${METER_MODELS.join(', ')}) or map (power and energy registers), one of the two` });
    }
  });
export type ModbusConfig = z.infer<typeof ModbusConfig>;

export class ModbusSource implements Source {
  readonly name: string;
  private readonly id: string;
  private readonly map: RegisterMap;
  private client: ModbusRTU | undefined;
  private readonly counts = { polls: 0, errors: 0 };

  constructor(private readonly config: ModbusConfig) {
    this.name = `modbus(${config.host}:${config.port}/${config.unit_id})`;
    this.id = config.id ?? `${config.host}:${config.port}/${config.unit_id}`;
    this.map = config.map ?? (METERS[config.meter!] as RegisterMap);
  }

  async read(signal: AbortSignal): Promise<DeviceReading[]> {
    this.counts.polls++;
    try {
      const client = await this.connect();
      signal.throwIfAborted();
      const sign = this.config.reverse ? -1 : 1;
      const power = decodePower(await this.registers(client, this.map.power), this.map.power);
      const energy = this.map.energy ? decodeEnergy(await this.registers(client, this.map.energy), this.map.energy) : undefined;
      const reading = meterReading({ id: this.id, covers: this.config.covers, model: this.config.meter, power_w: power === undefined ? undefined : power * sign, energy_j: energy });
      if (power !== undefined && power * sign < 0) reading.error = `negative active power ${power * sign} W: if the meter is installed reversed, set reverse: true`;
      else if (power === undefined) reading.error = 'the meter answered "not available" for active power';
      return [reading];
    } catch (err) {
      this.counts.errors++;
      this.drop();
      return [meterDown(this.id, this.config.covers, describe(err))];
    }
  }

  private async connect(): Promise<ModbusRTU> {
    if (this.client?.isOpen) return this.client;
    this.drop();
    const client = new ModbusClient();
    // A socket error between reads (a gateway reset) must not become an unhandled 'error' event:
    // the port closes, and the next read reports the meter down and reconnects.
    client.on('error', () => undefined);
    client.setTimeout(this.config.timeout);
    await client.connectTCP(this.config.host, { port: this.config.port, timeout: this.config.timeout } as never);
    client.setID(this.config.unit_id);
    this.client = client;
    return client;
  }

  private async registers(client: ModbusRTU, r: PowerRegister | EnergyRegister): Promise<number[]> {
    const n = wordsOf(r);
    const result = r.table === 'input' ? await client.readInputRegisters(r.address, n) : await client.readHoldingRegisters(r.address, n);
    if (!Array.isArray(result.data) || result.data.length < n) throw new Error(`register ${r.address}: ${result.data?.length ?? 0} words for a ${r.type}`);
    return result.data;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    if (client) client.close(() => undefined);
  }

  stats(): object {
    return this.counts;
  }

  async close(): Promise<void> {
    this.drop();
  }
}

/** modbus-serial errors: exceptions from the meter carry a code, timeouts and socket errors a message. */
function describe(err: unknown): string {
  const e = err as { message?: string; modbusCode?: number; errno?: string };
  if (e.modbusCode !== undefined) return `meter refused the read (Modbus exception ${e.modbusCode}: ${e.message ?? ''})`;
  return e.message ?? String(err);
}

export const modbusSource = defineSource({
  type: 'modbus',
  schema: ModbusConfig,
  create: (config: ModbusConfig) => new ModbusSource(config),
});
