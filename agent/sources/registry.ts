/**
 * Every device family the agent knows. Adding a family = its folder under sources/ (definition.ts:
 * type, schema and a lazy create; index.ts: the source) + one line here.
 */
import { z } from 'zod';
import { unknownKeyMessage } from '../../common/config-file.js';
import type { BaseSourceConfig, SourceDefinition } from './source.js';
import { hostSource } from './host/definition.js';
import { nvidiaSource } from './nvidia/definition.js';
import { simulatedSource } from './simulated/definition.js';
import { cgminerSource } from './cgminer/definition.js';
import { amdSource } from './amd/definition.js';
import { redfishSource } from './redfish/definition.js';
import { modbusSource } from './modbus/definition.js';
import { snmpSource } from './snmp/definition.js';

export const SOURCE_DEFINITIONS: readonly SourceDefinition<any>[] = [
  nvidiaSource,
  hostSource,
  simulatedSource,
  cgminerSource,
  amdSource,
  redfishSource,
  modbusSource,
  snmpSource,
];

export function findSource(type: string): SourceDefinition | undefined {
  return SOURCE_DEFINITIONS.find((d) => d.type === type);
}

/** Validates one `sources:` entry with its family's own schema, so errors name the right keys. */
export const SourceConfig = z.unknown().transform((value, ctx): BaseSourceConfig => {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const known = SOURCE_DEFINITIONS.map((d) => d.type).join(', ');
  const definition = typeof type === 'string' ? findSource(type) : undefined;
  if (!definition) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: type === undefined ? `missing; expected one of: ${known}` : `unknown source type ${JSON.stringify(type)}; expected one of: ${known}`,
    });
    return z.NEVER;
  }
  const result = definition.schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) ctx.addIssue({ code: 'custom', path: [...issue.path, key], message: unknownKeyMessage(key, definition.schema) });
    } else ctx.addIssue({ ...issue, code: 'custom', path: issue.path, message: issue.message } as never);
  }
  return z.NEVER;
});
