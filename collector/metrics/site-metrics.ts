/**
 * The site series of /metrics. Gauges are this collector's live view, computed at scrape time
 * from the live state; counters advance per committed message (rate × interval) so that sums
 * across collectors sharing one subscription stay exact.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { PowerSource, type Telemetry, type Workload } from '../../protocol/index.js';
import { messageTotals, WORKLOADS, type LiveState, type SiteSummary } from '../state/live-state.js';
import { assertFinite } from './finite.js';
import type { Increments } from './increments.js';
import type { SiteLabels } from './site-labels.js';

export class SiteMetrics {
  private readonly energy: Counter<'site' | 'workload'>;
  private readonly hashes: Counter<'site' | 'workload'>;
  private readonly deviceSeconds: Counter<'site' | 'workload' | 'state'>;
  private readonly gpuBusy: Counter<'site' | 'workload'>;
  private readonly gpuMetered: Counter<'site' | 'workload'>;
  /** The last summary, shared by every gauge of one scrape while the state is unchanged. */
  private cached: { at: number; version: number; summary: Map<string, SiteSummary> } | undefined;

  constructor(
    registry: Registry,
    private readonly state: LiveState,
    private readonly labels: SiteLabels,
    private readonly increments: Increments,
    unaccountedAlertW: number,
    private readonly clock: () => number = Date.now,
  ) {
    const summaries = () => this.summaries();
    const perWorkload = (
      name: string,
      help: string,
      value: (s: SiteSummary[Workload], workload: string) => number | undefined,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['site', 'workload'] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const [site, summary] of summaries()) {
            for (const workload of WORKLOADS) {
              const v = value(summary[workload], workload);
              if (v !== undefined) this.set({ site, workload }, v);
            }
          }
        },
      });

    perWorkload('powersite_power_watts', 'Billed power now: what the per-MWh figures use (meters, BMCs, device power and configured overhead; shares of the site meter), this collector\'s live view', (w) => w.power_w);
    perWorkload('powersite_device_power_watts', 'Power the devices themselves show now (GPU boards, miners; meters excluded)', (w) => w.device_power_w);
    perWorkload('powersite_estimated_power_ratio', 'Share of billed power that is estimated (nameplates, configured overhead) rather than measured or reported', (w) =>
      w.power_w > 0 ? w.estimated_power_w / w.power_w : 0,
    );
    new Gauge({
      name: 'powersite_power_source_ratio',
      help: 'Share of billed power by how it is known: measured (meters, PDUs, BMCs), reported (the devices) or estimated',
      labelNames: ['site', 'workload', 'source'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, summary] of summaries()) {
          for (const workload of WORKLOADS) {
            const w = summary[workload];
            if (w.power_w > 0) for (const source of PowerSource.options) this.set({ site, workload, source }, w.power_by_source[source] / w.power_w);
          }
        }
      },
    });
    const perSite = (name: string, help: string, value: (s: SiteSummary['power']) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['site'] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const [site, summary] of summaries()) {
            const v = value(summary.power);
            if (v !== null) this.set({ site }, v);
          }
        },
      });
    perSite('powersite_site_power_watts', 'Power of the site meters (covers: site) now: the bill', (p) => p.site_meter_w);
    perSite('powersite_site_it_power_watts', 'IT power under the site meter: meters, BMCs and devices, before cooling and losses', (p) => p.it_power_w);
    perSite('powersite_site_pue', 'Power usage effectiveness measured now: site meter / IT power', (p) => p.pue);
    perSite('powersite_site_unaccounted_power_watts', 'What the site meter shows beyond IT power × the configured PUE (a dead PDU, an unlisted rack, a bypass); negative: the parts read more than the meter', (p) => p.unaccounted_w);
    perSite('powersite_site_unaccounted_power_alert_watts', 'Unaccounted power above which the alert fires (economics.overhead.unaccounted_alert_watts)', (p) => (p.site_meter_w === null ? null : unaccountedAlertW));
    perWorkload('powersite_hashrate_hashes_per_second', 'Mining hashrate now', (w, workload) => (workload === 'mining' ? w.hashrate_hs : undefined));
    perWorkload('powersite_gpu_utilization_ratio', 'Mean utilisation of GPUs that are up', (w, workload) => (workload === 'hpc' ? w.gpu_utilization : undefined));

    new Gauge({
      name: 'powersite_devices',
      help: 'Devices by state: up, down (reporting a fault) or stale (not heard from for several intervals)',
      labelNames: ['site', 'workload', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, summary] of summaries()) {
          for (const workload of WORKLOADS) {
            for (const [state, n] of Object.entries(summary[workload].devices)) this.set({ site, workload, state }, n);
          }
        }
      },
    });

    const activity = () => {
      // Sites past the label cap fold into "other"; sum their agents, keep the newest sample.
      const out = new Map<string, { online: number; offline: number; last_ts: number }>();
      for (const [site, a] of state.activity()) {
        const label = labels.label(site);
        const t = out.get(label) ?? { online: 0, offline: 0, last_ts: 0 };
        out.set(label, { online: t.online + a.online, offline: t.offline + a.offline, last_ts: Math.max(t.last_ts, a.last_ts) });
      }
      return out;
    };
    new Gauge({
      name: 'powersite_agents',
      help: 'Agents by their retained status: online, or offline (clean shutdown or the broker\'s last will)',
      labelNames: ['site', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, a] of activity()) {
          this.set({ site, state: 'online' }, a.online);
          this.set({ site, state: 'offline' }, a.offline);
        }
      },
    });
    new Gauge({
      name: 'powersite_telemetry_last_timestamp_seconds',
      help: 'Sample time of the newest telemetry of the site',
      labelNames: ['site'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, a] of activity()) if (a.last_ts > 0) this.set({ site }, a.last_ts / 1000);
      },
    });

    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers: [registry] });
    this.energy = counter('powersite_device_energy_joules_total', 'Energy the devices themselves show (meters excluded), advanced per message by power × interval; powersite_energy_joules_total is billed energy', ['site', 'workload']);
    this.deviceSeconds = counter('powersite_device_seconds_total', 'Device-seconds by state (up, down), advanced per message by devices × interval: sum rate() across collectors for device counts', ['site', 'workload', 'state']);
    this.gpuBusy = counter('powersite_gpu_busy_seconds_total', 'Σ utilisation × interval of GPUs that are up and report utilisation (mean utilisation = its rate / the rate of powersite_gpu_metered_seconds_total)', ['site', 'workload']);
    this.gpuMetered = counter('powersite_gpu_metered_seconds_total', 'GPU-seconds of GPUs that are up and report utilisation', ['site', 'workload']);
    this.hashes = counter('powersite_hashes_total', 'Hashes computed, advanced per message by hashrate × interval', ['site', 'workload']);
  }

  /** Summaries are computed once per scrape: every gauge's collect() shares them. */
  summaries(): Map<string, SiteSummary> {
    const now = this.clock();
    if (!this.cached || this.cached.version !== this.state.version || now - this.cached.at > 250) {
      const raw = this.state.summarize(now);
      const merged = new Map<string, SiteSummary>();
      for (const [site, summary] of raw) {
        const label = this.labels.label(site);
        merged.set(label, merged.has(label) ? mergeSummaries(merged.get(label)!, summary) : summary);
      }
      this.cached = { at: now, version: this.state.version, summary: merged };
    }
    return this.cached.summary;
  }

  /** Advances the counters for one stored message: all of them, or (for a non-finite amount) none. */
  commit(message: Telemetry): void {
    const site = this.labels.label(message.site);
    const totals = messageTotals(message);
    for (const workload of WORKLOADS) assertFinite({ ...totals[workload] }, workload);
    for (const workload of WORKLOADS) {
      const t = totals[workload];
      this.energy.inc({ site, workload }, t.energy_j);
      this.increments.add(site, workload, 'device_energy_j', t.energy_j);
      this.deviceSeconds.inc({ site, workload, state: 'up' }, t.up_seconds);
      this.deviceSeconds.inc({ site, workload, state: 'down' }, t.down_seconds);
      if (workload === 'mining') this.hashes.inc({ site, workload }, t.hashes);
      else {
        this.gpuBusy.inc({ site, workload }, t.gpu_busy_seconds);
        this.gpuMetered.inc({ site, workload }, t.gpu_metered_seconds);
      }
    }
  }
}

const plus = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : x + y);

/** Sites folded into one label: their powers add up; PUE is recomputed from the sums. */
function mergeSummaries(a: SiteSummary, b: SiteSummary): SiteSummary {
  const p = a.power;
  p.it_power_w += b.power.it_power_w;
  p.site_meter_w = plus(p.site_meter_w, b.power.site_meter_w);
  p.unaccounted_w = plus(p.unaccounted_w, b.power.unaccounted_w);
  p.pue = p.site_meter_w !== null && p.it_power_w > 0 ? p.site_meter_w / p.it_power_w : null;
  for (const w of WORKLOADS) {
    const x = a[w];
    const y = b[w];
    x.power_w += y.power_w;
    x.estimated_power_w += y.estimated_power_w;
    x.device_power_w += y.device_power_w;
    for (const s of PowerSource.options) x.power_by_source[s] += y.power_by_source[s];
    x.hashrate_hs += y.hashrate_hs;
    x.gpus.push(...y.gpus);
    for (const s of ['up', 'down', 'stale'] as const) x.devices[s] += y.devices[s];
    for (const [model, m] of y.by_model) {
      const t = x.by_model.get(model) ?? { power_w: 0, hashrate_hs: 0, devices: 0 };
      t.power_w += m.power_w;
      t.hashrate_hs += m.hashrate_hs;
      t.devices += m.devices;
      x.by_model.set(model, t);
    }
    const utils = x.gpus.filter((g) => g.up && g.utilization !== undefined);
    x.gpu_utilization = utils.length ? utils.reduce((s, g) => s + g.utilization!, 0) / utils.length : undefined;
  }
  return a;
}
