/**
 * Built-in fake devices for the demo, tests and benchmarks. Values are deterministic functions of
 * time (no randomness), so a test can compute exactly what the collector must show.
 */
import { z } from 'zod';
import { Covers, DeviceKind, PowerSource, Workload } from '../../../protocol/index.js';
import { defineSource, type DeviceReading, type Source } from '../source.js';

export const SimulatedConfig = z
  .object({
    type: z.literal('simulated'),
    workload: Workload,
    kind: DeviceKind.default('gpu'),
    devices: z.number().int().min(1).max(100_000).default(1),
    /** Device ids are `<prefix>-<n>`. */
    id_prefix: z.string().min(1).max(64).default('sim'),
    vendor: z.string().default('simulated'),
    model: z.string().default('Simulated device'),
    power_w: z.number().nonnegative(),
    power_source: PowerSource.default('reported'),
    hashrate_hs: z.number().nonnegative().optional(),
    utilization: z.number().min(0).max(1).optional(),
    temp_c: z.number().optional(),
    /** Relative amplitude of a slow wave on power, hashrate and utilisation (0 = constant). */
    jitter: z.number().min(0).max(0.5).default(0),
    /** How many of the devices report `up: false` (the last ones). */
    down: z.number().int().nonnegative().default(0),
    /** kind meter: what the simulated meter covers (agent hosts, or "site"). */
    covers: Covers.optional(),
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
