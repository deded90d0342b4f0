/**
 * Caps the number of distinct `site` label values: a misconfigured or hostile agent fleet must not
 * be able to blow up Prometheus' memory. Sites past the cap share the label "other".
 */
export const OVERFLOW_SITE = 'other';

export class SiteLabels {
  private readonly known = new Set<string>();

  constructor(private readonly maxSites: number) {}

  label(site: string): string {
    if (this.known.has(site)) return site;
    if (this.known.size >= this.maxSites) return OVERFLOW_SITE;
    this.known.add(site);
    return site;
  }
}
