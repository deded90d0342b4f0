/** The `amd` source's config; its implementation (index.ts) loads when a config names it. */
import { z } from 'zod';
import { Duration } from '../../../common/units.js';
import { defineSource, sourceType, sourceWorkload } from '../source.js';

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

export const amdSource = defineSource({
  type: 'amd',
  schema: AmdConfig,
  create: async (config: AmdConfig) => new (await import('./index.js')).AmdSource(config),
});
