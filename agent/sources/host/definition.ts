/** The `host` source's config; its implementation (index.ts, with systeminformation) loads when a config names it. */
import { z } from 'zod';
import { defineSource, sourceType, sourceWorkload } from '../source.js';

export const HostConfig = z
  .object({
    type: sourceType('host'),
    workload: sourceWorkload('hpc'),
    rapl_path: z.string().default('/sys/class/powercap/intel-rapl:0/energy_uj').describe('RAPL package energy counter; empty string turns it off.'),
  })
  .strict();
export type HostConfig = z.infer<typeof HostConfig>;

export const hostSource = defineSource({
  type: 'host',
  schema: HostConfig,
  create: async (config: HostConfig, ctx) => new (await import('./index.js')).HostSource(config, ctx, ctx.hostName),
});
