/**
 * AMD GPUs through `rocm-smi --json` (power, GPU use, temperature, VRAM and the driver's energy
 * counter, which the agent turns into the published energy_j). GPUs seen before are reported down,
 * with the reason, when rocm-smi fails, instead of vanishing from the site.
 */
import { runCommand } from '../../../common/exec.js';
import type { DeviceReading, Source } from '../source.js';
import type { AmdConfig } from './definition.js';
import { parseRocmSmiJson } from './parse.js';

export class AmdSource implements Source {
  readonly name = 'amd';
  private readonly known = new Map<string, DeviceReading>();

  constructor(private readonly config: AmdConfig) {}

  async read(signal: AbortSignal): Promise<DeviceReading[]> {
    let readings: DeviceReading[];
    try {
      const { stdout } = await runCommand(this.config.command, this.config.args, this.config.timeout, signal);
      readings = parseRocmSmiJson(stdout);
    } catch (err) {
      if (this.known.size === 0) throw err;
      const error = (err as Error).message.slice(0, 256);
      return [...this.known.values()].map((gpu) => ({ id: gpu.id, kind: 'gpu', vendor: 'amd', model: gpu.model, up: false, error }));
    }
    for (const reading of readings) this.known.set(reading.id, reading);
    return readings;
  }
}
