/**
 * The economics series of /metrics: revenue, energy cost and margin per MWh by site and workload,
 * the next-halving projection, per-model breakeven and curtailment, and the market inputs. Gauges
 * are computed at scrape time from the live state; the revenue, energy-cost and billed-energy
 * counters read the accounting ledger (advanced once per stored message) so they add up across collectors.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Ledger } from '../accounting/ledger.js';
import type { EconomicsConfig } from '../economics/config.js';
import { CurtailmentAdvisor, type Advice, type CurtailmentTarget } from '../economics/curtailment.js';
import { energyPricesAt, opportunityOfSpot } from '../economics/energy-price.js';
import { fixedPriceCurve, forwardView, marginByHourAhead, secondsUntilNegative, type ForwardInterval } from '../economics/forward.js';
import { computeEconomics, type SiteEconomics } from '../economics/site.js';
import type { SiteFeeds } from '../energy-market/site-feeds.js';
import type { MarketSource } from '../market/source.js';
import { WORKLOADS, type SiteSummary } from '../state/live-state.js';
import { ledgerCounter } from './ledger-counter.js';
import type { LabelCap } from './label-cap.js';

export interface SiteSettings {
  contracted_power_mw?: number | undefined;
  margin_floor_usd_per_mwh?: number | undefined;
}

/** A change of curtailment advice, for the InfluxDB event log. */
export interface AdviceEvent extends Advice {
  site: string;
  at_ms: number;
  price_usd_per_mwh: number;
}

/** Everything computed for one site at one instant. */
export interface SiteView {
  economics: SiteEconomics;
  forward: ForwardInterval[];
  advice: Advice[];
}

/** Advice changes held for the next InfluxDB write; beyond this the oldest go (they are also logged). */
const MAX_PENDING_EVENTS = 1000;

export class EconomicsMetrics {
  /** Economics per real site for the store, by input map, computed once per interval. */
  private readonly storeCache = new WeakMap<Map<string, SiteSummary>, { at: number; economics: Map<string, SiteEconomics> }>();
  private cached: { at: number; summaries: Map<string, SiteSummary>; economics: Map<string, SiteEconomics>; views: Map<string, SiteView> } | undefined;
  private readonly advisor = new CurtailmentAdvisor();
  private events: AdviceEvent[] = [];
  private adviceListener: ((event: AdviceEvent) => void) | undefined;

  constructor(
    registry: Registry,
    private readonly config: EconomicsConfig,
    private readonly market: MarketSource,
    private readonly pricing: SiteFeeds,
    private readonly summaries: () => Map<string, SiteSummary>,
    private readonly siteSummaries: () => Map<string, SiteSummary>,
    labels: LabelCap,
    ledger: Ledger,
    sites: Readonly<Record<string, SiteSettings>>,
    private readonly clock: () => number = Date.now,
  ) {
    const registers = [registry];
    const views = () => this.views();
    const marketOnly = () => this.marketOnly();
    const snapshot = () => this.market.snapshot();

    type Setter = (gauge: Gauge<string>, site: string, e: SiteEconomics, view: SiteView) => void;
    const perSite = (name: string, help: string, labelNames: string[], set: Setter) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [site, v] of views()) set(this, site, v.economics, v);
        },
      });
    const setIf = (g: Gauge<string>, labels: Record<string, string>, v: number | null | undefined) => {
      if (v !== null && v !== undefined && Number.isFinite(v)) g.set(labels, v);
    };

    perSite('powersite_revenue_usd_per_hour', 'Revenue rate now', ['site', 'workload'], (g, site, e) => {
      for (const workload of WORKLOADS) setIf(g, { site, workload }, e[workload].revenue_usd_per_hour);
    });
    perSite('powersite_revenue_usd_per_mwh', 'Revenue per MWh consumed; scenario="next_halving": mining at the next halving\'s subsidy', ['site', 'workload', 'scenario'], (g, site, e) => {
      for (const workload of WORKLOADS) setIf(g, { site, workload }, e[workload].revenue_usd_per_mwh);
      setIf(g, { site, workload: 'mining', scenario: 'next_halving' }, e.next_halving?.mining_revenue_usd_per_mwh);
    });
    perSite('powersite_margin_usd_per_mwh', 'Revenue per MWh minus energy cost per MWh; scenario="next_halving" likewise', ['site', 'workload', 'scenario'], (g, site, e) => {
      for (const workload of WORKLOADS) setIf(g, { site, workload }, e[workload].margin_usd_per_mwh);
      setIf(g, { site, workload: 'mining', scenario: 'next_halving' }, e.next_halving?.mining_margin_usd_per_mwh);
    });
    perSite('powersite_energy_cost_usd_per_mwh', 'Energy price paid now, adders included (market feed, or flat / time of use / PPA)', ['site'], (g, site, e) => setIf(g, { site }, e.energy_price_usd_per_mwh));
    perSite('powersite_energy_opportunity_cost_usd_per_mwh', 'What a MWh burned now forgoes: the spot price where the site can sell back, else the price paid', ['site'], (g, site, e) =>
      setIf(g, { site }, e.energy.opportunity_usd_per_mwh),
    );
    perSite('powersite_energy_spot_usd_per_mwh', 'The market feed\'s price now in USD, before adders (absent without a feed or while it has none)', ['site'], (g, site, e) => setIf(g, { site }, e.energy.spot_usd_per_mwh));
    perSite('powersite_energy_price_stale', '1 when the site\'s market feed has no price for now and the fixed price stands in', ['site'], (g, site, e) => g.set({ site }, e.energy.stale ? 1 : 0));
    perSite('powersite_energy_price_source', 'Where the energy price comes from: feed, fallback (feed has none for now) or fixed, 1 per site', ['site', 'source'], (g, site, e) => g.set({ site, source: e.energy.source }, 1));
    perSite('powersite_opportunity_margin_usd_per_mwh', 'Revenue per MWh minus the opportunity energy price (what curtailment compares)', ['site', 'workload'], (g, site, e) => {
      for (const workload of WORKLOADS) setIf(g, { site, workload }, e[workload].opportunity_margin_usd_per_mwh);
    });
    const adviceLabels = (site: string, a: Advice) => (a.model === null ? { site, workload: a.workload } : { site, workload: a.workload, model: a.model });
    perSite('powersite_curtailment_advice', 'Curtailment advice after hysteresis (N intervals above breakeven to curtail, M below to resume, or above the hard cap): 1 = curtail', ['site', 'workload', 'model'], (g, site, _e, v) => {
      for (const a of v.advice) g.set(adviceLabels(site, a), a.curtail ? 1 : 0);
    });
    perSite('powersite_curtailment_advice_power_watts', 'Power the curtailment advice would free (0 when not advised)', ['site', 'workload', 'model'], (g, site, _e, v) => {
      for (const a of v.advice) g.set(adviceLabels(site, a), a.curtail ? a.power_w : 0);
    });
    perSite('powersite_forecast_margin_usd_per_mwh', 'Lowest forecast margin per MWh (day-ahead prices, or the fixed price or schedule; opportunity basis; today\'s revenue) of the intervals starting in each hour ahead ("00" = the hour under way)', ['site', 'workload', 'hours_ahead'], (g, site, _e, v) => {
      for (const workload of WORKLOADS) for (const [hour, m] of marginByHourAhead(v.forward, workload, this.clock())) g.set({ site, workload, hours_ahead: String(hour).padStart(2, '0') }, m); // two digits: dashboards sort them as text
    });
    perSite('powersite_forecast_negative_margin_eta_seconds', 'Seconds until the first day-ahead interval with a negative margin (0 when under way; absent when none within 36 h)', ['site', 'workload'], (g, site, _e, v) => {
      for (const workload of WORKLOADS) setIf(g, { site, workload }, secondsUntilNegative(v.forward, workload, this.clock()));
    });
    const feeds = () => this.pricing.all();
    const now = this.clock;
    new Gauge({
      name: 'powersite_energy_feed_age_seconds',
      help: 'Time since the energy price feed last brought prices',
      labelNames: ['feed'],
      registers,
      collect() {
        this.reset();
        for (const f of feeds()) {
          const at = f.status().updated_at_ms;
          if (at !== null) this.set({ feed: f.name }, Math.max(0, now() - at) / 1000);
        }
      },
    });
    new Counter({
      name: 'powersite_energy_feed_errors_total',
      help: 'Failed requests of the energy price feed (throttled ones included)',
      labelNames: ['feed'],
      registers,
      collect() {
        this.reset();
        for (const f of feeds()) this.inc({ feed: f.name }, f.status().errors);
      },
    });
    perSite('powersite_miner_efficiency_joules_per_terahash', 'Live efficiency of a miner model (its power / its hashrate)', ['site', 'model'], (g, site, e) => {
      for (const b of e.breakeven) setIf(g, { site, model: b.model }, b.efficiency_j_per_th);
    });
    perSite('powersite_breakeven_energy_usd_per_mwh', 'Energy price at which a miner model stops paying, from live hashprice and its efficiency', ['site', 'model'], (g, site, e) => {
      for (const b of e.breakeven) setIf(g, { site, model: b.model }, b.breakeven_usd_per_mwh);
    });
    perSite('powersite_curtailment_recommended', '1 when the energy price now is above the miner model\'s breakeven', ['site', 'model'], (g, site, e) => {
      for (const b of e.breakeven) if (b.breakeven_usd_per_mwh !== null) g.set({ site, model: b.model }, b.curtail ? 1 : 0);
    });
    perSite('powersite_curtailment_power_watts', 'Power of a miner model that curtailment would free (0 when not recommended)', ['site', 'model'], (g, site, e) => {
      for (const b of e.breakeven) if (b.breakeven_usd_per_mwh !== null) g.set({ site, model: b.model }, b.curtail ? b.power_w : 0);
    });

    const contracted = new Gauge({ name: 'powersite_site_contracted_power_watts', help: 'Contracted power of the site (sites.<site>.contracted_power_mw)', labelNames: ['site'], registers });
    const floor = new Gauge({ name: 'powersite_site_margin_floor_usd_per_mwh', help: 'Margin floor of the site for alerts (sites.<site>.margin_floor_usd_per_mwh)', labelNames: ['site'], registers });
    for (const [site, s] of Object.entries(sites)) {
      if (s.contracted_power_mw !== undefined) contracted.set({ site }, s.contracted_power_mw * 1e6);
      if (s.margin_floor_usd_per_mwh !== undefined) floor.set({ site }, s.margin_floor_usd_per_mwh);
    }
    const siteNames = () => this.summaries().keys();
    const sitePricing = this.pricing;
    new Gauge({
      name: 'powersite_hpc_billing_info',
      help: 'The configured HPC billing (reserved, utilization or colocation), 1 per site',
      labelNames: ['site', 'billing'],
      registers,
      collect() {
        this.reset();
        for (const site of siteNames()) this.set({ site, billing: sitePricing.forSite(site).config.hpc.billing }, 1);
      },
    });

    // Market series carry source="feed"|"config": labelled, an unknown value is absent instead of
    // prom-client's default 0 for unlabelled gauges, and dashboards can tell live data from config.
    const source = config.bitcoin.feed ? 'feed' : 'config';
    const marketGauge = (name: string, help: string, value: () => number | null | undefined, labels: Record<string, string> = { source }) =>
      new Gauge({
        name,
        help,
        labelNames: Object.keys(labels),
        registers,
        collect() {
          this.reset();
          const v = value();
          if (v !== null && v !== undefined && Number.isFinite(v)) this.set(labels, v);
        },
      });
    marketGauge('powersite_hashprice_usd_per_petahash_day', 'Expected USD per PH/s per day (subsidy + mean fees, before pool fee)', () => marketOnly().hashprice_usd_per_ph_day);
    new Gauge({
      name: 'powersite_block_subsidy_btc',
      help: 'Block subsidy now; scenario="next_halving": after the next halving',
      labelNames: ['source', 'scenario'],
      registers,
      collect() {
        this.reset();
        const e = marketOnly();
        if (e.subsidy_btc !== null) this.set({ source }, e.subsidy_btc);
        if (e.next_halving) this.set({ source, scenario: 'next_halving' }, e.next_halving.subsidy_btc);
      },
    });
    marketGauge('powersite_blocks_until_halving', 'Blocks until the next halving', () => marketOnly().blocks_until_halving);
    marketGauge('powersite_next_halving_timestamp_seconds', 'Estimated date of the next halving at 600 s per block', () => {
      const d = marketOnly().next_halving?.date_ms;
      return d === undefined ? null : d / 1000;
    });
    marketGauge('powersite_market_btc_usd', 'BTC price in use', () => snapshot().btc_usd);
    marketGauge('powersite_market_difficulty', 'Network difficulty in use', () => snapshot().difficulty);
    marketGauge('powersite_market_block_height', 'Chain tip height in use', () => snapshot().height);
    marketGauge('powersite_market_fees_btc_per_block', 'Mean fees per block (last 144 blocks) in use', () => snapshot().fees_btc_per_block);
    marketGauge('powersite_market_data_age_seconds', 'Age of the market inputs (for constants from the config: time since the collector started)', () => snapshot().age_s);
    marketGauge('powersite_market_data_stale', '1 when the market feed has failed for longer than stale_after (the last good values stay in use)', () => (snapshot().stale ? 1 : 0), {});

    const counter = (name: string, help: string, series: Parameters<typeof ledgerCounter<never>>[6]) => ledgerCounter(registry, ledger, labels, name, help, [], series);
    counter('powersite_revenue_usd_total', 'Revenue earned, advanced once per message by revenue rate × interval', (t) => (t.revenue_known ? [[{}, t.revenue_usd]] : []));
    counter('powersite_energy_cost_usd_total', 'Energy bought, advanced once per message by billed energy × energy price', (t) => [[{}, t.energy_cost_usd]]);
    counter(
      'powersite_energy_joules_total',
      'Billed energy, which per-MWh figures divide by: per message, its devices\' energy × billed power / device power of its site and workload now (sum rate() across collectors for fleet power)',
      (t) => [[{}, t.energy_j]],
    );
  }

  /** The market-only figures (hashprice, subsidy, halving), valid with or without any site. */
  private marketOnly(): SiteEconomics {
    return first(this.economics()) ?? computeEconomics(EMPTY_SITE, this.config, this.market.snapshot(), this.clock());
  }

  /** Economics per site label, computed once per scrape. */
  economics(): Map<string, SiteEconomics> {
    return this.compute().economics;
  }

  /** Economics, forward view and curtailment advice per site label. */
  views(): Map<string, SiteView> {
    return this.compute().views;
  }

  /** Called at each change of advice (the collector logs it). */
  onAdviceChange(listener: (event: AdviceEvent) => void): void {
    this.adviceListener = listener;
  }

  /** Advice changes since the last call, oldest first. */
  drainEvents(): AdviceEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private compute() {
    const now = this.clock();
    const summaries = this.summaries();
    if (!this.cached || this.cached.summaries !== summaries || now - this.cached.at > 250) {
      const snapshot = this.market.snapshot();
      const economics = new Map<string, SiteEconomics>();
      const views = new Map<string, SiteView>();
      for (const [site, summary] of summaries) {
        const { config, feed } = this.pricing.forSite(site);
        const e = computeEconomics(summary, config, snapshot, now, energyPricesAt(config.energy, feed, now));
        const settled = feed ? feed.settled().map((i) => ({ ...i, price: opportunityOfSpot(config.energy, i.price) })) : [];
        const advice = this.advisor.advise(site, curtailmentTargets(e, config), settled, e.energy.opportunity_usd_per_mwh, config.curtailment, now);
        for (const a of advice) {
          if (!a.changed) continue;
          const event = { ...a, site, at_ms: now, price_usd_per_mwh: e.energy.opportunity_usd_per_mwh };
          this.events.push(event);
          this.adviceListener?.(event);
        }
        if (this.events.length > MAX_PENDING_EVENTS) this.events.splice(0, this.events.length - MAX_PENDING_EVENTS);
        economics.set(site, e);
        // Without a feed the fixed price or schedule is its own forecast.
        const ahead = feed ? feed.dayAhead() : fixedPriceCurve(config.energy, now);
        views.set(site, { economics: e, forward: forwardView(e, config.energy, ahead, now), advice });
      }
      this.cached = { at: now, summaries, economics, views };
    }
    return this.cached;
  }

  /** Economics per real site, never folded into "other": what is stored (no curtailment advice: that is per label). */
  siteEconomics(): Map<string, SiteEconomics> {
    const now = this.clock();
    const summaries = this.siteSummaries();
    const hit = this.storeCache.get(summaries);
    if (hit && now - hit.at <= 250) return hit.economics;
    const snapshot = this.market.snapshot();
    const out = new Map<string, SiteEconomics>();
    for (const [site, summary] of summaries) {
      const { config, feed } = this.pricing.forSite(site);
      out.set(site, computeEconomics(summary, config, snapshot, now, energyPricesAt(config.energy, feed, now)));
    }
    this.storeCache.set(summaries, { at: now, economics: out });
    return out;
  }
}

/** Miner models with a known breakeven, and HPC billed by utilisation (take-or-pay HPC is never curtailed for price). */
function curtailmentTargets(e: SiteEconomics, config: EconomicsConfig): CurtailmentTarget[] {
  const targets: CurtailmentTarget[] = [];
  for (const b of e.breakeven) if (b.breakeven_usd_per_mwh !== null) targets.push({ workload: 'mining', model: b.model, breakeven_usd_per_mwh: b.breakeven_usd_per_mwh, power_w: b.power_w });
  if (config.hpc.billing === 'utilization' && e.hpc.revenue_usd_per_mwh !== null) {
    targets.push({ workload: 'hpc', model: null, breakeven_usd_per_mwh: e.hpc.revenue_usd_per_mwh, power_w: e.hpc.power_w });
  }
  return targets;
}

const EMPTY_SITE = {
  mining: { power_w: 0, estimated_power_w: 0, hashrate_hs: 0, by_model: {} },
  hpc: { power_w: 0, estimated_power_w: 0, gpus: [] },
};

function first<T>(map: Map<string, T>): T | undefined {
  return map.values().next().value;
}
