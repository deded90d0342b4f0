/**
 * `powersite scan <cidr>`: finds miners on a LAN by speaking their APIs. Each address × port is
 * probed with bounded concurrency: port 4433 with Whatsminer API v3 `get.device.info`, the others
 * with the same detection the cgminer source uses (version → devdetails → stats → summary). Only
 * hosts whose daemon answers in a miner's language are reported.
 */
import { cgminerQuery, CGMINER_PORT, whatsminerV3Query, WHATSMINER_V3_PORT, type QueryOptions } from '../sources/cgminer/client.js';
import { forEachBounded } from '../sources/cgminer/concurrency.js';
import { detect, identifyV3 } from '../sources/cgminer/detect.js';
import type { Family } from '../sources/cgminer/family.js';
import { V3_DEVICE_INFO } from '../sources/cgminer/whatsminer-v3.js';
import { addressesOf, ipv4ToInt, parseCidr } from './cidr.js';

export interface FoundMiner {
  host: string;
  port: number;
  family: Family;
  model?: string;
}

export interface ScanOptions {
  ports?: readonly number[];
  /** Per connection attempt and per request. */
  timeoutMs?: number;
  /** Probes in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
}

const MAX_REPLY_BYTES = 1024 * 1024;

async function probe(host: string, port: number, options: QueryOptions): Promise<FoundMiner | undefined> {
  try {
    const identity =
      port === WHATSMINER_V3_PORT
        ? identifyV3(await whatsminerV3Query({ host, port }, V3_DEVICE_INFO.command, V3_DEVICE_INFO.param, options))
        : await detect((command) => cgminerQuery({ host, port }, command, options));
    return { host, port, ...identity };
  } catch {
    return undefined; // nothing there, or not a miner
  }
}

/**
 * Miners in `cidr`, sorted by address then port. A host that answers both the CGMiner API and
 * API v3 is listed once, on the CGMiner port (it gives the fuller reading). Throws for a malformed
 * range or one wider than /16.
 */
export async function scan(cidr: string, options: ScanOptions = {}): Promise<FoundMiner[]> {
  const ports = options.ports ?? [CGMINER_PORT, WHATSMINER_V3_PORT];
  const timeoutMs = options.timeoutMs ?? 1000;
  const hosts = addressesOf(parseCidr(cidr));
  const query: QueryOptions = { connectTimeoutMs: timeoutMs, timeoutMs, maxBytes: MAX_REPLY_BYTES, signal: options.signal };
  const found: FoundMiner[] = [];
  const probes = hosts.flatMap((host) => ports.map((port) => ({ host, port })));
  await forEachBounded(
    probes,
    options.concurrency ?? 256,
    async ({ host, port }) => {
      const miner = await probe(host, port, query);
      if (miner) found.push(miner);
    },
    { signal: options.signal },
  );
  const cgminerHosts = new Set(found.filter((m) => m.family !== 'whatsminer-v3').map((m) => m.host));
  return found
    .filter((m) => m.family !== 'whatsminer-v3' || !cgminerHosts.has(m.host))
    .sort((a, b) => ipv4ToInt(a.host)! - ipv4ToInt(b.host)! || a.port - b.port);
}
