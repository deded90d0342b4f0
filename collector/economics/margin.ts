/**
 * Per-MWh economics. Units: USD per MWh for prices and margins, W for power, J/TH (= W per TH/s)
 * for miner efficiency, USD per PH/s per day for hashprice and hashcost.
 */

export const W_PER_MW = 1e6;
const HOURS_PER_DAY = 24;

/** USD per hour over MW: the "revenue per MW" figure. Null when there is no power to divide by. */
export function usdPerMwh(usdPerHour: number, powerW: number): number | null {
  if (!(powerW > 0) || !Number.isFinite(powerW) || !Number.isFinite(usdPerHour)) return null;
  return usdPerHour / (powerW / W_PER_MW);
}

/** What the energy a load draws costs per hour at a price per MWh. */
export function energyCostUsdPerHour(powerW: number, priceUsdPerMwh: number): number {
  return (powerW / W_PER_MW) * priceUsdPerMwh;
}

/** Revenue per MWh − energy cost per MWh; null when the revenue per MWh is unknown. */
export function marginUsdPerMwh(revenueUsdPerMwh: number | null, energyUsdPerMwh: number): number | null {
  return revenueUsdPerMwh === null ? null : revenueUsdPerMwh - energyUsdPerMwh;
}

/** Miner efficiency in J/TH from its power and hashrate; null without hashrate or power. */
export function efficiencyJPerTh(powerW: number, hashrateHs: number): number | null {
  if (!(powerW > 0) || !(hashrateHs > 0)) return null;
  return powerW / (hashrateHs / 1e12);
}

/** 1 MW of miners at e J/TH is 1000/e PH/s: revenue per MW per day = hashprice × 1000 / e. */
export function revenueUsdPerMwDay(hashpriceUsdPerPhDay: number, efficiency: number): number | null {
  if (!(efficiency > 0)) return null;
  return (hashpriceUsdPerPhDay * 1000) / efficiency;
}

/** The energy price at which a miner of efficiency e earns exactly its power bill (USD per MWh). */
export function breakevenUsdPerMwh(hashpriceUsdPerPhDay: number, efficiency: number): number | null {
  const perMwDay = revenueUsdPerMwDay(hashpriceUsdPerPhDay, efficiency);
  return perMwDay === null ? null : perMwDay / HOURS_PER_DAY;
}

/** Energy cost of 1 PH/s for a day: e kW × 24 h × price: e × p × 24 / 1000 USD per PH/day. */
export function hashcostUsdPerPhDay(efficiency: number, energyUsdPerMwh: number): number {
  return (efficiency * energyUsdPerMwh * HOURS_PER_DAY) / 1000;
}
