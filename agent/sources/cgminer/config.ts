/**
 * The `cgminer` source config: one entry per mining LAN, listing its miners.
 *
 *   - type: cgminer
 *     miners: [10.0.3.17, "10.0.3.18:4029", { host: 10.0.3.19, power_w: 3200, family: whatsminer }]
 *
 * A miner's device id is its host when it listens on the CGMiner default port 4028, else
 * "host:port" (IPv6 as "[addr]:port"), so the ids of a plain fleet are its IP addresses.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { Bytes, Duration } from '../../../common/units.js';
import { sourceType, sourceWorkload } from '../source.js';
import type { Family } from './families/family.js';
import { FAMILIES } from './families/registry.js';

export interface MinerTarget {
  id: string;
  host: string;
  port: number;
  /** Skip detection: the operator knows the firmware. */
  family?: Family;
  /** The model to estimate power from when the firmware does not name it. */
  model?: string;
  /** The operator's figure for this miner (meter, PDU): published as "measured". */
  power_w?: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  // All-numeric dotted names are IPv4 attempts; "10.0.3.300" must not pass as a hostname.
  return HOSTNAME.test(host) && !/^[\d.]+$/.test(host);
}

export function minerId(host: string, port: number): string {
  if (port === FAMILIES.defaultPort()) return host;
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** "10.0.3.18", "10.0.3.18:4029", "[fe80::1]:4029" or a bare IPv6 address, as { host, port? }. */
export function splitAddress(text: string): { host: string; port?: number } {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) return bracketed[2] === undefined ? { host: bracketed[1]! } : { host: bracketed[1]!, port: Number(bracketed[2]) };
  if (isIP(trimmed) === 6) return { host: trimmed };
  const withPort = /^([^:]+):(\d+)$/.exec(trimmed);
  return withPort ? { host: withPort[1]!, port: Number(withPort[2]) } : { host: trimmed };
}

const MinerObject = z
  .object(
    {
      host: z.string().refine(isValidHost, { error: (issue) => `not an IP address or host name: ${JSON.stringify(issue.input)}` }),
      port: z.number().int().min(1).max(65535).optional(),
      family: z
        .string()
        .refine((family) => FAMILIES.has(family), { error: (issue) => `unknown family ${JSON.stringify(issue.input)}; one of: ${FAMILIES.ids.join(', ')}` })
        .optional(),
      model: z.string().min(1).max(128).optional(),
      power_w: z.number().finite().nonnegative().optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'expected "host", "host:port" or { host, port, family, model, power_w }' : undefined) },
  )
  .strict();

const MinerEntry = z
  .preprocess((value) => (typeof value === 'string' ? splitAddress(value) : value), MinerObject)
  .transform((miner): MinerTarget => {
    const port = miner.port ?? FAMILIES.defaultPort(miner.family);
    const target: MinerTarget = { id: minerId(miner.host, port), host: miner.host, port };
    if (miner.family !== undefined) target.family = miner.family;
    if (miner.model !== undefined) target.model = miner.model;
    if (miner.power_w !== undefined) target.power_w = miner.power_w;
    return target;
  });

export const CgminerConfig = z
  .object({
    type: sourceType('cgminer'),
    workload: sourceWorkload('mining'),
    miners: z
      .array(MinerEntry)
      .min(1, 'list at least one miner, e.g. miners: [10.0.3.17]')
      .superRefine((miners, ctx) => {
        const seen = new Map<string, number>();
        miners.forEach((miner, i) => {
          const first = seen.get(miner.id);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate miner ${miner.id} (also miners[${first}])` });
          else seen.set(miner.id, i);
        });
      })
      .describe('The miners: "host", "host:port" (default port 4028; 4433 for Whatsminer API v3) or { host, port, family, model, power_w } to skip detection or give power.'),
    concurrency: z.number().int().min(1).max(4096).default(64).describe('Miners polled at once.'),
    timeout: Duration.prefault(3).refine((ms) => ms > 0, 'must be more than 0').describe('Per miner and cycle: every request to one miner (detection included) must finish within it.'),
    connect_timeout: Duration.prefault(1).refine((ms) => ms > 0, 'must be more than 0').describe('Per connection attempt: a dead host fails here, long before `timeout`.'),
    max_reply_bytes: Bytes.prefault('1MiB').refine((n) => n >= 1024, 'must be at least 1KiB').describe('Largest reply read from a miner; a bigger one is an error (a broken or hostile daemon).'),
    jitter: Duration.prefault('250ms').describe("Workers start spread over this, so a LAN's miners are not all hit in the same millisecond."),
    max_backoff: Duration.prefault('5m').describe('Longest pause between attempts at a miner that keeps failing.'),
    redetect_after: z.number().int().min(1).default(3).describe("Consecutive failures after which a miner's firmware is detected again (it may have been reflashed)."),
    efficiency: z.record(z.string(), z.number().positive()).default({}).describe('J/TH (W per 10^12 H/s, whatever the algorithm) by model, replacing the built-in nameplate table (families/models.ts) for estimated power.'),
  })
  .strict()
  .refine((config) => config.connect_timeout <= config.timeout, { path: ['connect_timeout'], message: 'must not exceed timeout' });
export type CgminerConfig = z.infer<typeof CgminerConfig>;
