/**
 * The collector process: subscribe, validate, write InfluxDB (acknowledging after the write), keep
 * the live state and serve /metrics.
 */
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import mqtt, { type MqttClient } from 'mqtt';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../common/logger.js';
import { endClient, mqttOptions, reconnectWithBackoff, redactUrl } from '../common/mqtt.js';
import { parseTopic, sharedFilter, subscriptionFilter, type Telemetry, type Workload } from '../protocol/index.js';
import { InfluxConfig, type CollectorConfig } from './config.js';
import { startHttpServer, type Health } from './http/server.js';
import { loadWebConfig } from './http/web-config.js';
import { guardConsumers } from './ingest/commit-consumers.js';
import { Confirmations } from './ingest/confirmations.js';
import { installDeferredAcks, type DeferredAcks } from './ingest/deferred-acks.js';
import { SiteFeeds } from './energy-market/site-feeds.js';
import { createMarketSource, type MarketSource } from './market/source.js';
import { MARKET_VALUE_KEYS, siteEconomics } from './economics/config.js';
import { EconomicsMetrics } from './metrics/economics-metrics.js';
import { messageAmounts, type MessageAmounts, type PricingInputs } from './accounting/amounts.js';
import { Ledger } from './accounting/ledger.js';
import { colocationShare } from './economics/site.js';
import { energyPricesAt } from './economics/energy-price.js';
import { economicsPoints } from './store/economics-points.js';
import { powerPoints } from './store/power-points.js';
import { curtailmentPoints, forecastPoints } from './store/energy-points.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { validateMessage, type RejectReason } from './ingest/validate.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { LabelCap } from './metrics/label-cap.js';
import { DuplicateHosts } from './state/duplicate-hosts.js';
import { SiteMetrics } from './metrics/site-metrics.js';
import { loadPageAssets } from './site-page/assets.js';
import { assemblePage } from './site-page/page.js';
import { SitePage } from './site-page/site-page.js';
import { LiveState } from './state/live-state.js';
import { InfluxWriter } from './store/influx-writer.js';
import { StoreWriter } from './store/store-writer.js';
import { VictoriaWriter } from './store/victoria-writer.js';

/** Rejections (and commit failures) are logged at most once per reason per minute: a flood must not flood the logs. */
const LOG_INTERVAL_MS = 60_000;

export class Collector {
  readonly registry = new Registry();
  readonly state: LiveState;
  private client: MqttClient | undefined;
  private acks: DeferredAcks | undefined;
  private pipeline: IngestPipeline | undefined;
  private server: Server | undefined;
  private selfMetrics: SelfMetrics | undefined;
  private siteMetrics: SiteMetrics | undefined;
  private economicsMetrics: EconomicsMetrics | undefined;
  /** The accounts, advanced once per stored message; metrics and the store read it. */
  readonly ledger = new Ledger();
  /** Seqs stored since the last confirmation round, per host. */
  private readonly confirmations = new Confirmations();
  private confirmTimer: NodeJS.Timeout | undefined;
  private market: MarketSource | undefined;
  private feeds: SiteFeeds | undefined;
  private economicsTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private sitePage: SitePage | undefined;
  private readonly siteLabels: LabelCap;
  private readonly duplicates = new DuplicateHosts();
  private readonly lastLog = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  metricsUrl = '';
  /** The live site page (see collector/site-page/). */
  pageUrl = '';
  /** Whether a batch has been stored yet: the start-up log says so once. */
  private historyReady = false;

  constructor(
    readonly config: CollectorConfig,
    private readonly logger: Logger,
  ) {
    this.state = new LiveState({ staleIntervals: config.stale_intervals, forgetAfterMs: 3_600_000, overhead: (site) => overheadOf(config, site) });
    this.siteLabels = new LabelCap(config.limits.max_sites);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get siteSummaries() {
    return this.siteMetrics!.summaries();
  }

  get siteEconomics() {
    return this.economicsMetrics!.economics();
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    // First: a bad web-config file stops start-up (exit 78) before anything is running.
    const web = config.http.web_config_file ? await loadWebConfig(config.http.web_config_file) : {};
    // The site page is read and assembled once, then served from memory.
    const page = assemblePage(await loadPageAssets());
    // Unprefixed, as every Node.js exporter names them (process_*, nodejs_*).
    collectDefaultMetrics({ register: this.registry });
    const stores = [
      ...(config.influx ? [await InfluxWriter.create(config.influx, logger)] : []),
      ...(config.victoriametrics ? [await VictoriaWriter.create(config.victoriametrics)] : []),
    ];
    const writer = stores.length > 0 ? new StoreWriter(stores) : undefined;
    const storeNames = [...(config.influx ? ['InfluxDB'] : []), ...(config.victoriametrics ? ['VictoriaMetrics'] : [])];
    if (!writer) logger.info('no influx or victoriametrics section in the config: metrics only, no history is written');
    const consumerNames = ['ledger', 'lag'];
    // Batching settings live in the influx section; a VictoriaMetrics-only collector takes their defaults.
    const batching = config.influx ?? InfluxConfig.parse({});
    const self = new SelfMetrics(this.registry, () => this.pipeline?.pendingPoints ?? 0, () => this.connected, () => this.pipeline?.writeFailure?.since, batching.max_pending_points, consumerNames);
    this.selfMetrics = self;
    const duplicates = this.duplicates;
    const siteLabels = this.siteLabels;
    const hostLabels = new LabelCap(config.limits.max_sites);
    new Gauge({
      name: 'powersite_duplicate_hosts',
      help: 'Hosts whose retained status alternates between two agent instances in the last 10 minutes: two machines configured with the same host name (their devices would merge)',
      labelNames: ['site', 'host'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        // 0 for every known host, so the alert can tell "no duplicate" from "no data".
        for (const [site, host, flagged] of duplicates.verdicts(Date.now())) {
          const labels = { site: siteLabels.label(site), host: hostLabels.label(host) };
          // Hosts folded into one label: any flagged one flags the label.
          if (flagged) this.set(labels, 1);
          else this.inc(labels, 0);
        }
      },
    });
    const sites = new SiteMetrics(this.registry, this.state, this.siteLabels, this.ledger, (site) => overheadOf(config, site).unaccounted_alert_watts, Date.now, {
      model: new LabelCap(config.limits.max_models),
      algorithm: new LabelCap(config.limits.max_algorithms),
    });
    this.siteMetrics = sites;
    const bitcoin = config.economics.bitcoin;
    if (!bitcoin.feed) {
      // Constants do not move: margins, hashprice and the halving countdown stay frozen until someone edits the file.
      const given = MARKET_VALUE_KEYS.filter((k) => !bitcoin.defaulted.includes(k)).map((k) => `economics.bitcoin.${k}`);
      const defaulted = bitcoin.defaulted.map((k) => `economics.bitcoin.${k}`);
      logger.warn({ constants: given, defaults: defaulted }, 'market data is constant (no economics.bitcoin.feed): mining margins will not follow the market; configure a mempool-style feed');
    }
    else logger.info({ feed: bitcoin.feed.url, refresh_s: bitcoin.feed.interval / 1000 }, 'market data feed configured');
    this.market = createMarketSource(bitcoin, logger);
    this.market.start();
    this.feeds = new SiteFeeds(config.economics, config.sites, logger);
    for (const feed of this.feeds.all()) logger.info({ feed: feed.name, url: feed.config.url, refresh_s: feed.config.refresh / 1000 }, 'energy price feed configured');
    this.feeds.start();
    const economics = new EconomicsMetrics(this.registry, config.economics, this.market, this.feeds, () => sites.summaries(), () => sites.siteSummaries(), this.siteLabels, this.ledger, config.sites);
    this.economicsMetrics = economics;
    economics.onAdviceChange((e) => logger.info({ site: e.site, workload: e.workload, model: e.model, curtail: e.curtail, power_w: e.power_w, reason: e.reason }, 'curtailment advice changed'));
    const commit = guardConsumers<Committed>(
      {
        ledger: ({ message, amounts }) => {
          if (!this.ledger.record(message, amounts)) self.duplicates.inc();
        },
        lag: ({ message }) => self.lag.observe(Math.max(0, (Date.now() - message.ts) / 1000)),
      },
      (consumer, reason, err, { message }) => {
        self.commitFailures.inc({ consumer, reason });
        this.logLimited(`commit:${consumer}:${reason}`, { consumer, reason, where: `${message.site}/${message.host} seq ${message.seq}`, err: (err as Error)?.message?.slice(0, 300) }, 'a stored message could not be counted');
      },
    );
    this.pipeline = new IngestPipeline(
      writer,
      {
        batchPoints: batching.batch_points,
        flushIntervalMs: batching.flush_interval,
        maxPendingPoints: batching.max_pending_points,
        maxWritesInFlight: batching.max_writes_in_flight,
        retryMaxMs: 30_000,
      },
      {
        onCommitted: (message, amounts) => {
          this.confirmations.add(message.site, message.host, message.seq);
          commit({ message, amounts });
        },
        onRefused: (message, error) => {
          // Dropped for good: the agent must stop resending it.
          this.confirmations.add(message.site, message.host, message.seq);
          self.rejected('unwritable');
          this.logRejection('unwritable', `${message.site}/${message.host} seq ${message.seq}`, error.message.slice(0, 300));
        },
        onWritten: (points, seconds) => {
          // Once: the store took a write, so history is being kept (later trouble logs as failures).
          if (!this.historyReady) {
            this.historyReady = true;
            logger.info({ stores: storeNames, points }, `history store ready: first batch written to ${storeNames.join(' and ')}`);
          }
          self.pointsWritten.inc(points);
          self.writeDuration.observe(seconds);
        },
        onWriteError: () => self.writeErrors.inc(),
      },
      logger,
    );

    if (writer) {
      // History of the economics: one point per site and workload per interval, at aligned times.
      const every = batching.economics_interval;
      this.economicsTimer = setInterval(() => {
        const at = Math.floor(Date.now() / every) * every;
        const collector = clientIdOf(config);
        const events = economics.drainEvents();
        const points = [
          ...economicsPoints(economics.siteEconomics(), this.ledger.drain(), at, collector),
          ...powerPoints(sites.summaries(), at, collector),
          ...forecastPoints(economics.views(), collector),
          ...curtailmentPoints(events, collector),
        ];
        if (points.length > 0) this.pipeline?.acceptPoints(points);
      }, every);
      this.economicsTimer.unref();
    }

    // One info line a minute, for operators reading the journal.
    let last = await self.totals();
    this.progressTimer = setInterval(() => {
      void self.totals().then((now) => {
        logger.info(
          { messages: now.accepted - last.accepted, rejected: now.rejected - last.rejected, points_written: now.points - last.points, pending_points: this.pipeline?.pendingPoints ?? 0, connected: this.connected },
          'last minute',
        );
        last = now;
      });
    }, 60_000);
    this.progressTimer.unref();

    const market = this.market;
    const feeds = this.feeds;
    this.sitePage = new SitePage(
      page,
      (now) => ({
        now_ms: now,
        summaries: sites.summaries(),
        views: economics.views(),
        activity: sites.activity(),
        market: market.snapshot(),
        market_source: bitcoin.feed ? 'feed' : 'config',
        energy_updated_at_ms: (site) => feeds.forSite(site).feed?.status().updated_at_ms ?? null,
      }),
      (err) => this.logLimited('site-page', { err: err.message.slice(0, 300) }, 'site page: could not record the chart\'s history point'),
    );
    this.sitePage.start();

    const http = await startHttpServer(config.http.host, config.http.port, this.registry, () => this.health(), this.sitePage.routes(), web);
    this.server = http.server;
    this.pageUrl = `${http.url}/`;
    this.metricsUrl = `${http.url}/metrics`;

    const options = await mqttOptions(config.mqtt, clientIdOf(config));
    // A persistent session: while this collector is away the broker keeps its QoS 1 messages.
    options.clean = false;
    const telemetry = subscriptionFilter('telemetry', config.mqtt.site);
    const filter = config.mqtt.share_group ? sharedFilter(config.mqtt.share_group, telemetry) : telemetry;
    const client = mqtt.connect(config.mqtt.url, { ...options, manualConnect: true });
    this.client = client;
    this.acks = installDeferredAcks(client, (topic, payload, ack) => this.handle(topic, payload, ack));
    const broker = redactUrl(config.mqtt.url);
    client.on('connect', (connack) => {
      logger.info({ broker, filter, session_present: connack.sessionPresent }, 'connected to MQTT broker');
      client.subscribe(
        { [filter]: { qos: 1 }, [subscriptionFilter('status', config.mqtt.site)]: { qos: 1 } },
        (err, granted) => {
          if (err) logger.error({ err: err.message }, 'subscription failed');
          else if (granted?.some((g) => g.qos === 128)) logger.error({ granted }, 'the broker refused a subscription (check the ACL)');
        },
      );
    });
    client.on('offline', () => logger.warn({ broker }, 'MQTT broker unreachable; reconnecting'));
    reconnectWithBackoff(client, logger, broker);
    // Agents release messages from their spools when confirmed: a few rounds a second.
    this.confirmTimer = setInterval(() => this.sendConfirmations(), CONFIRM_INTERVAL_MS);
    this.confirmTimer.unref();
    client.connect();
    logger.info({ page: this.pageUrl, metrics: this.metricsUrl, broker, influx: config.influx ? redactUrl(config.influx.url) : 'disabled', victoriametrics: config.victoriametrics ? redactUrl(config.victoriametrics.url) : 'disabled' }, 'collector started');
  }

  private sendConfirmations(): void {
    const client = this.client;
    if (!client) return;
    for (const { topic, payload } of this.confirmations.drain()) {
      // QoS 1: a confirmation lost anyway only makes the agent resend, which the store and the ledger absorb.
      client.publish(topic, payload, { qos: 1 }, (err) => {
        if (err) this.logLimited('confirm-failed', { err: err.message }, 'could not send a delivery confirmation; the agent will resend');
      });
    }
  }

  /** What /healthz says: 503 with the reasons while the broker is away or writes fail for too long. */
  private health(): Health {
    const reasons: string[] = [];
    if (!this.connected) reasons.push('MQTT broker unreachable');
    const failure = this.pipeline?.writeFailure;
    const failingS = failure ? (Date.now() - failure.since) / 1000 : 0;
    if (failure && failingS * 1000 >= (this.config.influx ?? InfluxConfig.parse({})).unhealthy_after) {
      reasons.push(`store writes failing for ${Math.round(failingS)} s: ${failure.error}`);
    }
    return {
      ok: reasons.length === 0,
      reasons,
      mqtt_connected: this.connected,
      pending_points: this.pipeline?.pendingPoints ?? 0,
      // Stored and counted since start, redeliveries included: cheap to poll, unlike /metrics.
      messages_committed: this.ledger.counted + this.ledger.duplicates,
      store: !this.config.influx && !this.config.victoriametrics ? 'disabled' : failure ? 'failing' : 'ok',
      write_failing_seconds: Math.round(failingS),
    };
  }

  /** Validates and routes one message; returns a promise when the pipeline wants us to slow down. */
  private handle(topic: string, payload: Buffer, ack: () => void): Promise<void> | undefined {
    const self = this.selfMetrics!;
    const statusOf = payload.byteLength === 0 ? parseTopic(topic) : null;
    if (statusOf?.kind === 'status') {
      // An empty retained status: an operator removed the agent from the broker. Forget it.
      ack();
      this.state.forgetHost(statusOf.site, statusOf.host);
      return undefined;
    }
    const result = validateMessage(topic, payload, {
      maxMessageBytes: this.config.limits.max_message_bytes,
      maxDevicesPerMessage: this.config.limits.max_devices_per_message,
    });
    if (!result.ok) {
      // A bad message is acknowledged (and confirmed, when it names its seq) too: resending it
      // would not make it better.
      ack();
      const parsed = parseTopic(topic);
      const seq = parsed?.kind === 'telemetry' ? seqOf(payload) : undefined;
      if (parsed && seq !== undefined) this.confirmations.add(parsed.site, parsed.host, seq);
      self.rejected(result.reason);
      this.logRejection(result.reason, topic, result.detail);
      return undefined;
    }
    self.accepted();
    if (result.kind === 'status') {
      ack();
      this.state.applyStatus(result.message);
      this.duplicates.observe(result.message.site, result.message.host, result.message.instance, Date.now());
      return undefined;
    }
    const arrivedAt = Date.now();
    const ahead = result.message.ts - arrivedAt;
    // Every site's counter exists from its first message, so the alert's increase() has data to judge.
    self.futureSamples.inc({ site: this.siteLabels.label(result.message.site) }, ahead > this.config.limits.max_clock_skew ? 1 : 0);
    if (ahead > this.config.limits.max_clock_skew) {
      this.logLimited('future_sample', { where: `${result.message.site}/${result.message.host}`, ahead_s: Math.round(ahead / 1000) }, 'sample timestamped ahead of this collector\'s clock: check the agent\'s NTP; live state uses arrival time');
    }
    const gaps = this.state.apply(result.message, arrivedAt);
    // Under a shared subscription each collector sees only some of a host's messages, so its gaps
    // are not loss: count them only when this collector sees everything (loss is then counted from
    // the agent_message measurement, which every collector writes).
    if (!this.config.mqtt.share_group) self.sequenceGaps.inc({ site: this.siteLabels.label(result.message.site) }, gaps);
    return this.pipeline!.accept(result.message, messageAmounts(result.message, this.pricingOf(result.message)), ack);
  }

  /**
   * What a message is priced with, now: its site's economics and cash energy price at the sample
   * time; under colocation billing the host's share of its site's contract; and billed power /
   * device power of its site per workload (readings at most a quarter second old, see
   * SiteMetrics.pricingSummaries).
   */
  private pricingOf(message: Telemetry): PricingInputs {
    // The site's own economics section and energy price feed (the real site, never its label).
    const { config, feed } = this.feeds!.forSite(message.site);
    const summary = this.siteMetrics!.pricingSummaries().get(message.site);
    let share = 1;
    if (config.hpc.billing === 'colocation') {
      const hostGpus = message.devices.filter((d) => d.kind === 'gpu' && d.workload === 'hpc').length;
      share = colocationShare(hostGpus, summary?.hpc.gpus.length ?? hostGpus);
    }
    const ratio = (w: Workload) => {
      const s = summary?.[w];
      return s && s.device_power_w > 0 ? s.power_w / s.device_power_w : 1;
    };
    const energyPriceUsdPerMwh = energyPricesAt(config.energy, feed, message.ts).cash_usd_per_mwh;
    return { config, market: this.market!.snapshot(), share, energyPriceUsdPerMwh, billedRatio: { mining: ratio('mining'), hpc: ratio('hpc') } };
  }

  private logRejection(reason: RejectReason, where: string, detail: string): void {
    this.logLimited(reason, { reason, where: where.slice(0, 200), detail }, 'message rejected');
  }

  /** A warning at most once per key per minute, saying how many like it were left out. */
  private logLimited(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - (this.lastLog.get(key) ?? 0) < LOG_INTERVAL_MS) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return;
    }
    this.lastLog.set(key, now);
    const suppressed = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    this.logger.warn({ ...fields, similar_since_last_log: suppressed }, message);
  }

  async stop(): Promise<void> {
    clearInterval(this.economicsTimer);
    clearInterval(this.progressTimer);
    this.sitePage?.stop();
    await this.market?.stop();
    await this.feeds?.stop();
    // Write what we hold while still connected, so its acknowledgements reach the broker; what is
    // not written within a few seconds (InfluxDB down or hung) stays unacknowledged and is
    // redelivered to the next collector.
    await this.pipeline?.stop();
    this.acks?.flush();
    clearInterval(this.confirmTimer);
    this.sendConfirmations();
    const client = this.client;
    // Not forced: the acknowledgements and confirmations just sent go out first (2 s at most).
    if (client) await endClient(client, false, 2000);
    // Close idle keep-alive connections (Prometheus keeps one) now, or close() waits for them.
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await closed;
    // What this run counted, after its last commit: the figures a last scrape may have missed.
    const l = this.ledger;
    this.logger.info({ messages_counted: l.counted, redeliveries_ignored: l.duplicates, energy_j: l.sum('energy_j'), revenue_usd: l.sum('revenue_usd'), energy_cost_usd: l.sum('energy_cost_usd') }, 'collector stopped');
  }
}

const CONFIRM_INTERVAL_MS = 250;

/** The seq of a rejected telemetry payload, when it has one: enough to confirm it. */
function seqOf(payload: Buffer): number | undefined {
  const m = /"seq"\s*:\s*(\d{1,15})[,}\s]/.exec(payload.subarray(0, 4096).toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

/** A stored message with what it adds to the accounts: what commit consumers get. */
interface Committed {
  message: Telemetry;
  amounts: MessageAmounts;
}

/** Stable per machine, so the broker finds this collector's persistent session after a restart. */
function clientIdOf(config: CollectorConfig): string {
  return config.mqtt.client_id ?? `powersite-collector-${hostname().split('.')[0]}`;
}

/** A site's economics.overhead: its own under sites.<site>.economics, or the default. */
function overheadOf(config: CollectorConfig, site: string) {
  return siteEconomics(config.economics, config.sites[site]?.economics).overhead;
}
