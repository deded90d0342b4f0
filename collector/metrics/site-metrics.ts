/**
 * The site series of /metrics. Gauges are this collector's live view, computed at scrape time
 * from the live state; counters read the accounting ledger (advanced once per committed message,
 * rate × interval) so that sums across collectors sharing one subscription stay exact.
 */
import { Gauge, type Registry } from 'prom-client';
import { PowerSource, type DeviceKind, type Workload } from '../../protocol/index.js';
import type { Ledger } from '../accounting/ledger.js';
import { COUNTED_KINDS, emptyWorkload, WORKLOADS, type DeviceState, type LiveState, type SiteActivity, type SiteSummary } from '../state/live-state.js';
import { ledgerCounter } from './ledger-counter.js';
import { DEFAULT_LABEL_CAPS, LabelCap, OVERFLOW_LABEL } from './label-cap.js';

/** How old a summary may be when the state changed only in readings (gauges of one scrape share one; pricing reuses it). */
const SUMMARY_MAX_AGE_MS = 250;

export class SiteMetrics {
  /** The last summaries (per real site, and folded by label), shared by every gauge of one scrape while the state is unchanged. */
  private cached: { at: number; version: number; membership: number; bySite: Map<string, SiteSummary>; byLabel: Map<string, SiteSummary>; folded: Record<CappedLabel, number> } | undefined;

  constructor(
    registry: Registry,
    private readonly state: LiveState,
    private readonly labels: LabelCap,
    ledger: Ledger,
    /** The site's economics.overhead.unaccounted_alert_watts (its own, or the default). */
    unaccountedAlertW: (site: string) => number,
    private readonly clock: () => number = Date.now,
    private readonly caps: ValueCaps = { model: new LabelCap(DEFAULT_LABEL_CAPS.models), algorithm: new LabelCap(DEFAULT_LABEL_CAPS.algorithms) },
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
    const perSite = (name: string, help: string, value: (s: SiteSummary['power'], site: string) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['site'] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const [site, summary] of summaries()) {
            const v = value(summary.power, site);
            if (v !== null) this.set({ site }, v);
          }
        },
      });
    perSite('powersite_site_power_watts', 'Power of the site meters (covers: site) now: the bill', (p) => p.site_meter_w);
    perSite('powersite_site_it_power_watts', 'IT power under the site meter: meters, BMCs and devices, before cooling and losses', (p) => p.it_power_w);
    perSite('powersite_site_pue', 'Power usage effectiveness measured now: site meter / IT power', (p) => p.pue);
    perSite('powersite_site_unaccounted_power_watts', 'What the site meter shows beyond IT power × the configured PUE (a dead PDU, an unlisted rack, a bypass); negative: the parts read more than the meter', (p) => p.unaccounted_w);
    perSite('powersite_site_unaccounted_power_alert_watts', 'Unaccounted power above which the alert fires (economics.overhead.unaccounted_alert_watts)', (p, site) => (p.site_meter_w === null ? null : unaccountedAlertW(site)));
    perWorkload('powersite_hashrate_hashes_per_second', 'SHA-256 (bitcoin) mining hashrate now', (w, workload) => (workload === 'mining' ? w.hashrate_hs : undefined));
    new Gauge({
      name: 'powersite_other_hashrate_hashes_per_second',
      help: 'Hashrate of miners of other algorithms (scrypt, ..., unknown) now: shown, not priced',
      labelNames: ['site', 'workload', 'algorithm'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, summary] of summaries()) {
          for (const workload of WORKLOADS) {
            for (const [algorithm, hs] of Object.entries(summary[workload].other_hashrate_hs)) this.set({ site, workload, algorithm }, hs);
          }
        }
      },
    });
    perWorkload('powersite_gpu_utilization_ratio', 'Mean utilisation of GPUs that are up', (w, workload) => (workload === 'hpc' ? w.gpu_utilization : undefined));

    new Gauge({
      name: 'powersite_devices',
      help: 'Devices by kind (gpu, asic, host, meter) and state: up, down (reporting a fault) or stale (not heard from for several intervals)',
      labelNames: ['site', 'workload', 'kind', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, summary] of summaries()) {
          for (const workload of WORKLOADS) {
            for (const [kind, states] of Object.entries(summary[workload].devices_by_kind)) {
              for (const [state, n] of Object.entries(states)) this.set({ site, workload, kind, state }, n);
            }
          }
        }
      },
    });

    const activity = () => this.activity();
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
      name: 'powersite_agents_degraded',
      help: 'Online agents whose retained status reports a fault (a disk that refuses the spool or state writes); the reason is in the status message and the agent\'s log',
      labelNames: ['site'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [site, a] of activity()) this.set({ site }, a.degraded);
      },
    });
    new Gauge({
      name: 'powersite_agent_up',
      help: 'Each agent by its retained status: 1 online, 0 offline (clean shutdown or the broker\'s last will); rebuilt from the broker after a collector restart',
      labelNames: ['site', 'host'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const a of state.agents()) this.set({ site: labels.label(a.site), host: a.host }, a.online ? 1 : 0);
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

    const folded = () => this.current().folded;
    new Gauge({
      name: 'powersite_collector_label_values_folded',
      help: 'Distinct values of a label (site, model, algorithm) past its cap (limits.max_sites, max_models, max_algorithms), shown as "other" on /metrics',
      labelNames: ['label'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [label, n] of Object.entries(folded())) this.set({ label }, n);
      },
    });

    const counter = (name: string, help: string, series: Parameters<typeof ledgerCounter<never>>[6]) => ledgerCounter(registry, ledger, labels, name, help, [], series);
    counter('powersite_device_energy_joules_total', 'Energy the devices themselves show (meters excluded), advanced once per message by power × interval; powersite_energy_joules_total is billed energy', (t) => [[{}, t.device_energy_j]]);
    ledgerCounter(registry, ledger, labels, 'powersite_device_seconds_total', 'Device-seconds by kind (asic, gpu, host, meter) and state (up, down), advanced once per message by devices × interval: sum rate() across collectors for device counts', ['kind', 'state'], (t) =>
      COUNTED_KINDS.filter((kind) => t[`${kind}_up_seconds`] + t[`${kind}_down_seconds`] > 0).flatMap((kind) => [
        [{ kind, state: 'up' }, t[`${kind}_up_seconds`]],
        [{ kind, state: 'down' }, t[`${kind}_down_seconds`]],
      ]),
    );
    counter('powersite_gpu_busy_seconds_total', 'Σ utilisation × interval of GPUs that are up and report utilisation (mean utilisation = its rate / the rate of powersite_gpu_metered_seconds_total)', (t, w) => (w === 'hpc' ? [[{}, t.gpu_busy_seconds]] : []));
    counter('powersite_gpu_metered_seconds_total', 'GPU-seconds of GPUs that are up and report utilisation', (t, w) => (w === 'hpc' ? [[{}, t.gpu_metered_seconds]] : []));
    counter('powersite_hashes_total', 'Hashes computed, advanced once per message by hashrate × interval', (t, w) => (w === 'mining' ? [[{}, t.hashes]] : []));
  }

  /** Agents and the newest sample per site label: sites past the label cap fold into "other" (agents summed, newest sample kept). */
  activity(): Map<string, SiteActivity> {
    const out = new Map<string, SiteActivity>();
    for (const [site, a] of this.state.activity()) {
      const label = this.labels.label(site);
      const t = out.get(label) ?? { online: 0, offline: 0, degraded: 0, last_ts: 0 };
      out.set(label, { online: t.online + a.online, offline: t.offline + a.offline, degraded: t.degraded + a.degraded, last_ts: Math.max(t.last_ts, a.last_ts) });
    }
    return out;
  }

  /** Summaries by label (sites past the cap folded), computed once per scrape: every gauge's collect() shares them. */
  summaries(): Map<string, SiteSummary> {
    return this.current().byLabel;
  }

  /** Summaries per real site, never folded: for what is stored. */
  siteSummaries(): Map<string, SiteSummary> {
    return this.current().bySite;
  }

  /**
   * The same for pricing each message: recomputed when what is counted changes (a new device, one
   * going down or coming back; see LiveState.membershipVersion), else at most SUMMARY_MAX_AGE_MS
   * old. Summing every device of the site for every message would cost each message its site's size.
   */
  pricingSummaries(): Map<string, SiteSummary> {
    const c = this.cached;
    if (c && c.membership === this.state.membershipVersion && this.clock() - c.at <= SUMMARY_MAX_AGE_MS) return c.bySite;
    return this.current().bySite;
  }

  private current(): NonNullable<SiteMetrics['cached']> {
    const now = this.clock();
    if (!this.cached || this.cached.version !== this.state.version || now - this.cached.at > SUMMARY_MAX_AGE_MS) {
      const bySite = this.state.summarize(now);
      const byLabel = new Map<string, SiteSummary>();
      const foldedSites = new Set<string>();
      for (const [site, summary] of bySite) {
        const label = this.labels.label(site);
        if (label === OVERFLOW_LABEL && site !== OVERFLOW_LABEL) foldedSites.add(site);
        // Merging adds into its first argument: never into a per-site summary (copy it first).
        const existing = byLabel.get(label);
        if (!existing) byLabel.set(label, label === site ? summary : mergeSummaries(emptySummary(), summary));
        else byLabel.set(label, mergeSummaries(existing === bySite.get(label) ? mergeSummaries(emptySummary(), existing) : existing, summary));
      }
      const { models, algorithms } = this.foldValues(byLabel);
      // Read after summarize(), which forgets long-silent devices.
      this.cached = { at: now, version: this.state.version, membership: this.state.membershipVersion, bySite, byLabel, folded: { site: foldedSites.size, model: models, algorithm: algorithms } };
    }
    return this.cached;
  }

  /** Folds models and algorithms past their caps into "other" (copying, never changing, a per-site summary); returns how many distinct values were folded. */
  private foldValues(byLabel: Map<string, SiteSummary>): { models: number; algorithms: number } {
    const models = new Set<string>();
    const algorithms = new Set<string>();
    for (const [label, summary] of byLabel) {
      let copy: SiteSummary | undefined;
      for (const workload of WORKLOADS) {
        const w = summary[workload];
        if ([...w.by_model.keys()].some((m) => this.caps.model.label(m) !== m)) {
          const byModel = new Map<string, (typeof w.by_model extends Map<string, infer M> ? M : never)>();
          for (const [model, m] of w.by_model) {
            const capped = this.caps.model.label(model);
            if (capped !== model) models.add(model);
            const t = byModel.get(capped) ?? { power_w: 0, hashrate_hs: 0, devices: 0 };
            byModel.set(capped, { power_w: t.power_w + m.power_w, hashrate_hs: t.hashrate_hs + m.hashrate_hs, devices: t.devices + m.devices });
          }
          copy ??= { ...summary };
          copy[workload] = { ...copy[workload], by_model: byModel };
        }
        if (Object.keys(w.other_hashrate_hs).some((a) => this.caps.algorithm.label(a) !== a)) {
          const other: Record<string, number> = {};
          for (const [algorithm, hs] of Object.entries(w.other_hashrate_hs)) {
            const capped = this.caps.algorithm.label(algorithm);
            if (capped !== algorithm) algorithms.add(algorithm);
            other[capped] = (other[capped] ?? 0) + hs;
          }
          copy ??= { ...summary };
          copy[workload] = { ...copy[workload], other_hashrate_hs: other };
        }
      }
      if (copy) byLabel.set(label, copy);
    }
    return { models: models.size, algorithms: algorithms.size };
  }
}

type CappedLabel = 'site' | 'model' | 'algorithm';

/** Caps of the label values a summary carries besides its site. */
export interface ValueCaps {
  model: LabelCap;
  algorithm: LabelCap;
}

function emptySummary(): SiteSummary {
  return { mining: emptyWorkload(), hpc: emptyWorkload(), power: { it_power_w: 0, site_meter_w: null, unaccounted_w: null, pue: null } };
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
    for (const [algorithm, hs] of Object.entries(y.other_hashrate_hs)) x.other_hashrate_hs[algorithm] = (x.other_hashrate_hs[algorithm] ?? 0) + hs;
    x.gpus.push(...y.gpus);
    for (const s of ['up', 'down', 'stale'] as const) x.devices[s] += y.devices[s];
    for (const [kind, states] of Object.entries(y.devices_by_kind) as [DeviceKind, Record<DeviceState, number>][]) {
      const t = (x.devices_by_kind[kind] ??= { up: 0, down: 0, stale: 0 });
      for (const s of ['up', 'down', 'stale'] as const) t[s] += states[s];
    }
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
