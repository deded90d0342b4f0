/** The site economics as InfluxDB points (measurement `economics`), so margins can be charted over months. */
import type { SiteEconomics } from '../economics/site.js';
import type { Ledger } from '../accounting/ledger.js';
import type { Point } from './line-protocol.js';
import { WORKLOADS } from '../state/live-state.js';

export const ECONOMICS_MEASUREMENT = 'economics';

/**
 * One point per site and workload: this collector's live figures (exact when it is the only one)
 * and the amounts its ledger advanced by since the last point (`energy_j`, `revenue_usd`,
 * `energy_cost_usd`), which sum exactly across collectors sharing a subscription.
 */
export function economicsPoints(
  economics: ReadonlyMap<string, SiteEconomics>,
  increments: ReturnType<Ledger['drain']>,
  atMs: number,
  collector: string,
): Point[] {
  const points: Point[] = [];
  const timestamp = (BigInt(atMs) * 1_000_000n).toString();
  for (const [site, e] of economics) {
    for (const workload of WORKLOADS) {
      const w = e[workload];
      const amounts = increments.get(site)?.get(workload);
      const fields: Record<string, number> = {
        power_w: w.power_w,
        energy_cost_usd_per_mwh: w.energy_cost_usd_per_mwh,
        energy_j: amounts?.energy_j ?? 0,
        device_energy_j: amounts?.device_energy_j ?? 0,
        revenue_usd: amounts?.revenue_usd ?? 0,
        energy_cost_usd: amounts?.energy_cost_usd ?? 0,
      };
      if (w.revenue_usd_per_hour !== null) fields.revenue_usd_per_hour = w.revenue_usd_per_hour;
      if (w.revenue_usd_per_mwh !== null) fields.revenue_usd_per_mwh = w.revenue_usd_per_mwh;
      if (w.margin_usd_per_mwh !== null) fields.margin_usd_per_mwh = w.margin_usd_per_mwh;
      if (w.estimated_power_ratio !== null) fields.estimated_power_ratio = w.estimated_power_ratio;
      if (workload === 'mining' && e.next_halving?.mining_margin_usd_per_mwh != null) fields.next_halving_margin_usd_per_mwh = e.next_halving.mining_margin_usd_per_mwh;
      // Several collectors under one shared subscription each write their own view: tag it.
      points.push({ measurement: ECONOMICS_MEASUREMENT, tags: { site, workload, collector }, fields, timestamp });
    }
  }
  return points;
}
