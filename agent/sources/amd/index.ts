/**
 * AMD GPUs through `rocm-smi --json` (power, GPU use, temperature, VRAM and the driver's energy
 * counter, which the agent turns into the published energy_j). GPUs seen before are reported down,
 * with the reason, when rocm-smi fails, instead of vanishing from the site.
 */
import { z } from 'zod';
import { runCommand } from '../../../common/exec.js';
import { Duration } from '../../../common/units.js';
import { defineSource, sourceType, sourceWorkload, type DeviceReading, type Source } from '../source.js';
import { parseRocmSmiJson } from './parse.js';

/** Only what the readings need: faster than `-a`, and every flag exists since ROCm 4. */
export const ROCM_SMI_ARGS = [
  '--showuniqueid',
  '--showbus',
  '--showproductname',
  '--showpower',
  '--showuse',
  '--showtemp',
  '--showmeminfo',
  'vram',
  '--showenergycounter',
  '--json',
];

export const AmdConfig = z
  .object({
    type: sourceType('amd'),
    workload: sourceWorkload('hpc'),
    command: z.string().min(1).default('rocm-smi').describe('The rocm-smi executable: a name looked up on PATH, or an absolute path.'),
    args: z.array(z.string()).min(1).default(ROCM_SMI_ARGS).describe('Replaces the default arguments (e.g. ["-a", "--json"] for a rocm-smi without one of the flags).'),
    timeout: Duration.prefault(5).refine((ms) => ms > 0, 'must be more than 0').describe('How long one rocm-smi run may take before it is killed and the read fails.'),
  })
  .strict();
export type AmdConfig = z.infer<typeof AmdConfig>;

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

export const amdSource = defineSource({
  type: 'amd',
  schema: AmdConfig,
  create: (config: AmdConfig) => new AmdSource(config),
});
