/**
 * Built-in fake devices for the demo, tests and benchmarks. Values are deterministic functions of
 * time (no randomness), so a test can compute exactly what the collector must show.
 */
import { z } from 'zod';
import { Covers, DeviceKind, PowerSource } from '../../../protocol/index.js';
import { defineSource, sourceType, sourceWorkload, type DeviceReading, type Source } from '../source.js';

export const SimulatedConfig = z
  .object({
    type: sourceType('simulated'),
    workload: sourceWorkload(),
    kind: DeviceKind.default('gpu').describe('What the simulated devices pretend to be.'),
    devices: z.number().int().min(1).max(100_000).default(1).describe('How many devices this entry simulates.'),
    id_prefix: z.string().min(1).max(64).default('sim').describe('Device ids are `<prefix>-<n>`.'),
    vendor: z.string().default('simulated').describe('Vendor label of every device.'),
    model: z.string().default('Simulated device').describe('Model label of every device (per-model series and breakeven use it).'),
    power_w: z.number().nonnegative().describe('Power of each device in W, before jitter.'),
    power_source: PowerSource.default('reported').describe('How the power is labelled, as a real source would: measured, reported or estimated.'),
    hashrate_hs: z.number().nonnegative().optional().describe('Hashrate of each device in H/s (110e12 for 110 TH/s); for mining devices.'),
    utilization: z.number().min(0).max(1).optional().describe('Utilisation of each device as a ratio from 0 to 1; for GPUs.'),
    temp_c: z.number().optional().describe('Temperature of each device in °C.'),
    jitter: z.number().min(0).max(0.5).default(0).describe('Relative amplitude of a slow wave on power, hashrate and utilisation (0 = constant).'),
    down: z.number().int().nonnegative().default(0).describe('How many of the devices report `up: false` (the last ones).'),
    covers: Covers.optional().describe('kind meter: what the simulated meter covers (agent hosts, or "site").'),
  })
  .strict()
  .refine((c) => (c.covers !== undefined) === (c.kind === 'meter'), { message: 'a simulated meter needs covers (agent hosts or "site"), and only a meter has one', path: ['covers'] });
export type SimulatedConfig = z.infer<typeof SimulatedConfig>;

/** The readings of every simulated device at time `nowMs`. */
export function simulate(config: SimulatedConfig, nowMs: number): DeviceReading[] {
  const readings: DeviceReading[] = [];
  for (let i = 0; i < config.devices; i++) {
    const id = `${config.id_prefix}-${i}`;
    const base: DeviceReading = { id, kind: config.kind, vendor: config.vendor, model: config.model, up: true };
    if (config.covers) base.covers = config.covers;
    if (i >= config.devices - config.down) {
      readings.push({ ...base, up: false, error: 'simulated outage' });
      continue;
    }
    // A ten-minute wave, phase-shifted per device, so fleets look alive but stay reproducible.
    const wave = 1 + config.jitter * Math.sin((2 * Math.PI * nowMs) / 600_000 + i);
    const reading: DeviceReading = { ...base, power_w: config.power_w * wave, power_source: config.power_source };
    if (config.hashrate_hs !== undefined) reading.hashrate_hs = config.hashrate_hs * wave;
    if (config.utilization !== undefined) reading.utilization = Math.min(1, config.utilization * wave);
    if (config.temp_c !== undefined) reading.temp_c = config.temp_c;
    readings.push(reading);
  }
  return readings;
}

export class SimulatedSource implements Source {
  readonly name: string;
  constructor(
    private readonly config: SimulatedConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.name = `simulated(${config.devices} ${config.kind})`;
  }

  async read(): Promise<DeviceReading[]> {
    return simulate(this.config, this.clock());
  }
}

export const simulatedSource = defineSource({
  type: 'simulated',
  schema: SimulatedConfig,
  create: (config: SimulatedConfig) => new SimulatedSource(config),
});
