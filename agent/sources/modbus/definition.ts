/** The `modbus` source's config; its implementation (index.ts, with modbus-serial) loads when a config names it. */
import { z } from 'zod';
import { Duration } from '../../../common/units.js';
import { Covers } from '../../../protocol/index.js';
import { defineSource, sourceType, sourceWorkload } from '../source.js';
import { METER_MODELS } from './meters.js';
import { RegisterMap } from './registers.js';

export const ModbusConfig = z
  .object({
    type: sourceType('modbus'),
    workload: sourceWorkload('mining'),
    host: z.string().min(1).describe('The meter\'s (or its Modbus TCP gateway\'s) address or host name.'),
    port: z.number().int().min(1).max(65535).default(502).describe('Modbus TCP port.'),
    unit_id: z.number().int().min(0).max(255).default(1).describe("Modbus unit (slave) id; behind an RTU gateway, the meter's bus address."),
    meter: z.enum(METER_MODELS).optional().describe('A shipped register map, or `map:` for any other meter.'),
    map: RegisterMap.optional().describe('Where power and energy are, for a meter without a shipped map.'),
    covers: Covers.describe('What the meter feeds: agent host names, or "site" for the meter the site is billed by.'),
    reverse: z.boolean().default(false).describe('Meters installed so that consumption reads as export (negative power).'),
    id: z.string().min(1).max(128).optional().describe('Device id; default the meter\'s host and unit id.'),
    timeout: Duration.prefault('3s').refine((ms) => ms > 0, 'must be more than 0').describe('Per Modbus request; a meter slower than this is reported down for the cycle.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.meter === undefined) === (c.map === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['meter'], message: `set meter (one of ${METER_MODELS.join(', ')}) or map (power and energy registers), one of the two` });
    }
  });
export type ModbusConfig = z.infer<typeof ModbusConfig>;

export const modbusSource = defineSource({
  type: 'modbus',
  schema: ModbusConfig,
  create: async (config: ModbusConfig) => new (await import('./index.js')).ModbusSource(config),
});
