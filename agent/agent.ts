/**
 * The agent's loop: every interval, read all sources concurrently under one deadline, add workload
 * and energy counters, persist seq and counters, and publish the cycle's telemetry.
 */
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { telemetryTopic, type DeviceSample } from '../protocol/index.js';
import type { AgentConfig } from './config.js';
import { EnergyMeter } from './energy.js';
import { Forwarder } from './forwarder.js';
import { foundSummary } from './found-summary.js';
import { Publisher } from './publisher.js';
import { guardSample } from './sample-guard.js';
import { Spool } from './spool.js';
import { findSource } from './sources/registry.js';
import type { DeviceReading, Source } from './sources/source.js';
import { StateStore } from './state-store.js';
import { buildTelemetry } from './telemetry-builder.js';
import { untilAborted } from './until-aborted.js';

interface BoundSource {
  source: Source;
  type: string;
  workload: DeviceSample['workload'];
}

export interface CycleReport {
  ts: number;
  devices: number;
  messages: number;
  failedSources: string[];
}

export interface AgentOptions {
  logger: Logger;
  /** Called after each cycle; the demo prints summaries from it. */
  onCycle?: (report: CycleReport) => void;
}

export class Agent {
  private readonly logger: Logger;
  private sources: BoundSource[] = [];
  private readonly publisher: Publisher;
  private readonly store: StateStore;
  readonly spool: Spool;
  private readonly forwarder: Forwarder;
  private meter: EnergyMeter | undefined;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The fault last published in the status, to republish it only when it changes. */
  private reportedFault: string | undefined;
  /** Per failing source: its last error and how many cycles in a row it failed, so a failure is logged once, not every cycle. */
  private readonly failing = new Map<string, { error: string; cycles: number }>();
  /** Sources whose first answer has been described in the log (once each, at info). */
  private readonly described = new Set<Source>();
  /** Cycles since the last progress line, and when it was written. */
  private progress = { cycles: 0, devices: 0, failures: 0, since: Date.now() };

  /** Keys a reload applies while running (SIGHUP, cli/reload-on-hangup.ts); the others need a restart. */
  static readonly LIVE_KEYS = ['interval', 'sources'] as const;
  private current: AgentConfig;

  constructor(
    config: AgentConfig,
    private readonly options: AgentOptions,
  ) {
    this.current = config;
    this.logger = options.logger;
    this.publisher = new Publisher({ site: config.site, host: config.host, mqtt: config.mqtt, logger: this.logger });
    this.store = new StateStore(config.state_dir, this.logger);
    this.spool = new Spool(config.spool.dir ?? join(config.state_dir, 'spool'), config.spool.max_bytes, this.logger);
    this.forwarder = new Forwarder(this.spool, this.publisher, 64, this.logger, config.spool.release, config.spool.confirm_timeout);
    this.publisher.statusExtra = () => {
      const degraded = this.degraded();
      return { spool_messages: this.spool.depth, spool_dropped: this.spool.dropped, spool_unsaved: this.spool.unsaved, ...(degraded ? { degraded } : {}) };
    };
  }

  /** Loads state, creates the sources and connects; `run()` then starts the sampling loop. */
  async start(): Promise<void> {
    const state = await this.store.load();
    await this.spool.open();
    this.seq = state.seq;
    this.meter = new EnergyMeter(this.config.interval * 3, state.energy);
    this.sources = await this.createSources();
    await this.publisher.start();
    this.forwarder.start();
    this.logger.info(
      { site: this.config.site, host: this.config.host, interval_ms: this.config.interval, sources: this.sources.map((s) => s.source.name), seq: this.seq },
      'agent started',
    );
  }

  get config(): AgentConfig {
    return this.current;
  }

  private createSources(): Promise<BoundSource[]> {
    const ctx = { logger: this.logger, intervalMs: this.config.interval, hostName: this.config.host };
    return Promise.all(this.config.sources.map(async (sc) => ({ source: await findSource(sc.type)!.create(sc, ctx), type: sc.type, workload: sc.workload })));
  }

  /**
   * Takes a reloaded config's interval and sources: the next cycle reads the new sources (each
   * logs what it found on its first answer) on the new interval; energy counters carry on.
   */
  async reload(next: AgentConfig): Promise<void> {
    const old = this.sources;
    this.current = { ...this.current, interval: next.interval, sources: next.sources };
    this.meter!.maxGapMs = next.interval * 3;
    this.sources = await this.createSources();
    // A cycle in flight still reads the old sources: close them once it is done.
    await this.running;
    await Promise.allSettled(old.map((s) => s.source.close?.()));
  }

  /** Samples now and then every interval until stop(). */
  run(): void {
    this.schedule(performance.now());
  }

  /**
   * Due times are on the monotonic clock, so a wall-clock step (NTP correcting an hour's error, an
   * operator's `date -s`) never delays or bunches sampling; only the samples' timestamps follow
   * the wall clock.
   */
  private schedule(due: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const running = this.cycle(Date.now()).then(
        () => undefined,
        (err: unknown) => this.logger.error({ err }, 'cycle failed'),
      );
      this.running = running;
      void running.then(() => {
        // Fixed rate: the next cycle is due one interval after this one was, skipping any missed.
        let next = due + this.config.interval;
        while (next <= performance.now()) next += this.config.interval;
        this.schedule(next);
      });
    }, Math.max(0, due - performance.now()));
  }

  /** One sampling cycle at time `ts`; public so tests can drive cycles without timers. */
  async cycle(ts: number): Promise<CycleReport> {
    const deadline = AbortSignal.timeout(Math.max(50, Math.floor(this.config.interval * 0.8)));
    // This cycle's sources, whatever a reload does meanwhile.
    const sources = this.sources;
    const results = await Promise.allSettled(sources.map((s) => untilAborted(s.source.read(deadline), deadline, s.source.name)));
    const devices: DeviceSample[] = [];
    const failedSources: string[] = [];
    results.forEach((result, i) => {
      const bound = sources[i]!;
      if (result.status === 'rejected') {
        failedSources.push(bound.source.name);
        this.noteFailure(bound.source.name, (result.reason as Error)?.message ?? String(result.reason));
        return;
      }
      this.noteSuccess(bound.source.name);
      if (!this.described.has(bound.source)) {
        this.described.add(bound.source);
        this.logger.info({ source: bound.source.name, devices: result.value.length }, foundSummary(bound.source.name, result.value));
      }
      for (const reading of result.value) devices.push(this.toSample(bound, reading, ts));
    });

    const messages = buildTelemetry({
      site: this.config.site,
      host: this.config.host,
      ts,
      intervalS: this.config.interval / 1000,
      firstSeq: this.seq,
      maxBytes: this.config.max_message_bytes,
      devices,
    });
    this.seq += messages.length;
    // Persist before publishing: a crash may resend a seq, never reuse one for other data. A disk
    // that refuses the save must not silence the agent: publish anyway (the next save retries), and
    // say so in the status.
    await this.store.save({ version: 1, seq: this.seq, energy: this.meter!.snapshot() }).catch(() => {});
    const topic = telemetryTopic(this.config.site, this.config.host);
    // Into the spool first: the forwarder publishes and removes each message once the broker has it.
    for (const m of messages) await this.spool.append({ topic, payload: m.payload });
    this.forwarder.notify();
    const degraded = this.degraded();
    if (degraded !== this.reportedFault) {
      this.reportedFault = degraded;
      this.publisher.publishStatus();
    }
    const report = { ts, devices: devices.length, messages: messages.length, failedSources };
    this.logger.debug(report, 'cycle done');
    this.logProgress(report);
    this.options.onCycle?.(report);
    return report;
  }

  /** A failure is logged when it starts or its error changes; the same failure again is counted, not logged. */
  private noteFailure(source: string, error: string): void {
    const known = this.failing.get(source);
    if (known?.error === error) {
      known.cycles++;
      return;
    }
    this.failing.set(source, { error, cycles: (known?.cycles ?? 0) + 1 });
    this.logger.warn({ source, err: error }, 'source read failed (logged again only if the error changes or it recovers)');
  }

  private noteSuccess(source: string): void {
    const known = this.failing.get(source);
    if (!known) return;
    this.failing.delete(source);
    this.logger.info({ source, failed_cycles: known.cycles, last_error: known.error }, 'source recovered');
  }

  private toSample(bound: BoundSource, reading: DeviceReading, ts: number): DeviceSample {
    const { device_energy_j: counter, ...rest } = reading;
    const { sample, dropped } = guardSample({ ...rest, workload: bound.workload });
    if (dropped.length > 0) this.logger.debug({ source: bound.source.name, device: reading.id, dropped }, 'reading had values outside the wire contract; dropped them');
    const deviceCounter = counter !== undefined && Number.isFinite(counter) && counter >= 0 ? counter : undefined;
    const energy = this.meter!.update(`${bound.type}:${sample.id}`, ts, sample.up ? sample.power_w : undefined, deviceCounter);
    sample.energy_j = energy.energy_j;
    if (sample.power_w === undefined && energy.power_w !== undefined) {
      sample.power_w = energy.power_w;
      sample.power_source ??= 'reported';
    }
    return sample;
  }

  /** One info line a minute: enough to see in the journal that the agent is working, and how. */
  private logProgress(report: CycleReport): void {
    const p = this.progress;
    p.cycles++;
    p.devices = report.devices;
    p.failures += report.failedSources.length;
    if (Date.now() - p.since < 60_000) return;
    const sources = Object.fromEntries(this.sources.filter((s) => s.source.stats).map((s) => [s.source.name, s.source.stats!()]));
    this.logger.info(
      { cycles: p.cycles, devices: p.devices, source_failures: p.failures, seq: this.seq, spooled: this.spool.depth, spool_dropped: this.spool.dropped, connected: this.publisher.connected, sources },
      'sampling',
    );
    this.progress = { cycles: 0, devices: 0, failures: 0, since: Date.now() };
  }

  /** Which disk writes fail now, for the retained status; undefined when none do. */
  degraded(): string | undefined {
    const faults = [this.spool.fault.reason, this.store.fault.reason].filter((f) => f !== undefined);
    return faults.length > 0 ? faults.join('; ') : undefined;
  }

  /** Messages taken but not yet acknowledged by the broker. */
  get pendingMessages(): number {
    return this.spool.depth;
  }

  /**
   * Stops sampling and publishing. `drainMs`: first give the spool that long to be confirmed
   * empty (what is left stays on disk for the next start either way).
   */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled(this.sources.map((s) => s.source.close?.()));
    const drainUntil = Date.now() + (options.drainMs ?? 0);
    while (this.spool.depth > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
    await this.forwarder.stop();
    await this.publisher.stop();
    this.logger.info({ seq: this.seq, spooled: this.spool.depth, spool_dropped: this.spool.dropped }, 'agent stopped');
  }
}

