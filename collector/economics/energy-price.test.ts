import { describe, expect, it } from 'vitest';
import { EconomicsConfig, siteEconomics, SiteEconomicsConfig } from './config.js';
import { energyPricesAt, opportunityOfSpot } from './energy-price.js';

const FEED = { type: 'ercot', settlement_point: 'HB_NORTH', subscription_key_file: '/k', token_file: '/t' };
const energy = (e: unknown) => EconomicsConfig.parse({ energy: e }).energy;
const spotAt = (price: number | null) => ({ priceAt: () => (price === null ? null : { price }) });
const ADDERS = { transmission: 6.5, distribution: 2, retail: 1.5 }; // 10 USD/MWh in all

describe('energy prices at an instant', () => {
  it('fixed price plus adders, no feed: cash = opportunity = 45 + 10', () => {
    expect(energyPricesAt(energy({ price_usd_per_mwh: 45, adders_usd_per_mwh: ADDERS }), null, 0)).toEqual({
      cash_usd_per_mwh: 55,
      opportunity_usd_per_mwh: 55,
      spot_usd_per_mwh: null,
      source: 'fixed',
      stale: false,
    });
  });

  it('with a feed the spot price plus adders is paid; the fixed price stands in, visibly, when the feed has none', () => {
    const e = energy({ price_usd_per_mwh: 45, adders_usd_per_mwh: ADDERS, feed: FEED });
    expect(energyPricesAt(e, spotAt(5000), 0)).toEqual({ cash_usd_per_mwh: 5010, opportunity_usd_per_mwh: 5010, spot_usd_per_mwh: 5000, source: 'feed', stale: false });
    // Negative spot prices are paid as they are: -20 + 10 of adders.
    expect(energyPricesAt(e, spotAt(-20), 0).cash_usd_per_mwh).toBe(-10);
    expect(energyPricesAt(e, spotAt(null), 0)).toEqual({ cash_usd_per_mwh: 55, opportunity_usd_per_mwh: 55, spot_usd_per_mwh: null, source: 'fallback', stale: true });
  });

  it('a PPA with sell-back pays its PPA price (plus adders) and forgoes the spot price for every MWh it burns', () => {
    const e = energy({ price_usd_per_mwh: 40, adders_usd_per_mwh: ADDERS, feed: FEED, sell_back: true });
    expect(energyPricesAt(e, spotAt(5000), 0)).toEqual({ cash_usd_per_mwh: 50, opportunity_usd_per_mwh: 5000, spot_usd_per_mwh: 5000, source: 'feed', stale: false });
    expect(energyPricesAt(e, spotAt(null), 0)).toMatchObject({ cash_usd_per_mwh: 50, opportunity_usd_per_mwh: 50, source: 'fallback', stale: true });
    expect(opportunityOfSpot(e, 100)).toBe(100);
    expect(opportunityOfSpot(energy({ feed: FEED, adders_usd_per_mwh: ADDERS }), 100)).toBe(110);
  });

  it('sell-back needs a feed and a PPA price; adder names are checked', () => {
    const problems = (e: unknown) => EconomicsConfig.safeParse({ energy: e }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ price_usd_per_mwh: 40, sell_back: true })).toEqual(['energy.sell_back: sell_back needs a feed: the spot price the site could sell its power at']);
    expect(problems({ feed: FEED, sell_back: true })).toEqual(['energy.sell_back: sell_back needs the PPA price the site pays: price_usd_per_mwh or a time-of-use schedule']);
    expect(problems({ adders_usd_per_mwh: { 'Transmission Fee': 1 } })![0]).toMatch(/^energy\.adders_usd_per_mwh\.Transmission Fee: /);
  });
});

describe('per-site economics', () => {
  it('a site section replaces that section whole; the rest and the market stay the defaults', () => {
    const defaults = EconomicsConfig.parse({ energy: { price_usd_per_mwh: 45 }, hpc: { billing: 'reserved' }, bitcoin: { pool_fee: 0.01 } });
    const own = SiteEconomicsConfig.parse({ energy: { feed: { ...FEED, settlement_point: 'LZ_WEST' } }, curtailment: { after_intervals: 3 } });
    const site = siteEconomics(defaults, own);
    expect(site.energy.feed).toMatchObject({ type: 'ercot', settlement_point: 'LZ_WEST' });
    expect(site.energy.adders_usd_per_mwh).toEqual({});
    expect(site.curtailment).toEqual({ after_intervals: 3, resume_after_intervals: 4 });
    expect(site.hpc).toBe(defaults.hpc);
    expect(site.bitcoin).toBe(defaults.bitcoin);
    expect(siteEconomics(defaults, undefined)).toBe(defaults);
    expect(SiteEconomicsConfig.safeParse({ bitcoin: {} }).success).toBe(false); // one market for every site
    expect(siteEconomics(defaults, SiteEconomicsConfig.parse({ overhead: { pue: 1.2 } })).overhead).toMatchObject({ pue: 1.2 });
  });
});
