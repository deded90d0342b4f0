/** The `simulated` source's config; its implementation (index.ts) loads when a config names it. */
import { z } from 'zod';
import { Covers, DeviceKind, PowerSource } from '../../../protocol/index.js';
import { defineSource, sourceType, sourceWorkload } from '../source.js';

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

export const simulatedSource = defineSource({
  type: 'simulated',
  schema: SimulatedConfig,
  create: async (config: SimulatedConfig) => new (await import('./index.js')).SimulatedSource(config),
});
