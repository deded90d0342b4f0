/**
 * The energy prices of a site at an instant: what it pays (cash) and what burning a MWh forgoes
 * (opportunity). With a market feed the spot price is the price, plus the adders; while the feed has
 * no price for the present the fixed price or schedule stands in and the result says so (`stale`,
 * source "fallback"). A site on a PPA that can sell back pays its PPA price (plus adders) in cash,
 * and every MWh it burns could have been sold at spot: its opportunity cost is the spot price.
 */
import type { EnergyConfig } from './config.js';
import { energyPriceUsdPerMwh } from './energy.js';

/** Spot prices in USD per MWh at an instant (an EnergyPriceFeed); null when not known. */
export interface SpotPrices {
  priceAt(atMs: number): { price: number } | null;
}

export type PriceSource = 'fixed' | 'feed' | 'fallback';

export interface EnergyPrices {
  /** What the site pays per MWh now, adders included. */
  cash_usd_per_mwh: number;
  /** What a MWh burned now forgoes: the spot price where the site can sell back, else the cash price. */
  opportunity_usd_per_mwh: number;
  /** The feed's price now (USD, no adders); null without a feed or while it has none. */
  spot_usd_per_mwh: number | null;
  source: PriceSource;
  /** The site has a feed and it has no price for now: the fallback is in use. */
  stale: boolean;
}

export function addersUsdPerMwh(energy: EnergyConfig): number {
  return Object.values(energy.adders_usd_per_mwh).reduce((sum, a) => sum + a, 0);
}

export function energyPricesAt(energy: EnergyConfig, spot: SpotPrices | null, atMs: number): EnergyPrices {
  const adders = addersUsdPerMwh(energy);
  const fixed = energyPriceUsdPerMwh(energy, atMs) + adders;
  if (!energy.feed || !spot) return { cash_usd_per_mwh: fixed, opportunity_usd_per_mwh: fixed, spot_usd_per_mwh: null, source: 'fixed', stale: false };
  const now = spot.priceAt(atMs)?.price ?? null;
  const source: PriceSource = now === null ? 'fallback' : 'feed';
  if (energy.sell_back) return { cash_usd_per_mwh: fixed, opportunity_usd_per_mwh: now ?? fixed, spot_usd_per_mwh: now, source, stale: now === null };
  const cash = now === null ? fixed : now + adders;
  return { cash_usd_per_mwh: cash, opportunity_usd_per_mwh: cash, spot_usd_per_mwh: now, source, stale: now === null };
}

/** The opportunity price of a spot price: the spot itself where the site sells back, else spot + adders (what it would pay). */
export function opportunityOfSpot(energy: EnergyConfig, spotUsdPerMwh: number): number {
  return energy.sell_back ? spotUsdPerMwh : spotUsdPerMwh + addersUsdPerMwh(energy);
}
