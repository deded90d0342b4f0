/**
 * Power meters over Modbus TCP (modbus-serial): total active power and the meter's own import-energy
 * counter, from a shipped register map (`meter:`) or one written in the config (`map:`), published
 * as a meter covering what the config says it feeds. One connection per meter, reopened after a failure.
 */
import ModbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { meterDown, meterReading } from '../meter.js';
import type { DeviceReading, Source } from '../source.js';
import type { ModbusConfig } from './definition.js';
import { METERS } from './meters.js';
import { decodeEnergy, decodePower, type RegisterMap, wordsOf, type EnergyRegister, type PowerRegister } from './registers.js';

// CommonJS: the package's module.exports is the client class itself.
const ModbusClient = ModbusSerial as unknown as typeof ModbusRTU;

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
