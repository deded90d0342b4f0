/**
 * Caps the number of distinct values of one label on /metrics (sites, miner models, algorithms): a
 * misconfigured or hostile agent fleet must not be able to blow up Prometheus' memory or the
 * scrape. The first `max` values seen keep their names; later ones share the label "other".
 */
export const OVERFLOW_LABEL = 'other';

/** Default caps (collector.yaml `limits.max_sites`, `max_models`, `max_algorithms`). */
export const DEFAULT_LABEL_CAPS = { sites: 64, models: 64, algorithms: 16 } as const;

export class LabelCap {
  private readonly known = new Set<string>();

  constructor(private readonly max: number) {}

  label(value: string): string {
    if (this.known.has(value)) return value;
    if (this.known.size >= this.max) return OVERFLOW_LABEL;
    this.known.add(value);
    return value;
  }
}
