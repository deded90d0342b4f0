/**
 * Which economics and which price feed each site uses: a site's own `sites.<site>.economics`
 * sections over the defaults, and one running feed per distinct feed config (two sites on the same
 * market share one poller, within ERCOT's and ENTSO-E's request limits).
 */
import type { Logger } from '../../common/logger.js';
import { siteEconomics, type EconomicsConfig, type SiteEconomicsConfig } from '../economics/config.js';
import { EnergyPriceFeed } from './feed.js';

export interface SitePricing {
  config: EconomicsConfig;
  feed: EnergyPriceFeed | null;
}

export class SiteFeeds {
  private readonly defaults: SitePricing;
  private readonly sites = new Map<string, SitePricing>();
  private readonly feeds = new Map<string, EnergyPriceFeed>();

  constructor(economics: EconomicsConfig, sites: Readonly<Record<string, { economics?: SiteEconomicsConfig | undefined }>>, logger: Logger, now: () => number = Date.now) {
    const pricing = (config: EconomicsConfig): SitePricing => {
      const feedConfig = config.energy.feed;
      if (!feedConfig) return { config, feed: null };
      const key = JSON.stringify(feedConfig);
      let feed = this.feeds.get(key);
      if (!feed) {
        feed = new EnergyPriceFeed(feedConfig, logger, now);
        this.feeds.set(key, feed);
      }
      return { config, feed };
    };
    this.defaults = pricing(economics);
    for (const [site, s] of Object.entries(sites)) if (s.economics) this.sites.set(site, pricing(siteEconomics(economics, s.economics)));
  }

  /** The site's pricing; a site without its own section (or the "other" label) gets the defaults. */
  forSite(site: string): SitePricing {
    return this.sites.get(site) ?? this.defaults;
  }

  all(): EnergyPriceFeed[] {
    return [...this.feeds.values()];
  }

  /** Starts every feed; an unreadable key or token file stops start-up here, naming its key and file. */
  start(): void {
    for (const feed of this.feeds.values()) feed.checkSecrets();
    for (const feed of this.feeds.values()) feed.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.feeds.values()].map((f) => f.stop()));
  }
}
