/**
 * A Prometheus counter that reads the accounting ledger at scrape time: the ledger holds the
 * amounts per real site, and sites past the label cap are folded into one label here, on the way out.
 */
import { Counter, type Registry } from 'prom-client';
import type { Workload } from '../../protocol/index.js';
import type { Ledger, Totals } from '../accounting/ledger.js';
import type { LabelCap } from './label-cap.js';

/** The series of one site and workload: extra labels and the value; none leaves the series absent. */
export type LedgerSeries<L extends string> = (t: Readonly<Totals>, workload: Workload) => [Partial<Record<L, string>>, number][];

export function ledgerCounter<L extends string>(
  registry: Registry,
  ledger: Ledger,
  labels: LabelCap,
  name: string,
  help: string,
  extraLabels: readonly L[],
  series: LedgerSeries<L>,
): Counter<'site' | 'workload' | L> {
  return new Counter<'site' | 'workload' | L>({
    name,
    help,
    labelNames: ['site', 'workload', ...extraLabels],
    registers: [registry],
    collect() {
      this.reset();
      for (const [site, byWorkload] of ledger.all()) {
        const label = labels.label(site);
        for (const [workload, totals] of byWorkload) {
          for (const [extra, value] of series(totals, workload)) this.inc({ site: label, workload, ...extra } as Record<'site' | 'workload' | L, string>, value);
        }
      }
    },
  });
}
