/** The `snmp` source's config; its implementation (index.ts, with net-snmp) loads when a config names it. */
import { z } from 'zod';
import { Duration } from '../../../common/units.js';
import { Covers } from '../../../protocol/index.js';
import { defineSource, sourceType, sourceWorkload } from '../source.js';
import { PDU_MODELS } from './pdus.js';

const V3 = z
  .object({
    user: z.string().min(1).describe('SNMPv3 user name (the PDU\'s USM user).'),
    level: z.enum(['authPriv', 'authNoPriv']).default('authPriv').describe('authPriv: authenticated and encrypted; authNoPriv: authenticated only.'),
    auth_protocol: z.enum(['sha', 'sha256', 'sha512', 'md5']).default('sha').describe('Authentication hash, as set on the PDU.'),
    auth_key_file: z.string().min(1).describe('Files, not values: config files get copied around.'),
    priv_protocol: z.enum(['aes', 'aes256b', 'aes256r', 'des']).default('aes').describe('Encryption cipher, as set on the PDU (aes256b: Blumenthal, aes256r: Reeder key extension).'),
    priv_key_file: z.string().min(1).optional().describe('File holding the privacy (encryption) passphrase; needed for authPriv.'),
  })
  .strict()
  .refine((v) => v.level !== 'authPriv' || v.priv_key_file !== undefined, { message: 'authPriv needs priv_key_file', path: ['priv_key_file'] });

export const SnmpConfig = z
  .object({
    type: sourceType('snmp'),
    workload: sourceWorkload('mining'),
    host: z.string().min(1).describe('The PDU\'s address or host name.'),
    port: z.number().int().min(1).max(65535).default(161).describe('SNMP UDP port.'),
    community: z.string().min(1).optional().describe('SNMP v2c community; or `v3:` for a user with authentication (and privacy).'),
    v3: V3.optional(),
    pdu: z.enum(['auto', ...PDU_MODELS]).default('auto').describe("The OID map; auto = by the PDU's sysObjectID."),
    covers: Covers.describe('What the PDU feeds: agent host names (a rack, a row), or "site".'),
    id: z.string().min(1).max(128).optional().describe('Device id; default the PDU\'s host.'),
    timeout: Duration.prefault('2s').refine((ms) => ms > 0, 'must be more than 0').describe('Per SNMP request, before a retry.'),
    retries: z.number().int().min(0).max(5).default(1).describe('Requests sent again after a timeout before the PDU is reported down for the cycle.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.community === undefined) === (c.v3 === undefined)) ctx.addIssue({ code: 'custom', path: ['community'], message: 'set community (SNMP v2c) or v3 (user and keys), one of the two' });
  });
export type SnmpConfig = z.infer<typeof SnmpConfig>;

export const snmpSource = defineSource({
  type: 'snmp',
  schema: SnmpConfig,
  create: async (config: SnmpConfig) => new (await import('./index.js')).SnmpSource(config),
});
