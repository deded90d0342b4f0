/** The `redfish` source's config; its implementation (index.ts) loads when a config names it. */
import { z } from 'zod';
import { Duration } from '../../../common/units.js';
import { Covers } from '../../../protocol/index.js';
import { defineSource, sourceType, sourceWorkload } from '../source.js';

export const RedfishConfig = z
  .object({
    type: sourceType('redfish'),
    workload: sourceWorkload('hpc'),
    url: z.url({ protocol: /^https$/, error: 'expected the BMC\'s https URL, e.g. https://10.0.9.21' }).describe('The BMC, e.g. https://10.0.9.21 (Redfish is served under /redfish/v1).'),
    username: z.string().min(1).describe('BMC account to log in with; a read-only (ReadOnly role) account is enough.'),
    password_file: z.string().min(1).describe('File holding the BMC password (config files get copied around; the password never goes in one).'),
    ca: z.string().min(1).optional().describe("PEM file of the CA that signed the BMC's certificate (or the BMC's own self-signed certificate)."),
    insecure: z.boolean().default(false).describe("Skip checking the BMC's certificate. Set it knowingly: anyone on the path can then read the password."),
    chassis: z.string().regex(/^[^/?#]+$/, 'a chassis id such as "1" or "System.Embedded.1", not a path').optional().describe('Chassis id under /redfish/v1/Chassis (e.g. System.Embedded.1, Node0); default: the first that shows power.'),
    id: z.string().min(1).max(128).optional().describe("Device id; default the BMC's host name or address."),
    covers: Covers.optional().describe("What this BMC measures: default the agent's own host."),
    timeout: Duration.prefault('5s').refine((ms) => ms > 0, 'must be more than 0').describe('Per request to the BMC; a BMC slower than this is reported down for the cycle.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.ca && !c.insecure) ctx.addIssue({ code: 'custom', path: ['ca'], message: 'set ca (a PEM file to check the BMC\'s certificate) or, knowingly, insecure: true' });
    if (c.ca && c.insecure) ctx.addIssue({ code: 'custom', path: ['insecure'], message: 'set either ca or insecure: true, not both' });
  });
export type RedfishConfig = z.infer<typeof RedfishConfig>;

export const redfishSource = defineSource({
  type: 'redfish',
  schema: RedfishConfig,
  create: async (config: RedfishConfig, ctx) => new (await import('./index.js')).RedfishSource(config, ctx),
});
