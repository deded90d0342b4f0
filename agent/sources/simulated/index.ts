/**
 * Built-in fake devices for the demo, tests and benchmarks. Values are deterministic functions of
 * time (no randomness), so a test can compute exactly what the collector must show.
 */
import type { DeviceReading, Source } from '../source.js';
import type { SimulatedConfig } from './definition.js';

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
