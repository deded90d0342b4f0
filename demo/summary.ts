/** The demo's five-second summary line, from the collector's live view of the site. */
import type { SiteEconomics } from '../collector/economics/site.js';
import type { SiteSummary } from '../collector/state/live-state.js';

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Whole dollars, the sign before the symbol as people write it: -$8, not $-8; unknown is n/a. */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const whole = Math.round(v);
  return `${whole < 0 ? '-' : ''}$${fmt(Math.abs(whole), 0)}`;
}

export function summaryLine(site: SiteSummary, e: SiteEconomics | undefined): string {
  const { mining, hpc } = site;
  return (
    `mining ${fmt(mining.power_w / 1000)} kW ${fmt(mining.hashrate_hs / 1e15, 2)} PH/s ${usd(e?.mining.revenue_usd_per_mwh)}/MWh margin ${usd(e?.mining.margin_usd_per_mwh)} ` +
    `(after halving ${usd(e?.next_halving?.mining_margin_usd_per_mwh)}) | ` +
    `hpc ${fmt(hpc.power_w / 1000)} kW util ${fmt((hpc.gpu_utilization ?? 0) * 100, 0)} % ${usd(e?.hpc.revenue_usd_per_mwh)}/MWh margin ${usd(e?.hpc.margin_usd_per_mwh)} | ` +
    `energy ${usd(e?.energy_price_usd_per_mwh)}/MWh`
  );
}
