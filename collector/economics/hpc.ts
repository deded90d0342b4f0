/**
 * HPC revenue, in the three ways sites earn from GPUs: rented per GPU-hour, billed while the GPU is
 * up (`reserved`) or by its utilisation (`utilization`); or `colocation`, a contracted price per kW
 * of IT capacity per month, earned whatever the GPUs do.
 */

export type RentalBilling = 'reserved' | 'utilization';

/** USD per GPU-hour by model key; `default` prices any GPU no other key matches. */
export type GpuPrices = { default: number } & Record<string, number>;

export interface GpuState {
  model?: string | undefined;
  up: boolean;
  utilization?: number | undefined;
}

/** Average hours in a month (365.25 × 24 / 12), so 12 monthly charges make exactly one year. */
export const HOURS_PER_MONTH = 730.5;

/**
 * The price for a GPU model: the longest key (other than `default`) found in the model name,
 * case-insensitively, so "NVIDIA H100 80GB HBM3" takes "H100", and "H100 NVL" beats "H100" for an NVL card.
 */
export function gpuPricePerHour(model: string | undefined, prices: GpuPrices): number {
  const name = (model ?? '').toLowerCase();
  let best: string | undefined;
  for (const key of Object.keys(prices)) {
    if (key === 'default' || key === '' || !name.includes(key.toLowerCase())) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  return best === undefined ? prices.default : prices[best]!;
}

/**
 * The share of an hour a GPU is billed for: 1 while up under `reserved`; its utilisation under
 * `utilization` (a GPU that reports none is billed nothing, since nothing shows it working). Down is 0.
 */
export function billedShare(gpu: GpuState, billing: RentalBilling): number {
  if (!gpu.up) return 0;
  return billing === 'reserved' ? 1 : (gpu.utilization ?? 0);
}

/** Σ billed share × price per GPU-hour. */
export function gpuRentalUsdPerHour(gpus: readonly GpuState[], billing: RentalBilling, prices: GpuPrices): number {
  let total = 0;
  for (const gpu of gpus) total += billedShare(gpu, billing) * gpuPricePerHour(gpu.model, prices);
  return total;
}

/** A colocation contract's revenue per hour: USD per kW-month × contracted kW / 730.5 h. */
export function colocationUsdPerHour(usdPerKwMonth: number, contractedKw: number): number {
  return (usdPerKwMonth * contractedKw) / HOURS_PER_MONTH;
}
