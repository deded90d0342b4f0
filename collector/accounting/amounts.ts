/**
 * What one telemetry message adds to the site's accounts, per workload: energy, revenue, energy
 * cost and device-seconds over its interval. Pure: the same message and inputs give the same
 * amounts, which the ledger adds once and the store writes with the message (idempotently).
 */
import type { Telemetry, Workload } from '../../protocol/index.js';
import type { EconomicsConfig } from '../economics/config.js';
import { messageRevenueUsdPerHour, type MarketInputs } from '../economics/site.js';
import { kindSeconds, messageTotals, WORKLOADS, type KindSecondsField } from '../state/live-state.js';

const JOULES_PER_MWH = 3.6e9;

export interface Amounts extends Record<KindSecondsField, number> {
  /** Billed energy: the devices' energy scaled as billed power is to device power (meters, overhead). */
  energy_j: number;
  /** The devices' own energy (meters excluded). */
  device_energy_j: number;
  /** Undefined when the market is unknown: no revenue is counted rather than a made-up zero. */
  revenue_usd: number | undefined;
  energy_cost_usd: number;
  hashes: number;
  up_seconds: number;
  down_seconds: number;
  gpu_busy_seconds: number;
  gpu_metered_seconds: number;
}

export type MessageAmounts = Record<Workload, Amounts>;

export interface PricingInputs {
  config: EconomicsConfig;
  market: MarketInputs;
  /** Under colocation billing, the host's share of the site's contract (see colocationShare). */
  share: number;
  /** The cash energy price of the message's site at its sample time. */
  energyPriceUsdPerMwh: number;
  /** Billed power / device power of the message's site and workload now (1 when not known). */
  billedRatio: Record<Workload, number>;
}

export function messageAmounts(message: Telemetry, pricing: PricingInputs): MessageAmounts {
  const rate = messageRevenueUsdPerHour(message.devices, pricing.config, pricing.market, pricing.share);
  const hours = message.interval_s / 3600;
  const price = pricing.energyPriceUsdPerMwh;
  const totals = messageTotals(message);
  const out = {} as MessageAmounts;
  for (const workload of WORKLOADS) {
    const t = totals[workload];
    const r = rate[workload];
    const billed = t.energy_j * pricing.billedRatio[workload];
    out[workload] = {
      energy_j: billed,
      device_energy_j: t.energy_j,
      revenue_usd: r === null ? undefined : r * hours,
      // A counter cannot go down: hours of negative spot prices count as free energy here.
      energy_cost_usd: (billed / JOULES_PER_MWH) * Math.max(0, price),
      hashes: t.hashes,
      up_seconds: t.up_seconds,
      down_seconds: t.down_seconds,
      ...kindSeconds(t),
      gpu_busy_seconds: t.gpu_busy_seconds,
      gpu_metered_seconds: t.gpu_metered_seconds,
    };
  }
  return out;
}
