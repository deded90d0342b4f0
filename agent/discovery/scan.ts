/**
 * `powersite scan <cidr>`: finds miners on a LAN by speaking their APIs. Each address × port is
 * probed with bounded concurrency, with the detection the cgminer source uses, in the protocol
 * whose default port it is (4028 CGMiner API, 4433 Whatsminer API v3; any other port CGMiner API).
 * Only hosts whose daemon answers in a miner's language are reported.
 */
import type { Family } from '../sources/cgminer/families/family.js';
import { FAMILIES, type FamilyRegistry } from '../sources/cgminer/families/registry.js';
import { forEachBounded } from '../sources/cgminer/fleet/concurrency.js';
import { detect } from '../sources/cgminer/fleet/detect.js';
import type { QueryOptions } from '../sources/cgminer/wire/protocol.js';
import { addressesOf, ipv4ToInt, parseCidr } from './cidr.js';

export interface FoundMiner {
  host: string;
  port: number;
  family: Family;
  /** Canonical model, and the firmware's own string where it differs. */
  model?: string;
  model_raw?: string;
  /** The firmware's name and version ("vnish 3.8.6", "BOSminer 0.2.0-d360818"). */
  firmware?: string;
}

export interface ScanOptions {
  ports?: readonly number[];
  /** Per connection attempt and per request. */
  timeoutMs?: number;
  /** Probes in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
  families?: FamilyRegistry;
  /** After each address has had all its ports probed: addresses done, of how many, miners found so far. */
  onProgress?: (done: number, total: number, found: number) => void;
}

const MAX_REPLY_BYTES = 1024 * 1024;

async function probe(host: string, port: number, families: FamilyRegistry, options: QueryOptions): Promise<FoundMiner | undefined> {
  const protocol = families.protocolForPort(port);
  try {
    const identity = await detect(protocol, families, (spec) => protocol.query({ host, port }, spec, options));
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
  const families = options.families ?? FAMILIES;
  const ports = options.ports ?? families.ports;
  const timeoutMs = options.timeoutMs ?? 1000;
  const hosts = addressesOf(parseCidr(cidr));
  const query: QueryOptions = { connectTimeoutMs: timeoutMs, timeoutMs, maxBytes: MAX_REPLY_BYTES, signal: options.signal };
  const found: FoundMiner[] = [];
  const probes = hosts.flatMap((host) => ports.map((port) => ({ host, port })));
  const portsLeft = new Map(hosts.map((host) => [host, ports.length]));
  let done = 0;
  await forEachBounded(
    probes,
    options.concurrency ?? 256,
    async ({ host, port }) => {
      const miner = await probe(host, port, families, query);
      if (miner) found.push(miner);
      const left = portsLeft.get(host)! - 1;
      portsLeft.set(host, left);
      if (left === 0) options.onProgress?.(++done, hosts.length, new Set(found.map((m) => m.host)).size);
    },
    { signal: options.signal },
  );
  // The first protocol (CGMiner API) gives the fullest reading; another API of the same host is left out.
  const main = families.protocols[0]!.id;
  const onMain = (m: FoundMiner): boolean => families.family(m.family).protocol === main;
  const mainHosts = new Set(found.filter(onMain).map((m) => m.host));
  return found
    .filter((m) => onMain(m) || !mainHosts.has(m.host))
    .sort((a, b) => ipv4ToInt(a.host)! - ipv4ToInt(b.host)! || a.port - b.port);
}
