/**
 * Billed power: the power every per-MWh figure of a site rests on, per workload. Pure.
 *
 * - A host whose power a meter measures (a BMC covers its own host; a PDU or row meter the hosts it
 *   lists) counts with the meter's power, shared among the host's workloads by their device power.
 *   Meters nest: a PDU over two servers that have BMCs counts only what the BMCs do not show.
 *   Meters with the same `covers` (A and B feeds of dual-corded servers) add up.
 * - A host nothing measures counts with its devices' power, plus `watts_per_gpu_server` when it has
 *   GPUs (the CPUs, memory, fans and NICs its GPU boards do not show), marked estimated.
 * - A site meter (`covers: site`) is the bill: its power is shared among the workloads by their IT
 *   power, so billed power adds up to the meter; it gives the measured PUE and the unaccounted power
 *   (what it shows beyond everything under it and the expected overhead). Without one, the configured
 *   PUE adds the cooling and losses no meter shows, marked estimated.
 */
import { PowerSource, Workload, type Covers } from '../../protocol/index.js';

const WORKLOADS = Workload.options;
export const POWER_SOURCES = PowerSource.options;

export type PowerBySource = Record<PowerSource, number>;

/** One agent host's devices that are up (meters excluded), summed. */
export interface HostPower {
  host: string;
  /** Device power by workload and by how it was obtained. */
  devices: Record<Workload, PowerBySource>;
  /** The workload of its GPUs when it has any (a GPU server), for the per-server overhead. */
  gpu_workload: Workload | undefined;
}

/** A meter that is up and fresh. */
export interface MeterPower {
  id: string;
  host: string;
  workload: Workload;
  covers: Covers;
  power_w: number;
}

/** `economics.overhead`: what no meter shows. Absent keys add nothing. */
export interface Overhead {
  pue?: number | undefined;
  watts_per_gpu_server?: number | undefined;
}

export interface WorkloadPower {
  /** The power per-MWh figures use. */
  power_w: number;
  /** Billed power by source; the parts add up to power_w. */
  by_source: PowerBySource;
  /** The devices' own sum (GPU boards, miners), whatever measures them. */
  device_power_w: number;
}

export interface BilledPower {
  workloads: Record<Workload, WorkloadPower>;
  /** IT power: everything under the site meter, before cooling and losses. */
  it_power_w: number;
  /** Sum of the site meters that are up; null without one. */
  site_meter_w: number | null;
  /** Site meter / IT power; null without a site meter or IT power. */
  pue: number | null;
  /** Site meter − IT power × configured PUE (1 without one); null without a site meter. Negative: the parts read more than the meter. */
  unaccounted_w: number | null;
}

export const emptyBySource = (): PowerBySource => ({ measured: 0, reported: 0, estimated: 0 });
const total = (p: PowerBySource) => p.measured + p.reported + p.estimated;

function scaled(p: PowerBySource, factor: number): PowerBySource {
  return { measured: p.measured * factor, reported: p.reported * factor, estimated: p.estimated * factor };
}

function add(into: PowerBySource, p: PowerBySource): void {
  for (const s of POWER_SOURCES) into[s] += p[s];
}

interface MeterGroup {
  hosts: Set<string>;
  power_w: number;
  workload: Workload;
}

/** Meters by what they cover; same covers add up. */
function groupMeters(meters: readonly MeterPower[]): MeterGroup[] {
  const groups = new Map<string, MeterGroup>();
  for (const m of meters) {
    if (m.covers === 'site') continue;
    const hosts = [...new Set(m.covers)].sort();
    const key = hosts.join('\u0000');
    const g = groups.get(key);
    if (g) g.power_w += m.power_w;
    else groups.set(key, { hosts: new Set(hosts), power_w: m.power_w, workload: m.workload });
  }
  // Smallest first: a host belongs to the most specific meter that covers it.
  return [...groups.values()].sort((a, b) => a.hosts.size - b.hosts.size);
}

const isStrictSubset = (a: Set<string>, b: Set<string>) => a.size < b.size && [...a].every((h) => b.has(h));

export function billedPower(hosts: readonly HostPower[], meters: readonly MeterPower[], overhead: Overhead): BilledPower {
  const it: Record<Workload, PowerBySource> = { mining: emptyBySource(), hpc: emptyBySource() };
  const devicePower: Record<Workload, number> = { mining: 0, hpc: 0 };
  const byHost = new Map(hosts.map((h) => [h.host, h]));
  for (const h of hosts) for (const w of WORKLOADS) devicePower[w] += total(h.devices[w]);

  const groups = groupMeters(meters);
  const owner = new Map<string, MeterGroup>();
  for (const g of groups) for (const host of g.hosts) if (!owner.has(host)) owner.set(host, g);

  for (const g of groups) {
    // Inner meters directly under this one (not under another inner one) already count their hosts.
    const inner = groups.filter((o) => o !== g && isStrictSubset(o.hosts, g.hosts));
    const direct = inner.filter((o) => !inner.some((p) => p !== o && isStrictSubset(o.hosts, p.hosts)));
    const own = Math.max(0, g.power_w - direct.reduce((s, o) => s + o.power_w, 0));
    const share: Record<Workload, number> = { mining: 0, hpc: 0 };
    for (const [host, o] of owner) {
      if (o !== g) continue;
      const h = byHost.get(host);
      if (h) for (const w of WORKLOADS) share[w] += total(h.devices[w]);
    }
    const sum = share.mining + share.hpc;
    // Nothing under it reports power (its hosts are silent): the meter's own workload takes it all.
    for (const w of WORKLOADS) it[w].measured += sum > 0 ? (own * share[w]) / sum : w === g.workload ? own : 0;
  }

  for (const h of hosts) {
    if (owner.has(h.host)) continue;
    for (const w of WORKLOADS) add(it[w], h.devices[w]);
    if (h.gpu_workload && overhead.watts_per_gpu_server) it[h.gpu_workload].estimated += overhead.watts_per_gpu_server;
  }

  const itTotal = total(it.mining) + total(it.hpc);
  const siteMeters = meters.filter((m) => m.covers === 'site');
  const siteMeter = siteMeters.length > 0 ? siteMeters.reduce((s, m) => s + m.power_w, 0) : null;
  const pue = overhead.pue ?? 1;
  const workloads = {} as Record<Workload, WorkloadPower>;
  for (const w of WORKLOADS) {
    const itW = total(it[w]);
    let bySource: PowerBySource;
    if (siteMeter !== null) {
      // The bill split by IT power: each workload's share rests on what its IT figure rests on.
      bySource = itTotal > 0 && itW > 0 ? scaled(it[w], siteMeter / itTotal) : emptyBySource();
    } else {
      bySource = { ...it[w], estimated: it[w].estimated + itW * (pue - 1) };
    }
    workloads[w] = { power_w: total(bySource), by_source: bySource, device_power_w: devicePower[w] };
  }
  return {
    workloads,
    it_power_w: itTotal,
    site_meter_w: siteMeter,
    pue: siteMeter !== null && itTotal > 0 ? siteMeter / itTotal : null,
    unaccounted_w: siteMeter === null ? null : siteMeter - itTotal * pue,
  };
}
