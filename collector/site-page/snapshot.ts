/**
 * What the site page shows, as one JSON document built from the collector's domain state (live
 * summaries, economics views, agent activity, market snapshot): the same figures /metrics serves,
 * read from the same objects, never parsed back out of /metrics. Pure.
 */
import type { DeviceKind, Workload } from '../../protocol/index.js';
import { hashpriceUsdPerPhDay, subsidyBtc } from '../economics/bitcoin.js';
import type { PriceSource } from '../economics/energy-price.js';
import { nextHalving } from '../economics/halving.js';
import { W_PER_MW } from '../economics/margin.js';
import type { WorkloadEconomics } from '../economics/site.js';
import type { MarketSnapshot } from '../market/source.js';
import type { SiteView } from '../metrics/economics-metrics.js';
import { WORKLOADS, type SiteActivity, type SiteSummary, type WorkloadSummary } from '../state/live-state.js';

export interface SnapshotInput {
  now_ms: number;
  /** Per site label, as /metrics shows them (sites past the cap folded into "other"). */
  summaries: ReadonlyMap<string, SiteSummary>;
  views: ReadonlyMap<string, SiteView>;
  activity: ReadonlyMap<string, SiteActivity>;
  market: MarketSnapshot;
  /** Whether the market comes from a feed or from constants in the config. */
  market_source: 'feed' | 'config';
  /** When the site's energy price feed last brought prices; null without a feed or before its first. */
  energy_updated_at_ms: (site: string) => number | null;
}

export interface WorkloadFigures {
  /** Billed power, the base of every per-MWh figure. */
  power_mw: number;
  /** Shares of billed power by how it is known (0..1); null without power. */
  measured_share: number | null;
  estimated_share: number | null;
  revenue_usd_per_hour: number | null;
  energy_cost_usd_per_hour: number;
  revenue_usd_per_mwh: number | null;
  energy_cost_usd_per_mwh: number;
  margin_usd_per_mwh: number | null;
  devices: { up: number; down: number; stale: number };
}

/** Why devices are not earning: a fault they report, silence, or their agent's status. */
export type DownReason = 'fault' | 'silent' | 'agent_offline' | 'agent_degraded';

export interface DownEntry {
  reason: DownReason;
  /** Null for agents (a host may run both workloads). */
  workload: Workload | null;
  kind: DeviceKind | 'agent';
  count: number;
}

export interface AdviceFigures {
  workload: Workload;
  model: string | null;
  curtail: boolean;
  power_mw: number;
  breakeven_usd_per_mwh: number;
  reason: string;
}

export interface SiteFigures {
  site: string;
  /** Age of the site's newest sample; null before any. */
  data_age_s: number | null;
  mining: WorkloadFigures;
  hpc: WorkloadFigures;
  hashrate_ths: number;
  site_meter_mw: number | null;
  pue: number | null;
  energy: {
    price_usd_per_mwh: number;
    opportunity_usd_per_mwh: number;
    spot_usd_per_mwh: number | null;
    source: PriceSource;
    stale: boolean;
    /** Seconds since the feed last brought prices; null for a fixed price or schedule. */
    age_s: number | null;
  };
  down: DownEntry[];
  agents: { online: number; offline: number; degraded: number };
  curtailment: AdviceFigures[];
  next_halving_mining_margin_usd_per_mwh: number | null;
}

export interface SiteSnapshot {
  generated_at_ms: number;
  sites: SiteFigures[];
  market: {
    source: 'feed' | 'config';
    btc_usd: number | null;
    hashprice_usd_per_ph_day: number | null;
    difficulty: number | null;
    height: number | null;
    fees_btc_per_block: number | null;
    age_s: number | null;
    stale: boolean;
  };
  halving: { height: number; blocks_until: number; date_ms: number; subsidy_btc_now: number; subsidy_btc_after: number } | null;
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function workloadFigures(w: WorkloadSummary, e: WorkloadEconomics): WorkloadFigures {
  return {
    power_mw: w.power_w / W_PER_MW,
    measured_share: share(w.power_by_source.measured, w.power_w),
    estimated_share: share(w.estimated_power_w, w.power_w),
    revenue_usd_per_hour: e.revenue_usd_per_hour,
    energy_cost_usd_per_hour: e.energy_cost_usd_per_hour,
    revenue_usd_per_mwh: e.revenue_usd_per_mwh,
    energy_cost_usd_per_mwh: e.energy_cost_usd_per_mwh,
    margin_usd_per_mwh: e.margin_usd_per_mwh,
    devices: { ...w.devices },
  };
}

/** Devices down by reason, workload and kind; then agents offline and degraded. Zero counts are left out. */
export function downEntries(summary: SiteSummary, activity: SiteActivity | undefined): DownEntry[] {
  const out: DownEntry[] = [];
  for (const workload of WORKLOADS) {
    for (const [kind, states] of Object.entries(summary[workload].devices_by_kind) as [DeviceKind, Record<'up' | 'down' | 'stale', number>][]) {
      if (states.down > 0) out.push({ reason: 'fault', workload, kind, count: states.down });
      if (states.stale > 0) out.push({ reason: 'silent', workload, kind, count: states.stale });
    }
  }
  if (activity?.offline) out.push({ reason: 'agent_offline', workload: null, kind: 'agent', count: activity.offline });
  if (activity?.degraded) out.push({ reason: 'agent_degraded', workload: null, kind: 'agent', count: activity.degraded });
  return out;
}

export function siteSnapshot(input: SnapshotInput): SiteSnapshot {
  const now = input.now_ms;
  const sites: SiteFigures[] = [];
  for (const [site, summary] of [...input.summaries].sort(([a], [b]) => a.localeCompare(b))) {
    const view = input.views.get(site);
    if (!view) continue; // economics not computed for it yet: shown at the next refresh
    const e = view.economics;
    const activity = input.activity.get(site);
    const updated = input.energy_updated_at_ms(site);
    sites.push({
      site,
      data_age_s: activity && activity.last_ts > 0 ? Math.max(0, now - activity.last_ts) / 1000 : null,
      mining: workloadFigures(summary.mining, e.mining),
      hpc: workloadFigures(summary.hpc, e.hpc),
      hashrate_ths: summary.mining.hashrate_hs / 1e12,
      site_meter_mw: summary.power.site_meter_w === null ? null : summary.power.site_meter_w / W_PER_MW,
      pue: summary.power.pue,
      energy: {
        price_usd_per_mwh: e.energy.cash_usd_per_mwh,
        opportunity_usd_per_mwh: e.energy.opportunity_usd_per_mwh,
        spot_usd_per_mwh: e.energy.spot_usd_per_mwh,
        source: e.energy.source,
        stale: e.energy.stale,
        age_s: updated === null ? null : Math.max(0, now - updated) / 1000,
      },
      down: downEntries(summary, activity),
      agents: { online: activity?.online ?? 0, offline: activity?.offline ?? 0, degraded: activity?.degraded ?? 0 },
      curtailment: view.advice.map((a) => ({ workload: a.workload, model: a.model, curtail: a.curtail, power_mw: a.power_w / W_PER_MW, breakeven_usd_per_mwh: a.breakeven_usd_per_mwh, reason: a.reason })),
      next_halving_mining_margin_usd_per_mwh: e.next_halving?.mining_margin_usd_per_mwh ?? null,
    });
  }
  const m = input.market;
  const chain = m.height !== null && m.difficulty !== null && m.fees_btc_per_block !== null ? { height: m.height, difficulty: m.difficulty, fees_btc_per_block: m.fees_btc_per_block } : null;
  const next = m.height === null ? null : nextHalving(m.height, m.tip_time_ms ?? now);
  return {
    generated_at_ms: now,
    sites,
    market: {
      source: input.market_source,
      btc_usd: m.btc_usd,
      hashprice_usd_per_ph_day: chain && m.btc_usd !== null ? hashpriceUsdPerPhDay(chain, m.btc_usd) : null,
      difficulty: m.difficulty,
      height: m.height,
      fees_btc_per_block: m.fees_btc_per_block,
      age_s: m.age_s,
      stale: m.stale,
    },
    halving: next === null ? null : { height: next.height, blocks_until: next.blocks_until, date_ms: next.date_ms, subsidy_btc_now: subsidyBtc(m.height!), subsidy_btc_after: next.subsidy_btc },
  };
}
