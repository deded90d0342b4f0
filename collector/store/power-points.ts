/**
 * Billed power as InfluxDB points, so how much of each figure was measured can be charted over months:
 * `power` per site and workload (billed power, the devices' own, billed power by source) and
 * `site_power` per site (site meter, IT power, PUE, unaccounted power).
 */
import type { Point } from './line-protocol.js';
import { PowerSource } from '../../protocol/index.js';
import { WORKLOADS, type SiteSummary } from '../state/live-state.js';

export const POWER_MEASUREMENT = 'power';
export const SITE_POWER_MEASUREMENT = 'site_power';

export function powerPoints(summaries: ReadonlyMap<string, SiteSummary>, atMs: number, collector: string): Point[] {
  const points: Point[] = [];
  const timestamp = (BigInt(atMs) * 1_000_000n).toString();
  for (const [site, s] of summaries) {
    for (const workload of WORKLOADS) {
      const w = s[workload];
      const fields: Record<string, number> = { power_w: w.power_w, device_power_w: w.device_power_w };
      for (const source of PowerSource.options) fields[`${source}_power_w`] = w.power_by_source[source];
      points.push({ measurement: POWER_MEASUREMENT, tags: { site, workload, collector }, fields, timestamp });
    }
    const p = s.power;
    const fields: Record<string, number> = { it_power_w: p.it_power_w };
    if (p.site_meter_w !== null) fields.site_meter_w = p.site_meter_w;
    if (p.pue !== null) fields.pue = p.pue;
    if (p.unaccounted_w !== null) fields.unaccounted_w = p.unaccounted_w;
    points.push({ measurement: SITE_POWER_MEASUREMENT, tags: { site, collector }, fields, timestamp });
  }
  return points;
}
