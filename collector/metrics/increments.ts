/**
 * What this collector's counters advanced by since the last drain, per site and workload. Written to
 * InfluxDB as amounts per interval (revenue_usd, energy_cost_usd, energy_j billed, device_energy_j): several collectors on
 * one shared subscription each write their share, and a sum per time bucket is the site's total.
 */
import type { Workload } from '../../protocol/index.js';

export type IncrementField = 'energy_j' | 'device_energy_j' | 'revenue_usd' | 'energy_cost_usd';

export class Increments {
  private pending = new Map<string, Partial<Record<IncrementField, number>>>();

  add(site: string, workload: Workload, field: IncrementField, value: number): void {
    const key = `${site}\u0000${workload}`;
    const entry = this.pending.get(key) ?? {};
    entry[field] = (entry[field] ?? 0) + value;
    this.pending.set(key, entry);
  }

  /** Returns and forgets what accumulated: site -> workload -> amounts. */
  drain(): Map<string, Map<Workload, Partial<Record<IncrementField, number>>>> {
    const out = new Map<string, Map<Workload, Partial<Record<IncrementField, number>>>>();
    for (const [key, amounts] of this.pending) {
      const [site, workload] = key.split('\u0000') as [string, Workload];
      if (!out.has(site)) out.set(site, new Map());
      out.get(site)!.set(workload, amounts);
    }
    this.pending = new Map();
    return out;
  }
}
