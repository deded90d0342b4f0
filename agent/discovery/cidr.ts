/** IPv4 CIDR ranges for `powersite scan`: parsed strictly and capped, so a typo cannot start a /8 sweep. */

/** A /16 is 65,536 addresses: a large mining LAN. Anything wider is almost surely a mistake. */
export const MAX_SCAN_PREFIX = 16;

export interface CidrRange {
  /** First and last address to probe, as 32-bit integers. */
  first: number;
  last: number;
  prefix: number;
}

export function ipv4ToInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * "10.0.3.0/24" (or a single address, as /32). Network and broadcast addresses are left out where a
 * subnet has them (prefix ≤ 30). Throws an Error that says what was wrong.
 */
export function parseCidr(text: string): CidrRange {
  const match = /^\s*([\d.]+)(?:\/(\d{1,2}))?\s*$/.exec(text);
  const base = match ? ipv4ToInt(match[1]!) : undefined;
  const prefix = match?.[2] === undefined ? 32 : Number(match[2]);
  if (!match || base === undefined || prefix > 32) throw new Error(`not an IPv4 range: ${JSON.stringify(text)}; expected e.g. 10.0.3.0/24`);
  if (prefix < MAX_SCAN_PREFIX) {
    const size = 2 ** (32 - prefix);
    throw new Error(`refusing to scan ${text.trim()}: ${size.toLocaleString('en-US')} addresses; the largest scan is a /${MAX_SCAN_PREFIX} (65,536). Scan it in /${MAX_SCAN_PREFIX} pieces.`);
  }
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  const edges = prefix <= 30 ? 1 : 0;
  return { first: network + edges, last: network + size - 1 - edges, prefix };
}

export function addressesOf(range: CidrRange): string[] {
  const addresses: string[] = [];
  for (let n = range.first; n <= range.last; n++) addresses.push(intToIpv4(n));
  return addresses;
}
