/**
 * The collector's live view of the site: the latest sample of every device, and per site and
 * workload the sums the gauges and the economics are computed from. Devices that stop reporting
 * turn "stale" after a few intervals and are forgotten after an hour.
 */
import { isBitcoinHashrate } from '../economics/bitcoin.js';
import type { DeviceKind, DeviceSample, Status, Telemetry, Workload } from '../../protocol/index.js';
import { billedPower, emptyBySource, type BilledPower, type HostPower, type MeterPower, type Overhead, type PowerBySource } from '../economics/billed-power.js';

export const WORKLOADS: readonly Workload[] = ['mining', 'hpc'];
export type DeviceState = 'up' | 'down' | 'stale';

interface DeviceEntry {
  sample: DeviceSample;
  ts: number;
  intervalS: number;
}

interface HostEntry {
  devices: Map<string, DeviceEntry>;
  lastSeq: number | undefined;
  lastTs: number;
  offline: boolean;
  /** The agent's own fault report from its status ("spool: ENOSPC"), while it has one. */
  degraded: string | undefined;
}

export interface ModelSummary {
  power_w: number;
  hashrate_hs: number;
  devices: number;
}

export interface GpuSummary {
  model: string;
  up: boolean;
  utilization: number | undefined;
}

export interface WorkloadSummary {
  /** Billed power: what the per-MWh figures use (see collector/economics/billed-power.ts). */
  power_w: number;
  /** The part of power_w that is estimated (nameplates, configured overhead). */
  estimated_power_w: number;
  /** power_w by source: measured, reported, estimated. */
  power_by_source: PowerBySource;
  /** The devices' own power (GPU boards, miners), meters excluded. */
  device_power_w: number;
  /** SHA-256 hashrate: what bitcoin's hashprice prices. */
  hashrate_hs: number;
  /** Hashrate of miners of other algorithms (scrypt, …, "unknown"), by algorithm: shown, not priced. */
  other_hashrate_hs: Record<string, number>;
  /** Mean utilisation of GPUs that are up and report it; undefined when none do. */
  gpu_utilization: number | undefined;
  devices: Record<DeviceState, number>;
  /** The same counts by kind, so GPUs are counted apart from the hosts and meters beside them. */
  devices_by_kind: Partial<Record<DeviceKind, Record<DeviceState, number>>>;
  by_model: Map<string, ModelSummary>;
  gpus: GpuSummary[];
}

/** Per workload, plus the site's billed-power figures (site meter, PUE, unaccounted power). */
export type SiteSummary = Record<Workload, WorkloadSummary> & { power: Omit<BilledPower, 'workloads'> };

export function emptyWorkload(): WorkloadSummary {
  return { power_w: 0, estimated_power_w: 0, power_by_source: emptyBySource(), device_power_w: 0, hashrate_hs: 0, other_hashrate_hs: {}, gpu_utilization: undefined, devices: { up: 0, down: 0, stale: 0 }, devices_by_kind: {}, by_model: new Map(), gpus: [] };
}

/** Agents of a site by their retained status (online ones may be degraded), and its newest sample time (ms; 0 before any). */
export interface SiteActivity {
  online: number;
  offline: number;
  degraded: number;
  last_ts: number;
}

export interface LiveStateOptions {
  /** A device is stale when its last sample is older than this many of its intervals. */
  staleIntervals: number;
  /** Devices silent for longer than this are dropped from the live view (ms). */
  forgetAfterMs: number;
  /** `economics.overhead` (or a site's own under `sites.<site>.economics`): what no meter shows. */
  overhead?: Overhead | ((site: string) => Overhead);
}

export class LiveState {
  private overheadOf(site: string): Overhead {
    const o = this.options.overhead ?? {};
    return typeof o === 'function' ? o(site) : o;
  }

  private readonly sites = new Map<string, Map<string, HostEntry>>();
  /** Bumped on every change, so readers can tell a cached summary from a current one. */
  version = 0;
  /**
   * Bumped only when what is counted changes (a device appears, is forgotten or comes back from
   * stale; it goes up or down, or changes kind, workload or what it covers; its host's status
   * changes), not when readings alone do: a summary of the same membership differs in readings only.
   */
  membershipVersion = 0;

  constructor(private readonly options: LiveStateOptions) {}

  private host(site: string, host: string): HostEntry {
    let hosts = this.sites.get(site);
    if (!hosts) this.sites.set(site, (hosts = new Map()));
    let entry = hosts.get(host);
    if (!entry) hosts.set(host, (entry = { devices: new Map(), lastSeq: undefined, lastTs: 0, offline: false, degraded: undefined }));
    return entry;
  }

  /**
   * Records a message. Returns how many seq numbers were skipped since the last message of the
   * host (0 for the first, a duplicate, a late message or an agent that lost its state).
   */
  apply(message: Telemetry, arrivedAt = Date.now()): number {
    this.version++;
    const entry = this.host(message.site, message.host);
    if (entry.offline) this.membershipVersion++;
    entry.offline = false;
    // A sample from the future (an agent clock ahead) counts as taken when it arrived: trusting it
    // would hold every later sample back and keep the device "up" long after it went quiet.
    const ts = Math.min(message.ts, arrivedAt);
    // A backlog older than forgetAfterMs (a spool replayed after a long outage) is forgotten by the
    // next summary before it counts: it changes nothing that is counted.
    const counted = arrivedAt - ts <= this.options.forgetAfterMs;
    for (const sample of message.devices) {
      const prev = entry.devices.get(sample.id);
      // A redelivered or late message must not replace a newer sample.
      if (prev && prev.ts > ts) continue;
      if (counted && (!prev || this.countedDifferently(prev, sample, ts))) this.membershipVersion++;
      entry.devices.set(sample.id, { sample, ts, intervalS: message.interval_s });
    }
    const last = entry.lastSeq;
    // A lower seq on a newer sample means the agent lost its state: count from there on.
    const restarted = last !== undefined && message.seq <= last && ts > entry.lastTs;
    if (last === undefined || message.seq > last || restarted) entry.lastSeq = message.seq;
    entry.lastTs = Math.max(entry.lastTs, ts);
    return last !== undefined && message.seq > last + 1 ? message.seq - last - 1 : 0;
  }

  /** Whether a new sample changes how a known device is counted (see membershipVersion). */
  private countedDifferently(prev: DeviceEntry, next: DeviceSample, ts: number): boolean {
    const a = prev.sample;
    if (a.up !== next.up || a.kind !== next.kind || a.workload !== next.workload) return true;
    // Samples further apart than staleness: it was stale in between, this one brings it back.
    // (Measured between samples, not to arrival, so a spool replayed in order is no change.)
    if (ts - prev.ts > this.options.staleIntervals * prev.intervalS * 1000) return true;
    const x = a.covers;
    const y = next.covers;
    if (x === y) return false;
    if (x === undefined || y === undefined || typeof x === 'string' || typeof y === 'string') return true;
    return x.length !== y.length || x.some((h, i) => h !== y[i]);
  }

  applyStatus(status: Status): void {
    this.version++;
    this.membershipVersion++;
    const entry = this.host(status.site, status.host);
    entry.offline = status.state === 'offline';
    entry.degraded = status.state === 'online' ? status.degraded : undefined;
  }

  /** The broker's retained status of a host was cleared (an empty retained message): forget the host. */
  forgetHost(site: string, host: string): void {
    this.version++;
    this.membershipVersion++;
    this.sites.get(site)?.delete(host);
  }

  /** Every agent known by its status or telemetry, and whether it is online. */
  *agents(): Generator<{ site: string; host: string; online: boolean }> {
    for (const [site, hosts] of this.sites) for (const [host, entry] of hosts) yield { site, host, online: !entry.offline };
  }

  /** Per site: agents online/offline by their status (and online but degraded), and the newest sample time (ms). */
  activity(): Map<string, SiteActivity> {
    const out = new Map<string, SiteActivity>();
    for (const [site, hosts] of this.sites) {
      const a = { online: 0, offline: 0, degraded: 0, last_ts: 0 };
      for (const host of hosts.values()) {
        if (host.offline) a.offline++;
        else a.online++;
        if (host.degraded !== undefined) a.degraded++;
        a.last_ts = Math.max(a.last_ts, host.lastTs);
      }
      out.set(site, a);
    }
    return out;
  }

  /** Per-site sums at time `now`, forgetting long-silent devices on the way. */
  summarize(now: number): Map<string, SiteSummary> {
    const out = new Map<string, SiteSummary>();
    for (const [site, hosts] of this.sites) {
      const summary = { mining: emptyWorkload(), hpc: emptyWorkload() };
      const utilization = { mining: { sum: 0, n: 0 }, hpc: { sum: 0, n: 0 } };
      const hostPower: HostPower[] = [];
      const meters: MeterPower[] = [];
      for (const [hostName, host] of hosts) {
        const hp: HostPower = { host: hostName, devices: { mining: emptyBySource(), hpc: emptyBySource() }, gpu_workload: undefined };
        for (const [id, entry] of host.devices) {
          const age = now - entry.ts;
          if (age > this.options.forgetAfterMs) {
            host.devices.delete(id);
            this.membershipVersion++;
            continue;
          }
          const s = entry.sample;
          const w = summary[s.workload];
          const state: DeviceState = host.offline || age > this.options.staleIntervals * entry.intervalS * 1000 ? 'stale' : s.up ? 'up' : 'down';
          w.devices[state]++;
          (w.devices_by_kind[s.kind] ??= { up: 0, down: 0, stale: 0 })[state]++;
          if (s.kind === 'gpu') {
            w.gpus.push({ model: s.model ?? 'unknown', up: state === 'up', utilization: s.utilization });
            hp.gpu_workload ??= s.workload;
          }
          if (state !== 'up') continue;
          const power = s.power_w ?? 0;
          if (s.kind === 'meter') {
            // A meter's power is what others draw: it enters billed power, never the device sums.
            if (s.covers && s.power_w !== undefined) meters.push({ id: s.id, host: hostName, workload: s.workload, covers: s.covers, power_w: power });
            continue;
          }
          hp.devices[s.workload][s.power_source ?? 'reported'] += power;
          const bitcoin = isBitcoinHashrate(s);
          if (bitcoin) w.hashrate_hs += s.hashrate_hs ?? 0;
          else w.other_hashrate_hs[s.algorithm!] = (w.other_hashrate_hs[s.algorithm!] ?? 0) + (s.hashrate_hs ?? 0);
          if (s.kind === 'gpu' && s.utilization !== undefined) {
            utilization[s.workload].sum += s.utilization;
            utilization[s.workload].n++;
          }
          // Per-model efficiency and breakeven are judged against the hashprice: SHA-256 miners only.
          if (s.kind === 'asic' && bitcoin) {
            const model = s.model ?? 'unknown';
            const m = w.by_model.get(model) ?? { power_w: 0, hashrate_hs: 0, devices: 0 };
            m.power_w += power;
            m.hashrate_hs += s.hashrate_hs ?? 0;
            m.devices++;
            w.by_model.set(model, m);
          }
        }
        // An offline host stays known, devices or not: its retained status says it exists, and
        // after a collector restart that status is all there is (forgetHost when it is cleared).
        hostPower.push(hp);
      }
      const { workloads, ...power } = billedPower(hostPower, meters, this.overheadOf(site));
      for (const w of WORKLOADS) {
        const u = utilization[w];
        summary[w].gpu_utilization = u.n > 0 ? u.sum / u.n : undefined;
        summary[w].power_w = workloads[w].power_w;
        summary[w].estimated_power_w = workloads[w].by_source.estimated;
        summary[w].power_by_source = workloads[w].by_source;
        summary[w].device_power_w = workloads[w].device_power_w;
      }
      out.set(site, { ...summary, power });
    }
    return out;
  }
}

/** The kinds counted in device-seconds: every kind, meters included (a dead PDU shows). */
export const COUNTED_KINDS = ['asic', 'gpu', 'host', 'meter'] as const satisfies readonly DeviceKind[];
export type CountedKind = (typeof COUNTED_KINDS)[number];
/** Device-seconds by kind and state, flat so the ledger adds them like any amount. */
export type KindSecondsField = `${CountedKind}_${'up' | 'down'}_seconds`;
export const KIND_SECONDS_FIELDS = COUNTED_KINDS.flatMap((k) => [`${k}_up_seconds`, `${k}_down_seconds`] as const) satisfies readonly KindSecondsField[];
/** Each kind's fields, named once rather than a string built per device. */
const KIND_FIELDS = Object.fromEntries(COUNTED_KINDS.map((k) => [k, { up: `${k}_up_seconds`, down: `${k}_down_seconds` }])) as Record<CountedKind, { up: KindSecondsField; down: KindSecondsField }>;

/** What one message adds to the fleet counters over its interval, per workload. */
export interface MessageTotals extends Record<KindSecondsField, number> {
  power_w: number;
  energy_j: number;
  hashes: number;
  /** Device-seconds up and down: summed rate() across collectors gives device counts. */
  up_seconds: number;
  down_seconds: number;
  /** Σ utilisation × interval of GPUs up that report it, and their GPU-seconds: the ratio of rates is the mean. */
  gpu_busy_seconds: number;
  gpu_metered_seconds: number;
}

// Built by plain assignment, not Object.fromEntries: a few per message, and that is ~10x slower.
export function kindSecondsZero(): Record<KindSecondsField, number> {
  const out = {} as Record<KindSecondsField, number>;
  for (const f of KIND_SECONDS_FIELDS) out[f] = 0;
  return out;
}

/** The device-seconds by kind of some totals. */
export function kindSeconds(t: Readonly<Record<KindSecondsField, number>>): Record<KindSecondsField, number> {
  const out = {} as Record<KindSecondsField, number>;
  for (const f of KIND_SECONDS_FIELDS) out[f] = t[f];
  return out;
}

export function messageTotals(message: Telemetry): Record<Workload, MessageTotals> {
  const empty = (): MessageTotals => ({ power_w: 0, energy_j: 0, hashes: 0, up_seconds: 0, down_seconds: 0, gpu_busy_seconds: 0, gpu_metered_seconds: 0, ...kindSecondsZero() });
  const totals = { mining: empty(), hpc: empty() };
  const dt = message.interval_s;
  for (const d of message.devices) {
    const t = totals[d.workload];
    if (!d.up) {
      t.down_seconds += dt;
      t[KIND_FIELDS[d.kind].down] += dt;
      continue;
    }
    t.up_seconds += dt;
    t[KIND_FIELDS[d.kind].up] += dt;
    // Meters measure the other devices: their power is not more energy used.
    if (d.kind === 'meter') continue;
    t.power_w += d.power_w ?? 0;
    // Hashes of different algorithms do not add up: the counter is bitcoin's (SHA-256) work.
    if (isBitcoinHashrate(d)) t.hashes += (d.hashrate_hs ?? 0) * dt;
    if (d.kind === 'gpu' && d.utilization !== undefined) {
      t.gpu_busy_seconds += d.utilization * dt;
      t.gpu_metered_seconds += dt;
    }
  }
  for (const w of WORKLOADS) totals[w].energy_j = totals[w].power_w * dt;
  return totals;
}
