/**
 * The forward view and the curtailment advice as InfluxDB points: measurement `energy_forecast`
 * (one point per site, workload and coming interval, at the interval's start, rewritten as the
 * day-ahead prices or revenue change) and `curtailment` (an event each time the advice changes, with
 * its reason).
 */
import type { AdviceEvent, SiteView } from '../metrics/economics-metrics.js';
import type { Point } from './line-protocol.js';

export const FORECAST_MEASUREMENT = 'energy_forecast';
export const CURTAILMENT_MEASUREMENT = 'curtailment';

const ns = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();

export function forecastPoints(views: ReadonlyMap<string, SiteView>, collector: string): Point[] {
  const points: Point[] = [];
  for (const [site, view] of views) {
    for (const i of view.forward) {
      for (const [workload, margin] of [['mining', i.mining_margin_usd_per_mwh], ['hpc', i.hpc_margin_usd_per_mwh]] as const) {
        const fields: Point['fields'] = { price_usd_per_mwh: i.price_usd_per_mwh, interval_s: (i.end_ms - i.start_ms) / 1000 };
        if (margin !== null) fields.margin_usd_per_mwh = margin;
        points.push({ measurement: FORECAST_MEASUREMENT, tags: { site, workload, collector }, fields, timestamp: ns(i.start_ms) });
      }
    }
  }
  return points;
}

export function curtailmentPoints(events: readonly AdviceEvent[], collector: string): Point[] {
  return events.map((e) => ({
    measurement: CURTAILMENT_MEASUREMENT,
    tags: { site: e.site, workload: e.workload, ...(e.model === null ? {} : { model: e.model }), collector },
    fields: { curtail: e.curtail, price_usd_per_mwh: e.price_usd_per_mwh, breakeven_usd_per_mwh: e.breakeven_usd_per_mwh, power_w: e.power_w, reason: e.reason },
    timestamp: ns(e.at_ms),
  }));
}
