/** The `nvidia` source's config; its implementation (index.ts) loads when a config names it. */
import { z } from 'zod';
import { Duration } from '../../../common/units.js';
import { defineSource, sourceType, sourceWorkload } from '../source.js';

export const NvidiaConfig = z
  .object({
    type: sourceType('nvidia'),
    workload: sourceWorkload('hpc'),
    command: z.string().default('nvidia-smi').describe('The nvidia-smi executable: a name looked up on PATH, or an absolute path.'),
    timeout: Duration.prefault(5).describe('How long one nvidia-smi run may take before it is killed and the read fails.'),
  })
  .strict();
export type NvidiaConfig = z.infer<typeof NvidiaConfig>;

export const nvidiaSource = defineSource({
  type: 'nvidia',
  schema: NvidiaConfig,
  create: async (config: NvidiaConfig, ctx) => new (await import('./index.js')).NvidiaSource(config, ctx),
});
