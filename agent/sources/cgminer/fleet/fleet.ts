/**
 * The `cgminer` source: polls a LAN of miners every cycle with bounded concurrency. Each miner has
 * its own deadline (`timeout`), so a hung one never delays the rest; dead ones back off but are still
 * published as `up: false` with the reason. The whole read finishes within 80 % of the agent's
 * interval: a miner not reached by then is left out of this cycle (its device goes stale at the
 * collector) rather than being reported down for the agent's own slowness.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../../../../common/logger.js';
import type { DeviceReading, Source, SourceContext } from '../../source.js';
import type { CgminerConfig } from '../config.js';
import { FAMILIES, type FamilyRegistry } from '../families/registry.js';
import { asMinerError, MINER_ERROR_KINDS, type MinerErrorKind } from '../wire/errors.js';
import { newRepairStats, type RepairStats } from '../wire/repair.js';
import { backoffMs } from './backoff.js';
import { forEachBounded } from './concurrency.js';
import { pollMiner, type MinerState } from './poller.js';
import { resolvePower } from './power.js';
import { downReading, upReading } from './sample.js';

type PowerOrigin = 'measured' | 'reported' | 'estimated' | 'none';
const ORIGIN_WORDS: Record<PowerOrigin, string> = {
  measured: 'power from the config',
  reported: 'reported',
  estimated: 'estimated from nameplate',
  none: 'no power: set model or power_w in the config',
};

/** Share of the agent interval one read may take; the rest is the agent's (publish, spool). */
export const READ_BUDGET_SHARE = 0.8;

/** Counters since start-up, for the agent's self-metrics and for tests. */
export interface FleetStats {
  polls: number;
  /** Miners not reached within a cycle's budget (concurrency too low for the fleet). */
  skipped: number;
  errors: Record<MinerErrorKind, number>;
  repairs: RepairStats;
}

export interface FleetOptions {
  clock?: () => number;
  random?: () => number;
  /** The families and protocols to speak; the built-in ones unless a test adds its own. */
  families?: FamilyRegistry;
}

export class CgminerFleet implements Source {
  readonly name: string;
  private readonly states: MinerState[];
  private readonly counters: FleetStats;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly families: FamilyRegistry;
  /** Families already described in the log (see describeFamilies). */
  private readonly described = new Set<string>();
  /** `timeout`, capped so a hung miner is judged within the cycle instead of being cut off by its end. */
  private readonly minerTimeoutMs: number;

  constructor(
    private readonly config: CgminerConfig,
    private readonly ctx: SourceContext,
    options: FleetOptions = {},
  ) {
    this.name = `cgminer(${config.miners.length} miners)`;
    this.states = config.miners.map((target) => ({ target, failures: 0, retryAt: 0 }));
    this.logger = ctx.logger.child({ source: 'cgminer' });
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.families = options.families ?? FAMILIES;
    const errors = {} as Record<MinerErrorKind, number>;
    for (const kind of MINER_ERROR_KINDS) errors[kind] = 0;
    this.counters = { polls: 0, skipped: 0, errors, repairs: newRepairStats() };
    this.minerTimeoutMs = Math.min(config.timeout, (ctx.intervalMs * READ_BUDGET_SHARE) / 2);
    if (this.minerTimeoutMs < config.timeout) {
      this.logger.warn({ timeout_ms: config.timeout, used_ms: this.minerTimeoutMs, interval_ms: ctx.intervalMs }, 'timeout too long for the interval; using less');
    }
  }

  stats(): FleetStats {
    return structuredClone(this.counters);
  }

  async read(signal: AbortSignal): Promise<DeviceReading[]> {
    const budgetMs = this.ctx.intervalMs * READ_BUDGET_SHARE;
    const cycle = AbortSignal.any([signal, AbortSignal.timeout(budgetMs)]);
    // Every miner request in flight listens on this one signal (up to `concurrency` at once): not a leak.
    setMaxListeners(this.config.concurrency + 10, cycle);
    const results: Array<DeviceReading | undefined> = new Array(this.states.length);
    await forEachBounded(
      this.shuffledIndexes(),
      this.config.concurrency,
      async (i) => {
        results[i] = await this.pollOne(this.states[i]!, cycle);
      },
      { signal: cycle, startDelayMs: () => this.random() * Math.min(this.config.jitter, budgetMs / 4) },
    );
    this.describeFamilies(results);
    const readings = results.filter((r): r is DeviceReading => r !== undefined);
    const skipped = this.states.length - readings.length;
    if (skipped > 0) {
      this.counters.skipped += skipped;
      this.logger.warn({ skipped, concurrency: this.config.concurrency }, 'miners not polled within the cycle; raise concurrency or lower timeout');
    }
    return readings;
  }

  /**
   * Once per family, the first time its miners answer: how many of each model, and where their power
   * comes from, so an operator sees at start which miners are estimated or have no power at all.
   */
  private describeFamilies(results: ReadonlyArray<DeviceReading | undefined>): void {
    const families = new Map<string, Map<string, Record<PowerOrigin, number>>>();
    this.states.forEach((state, i) => {
      const reading = results[i];
      const family = state.identity?.family;
      if (!reading?.up || family === undefined || this.described.has(family)) return;
      const models = families.get(family) ?? new Map<string, Record<PowerOrigin, number>>();
      const model = reading.model ?? 'model unknown';
      const counts = models.get(model) ?? { measured: 0, reported: 0, estimated: 0, none: 0 };
      counts[reading.power_source ?? 'none'] += 1;
      models.set(model, counts);
      families.set(family, models);
    });
    for (const [family, models] of families) {
      this.described.add(family);
      const total = [...models.values()].reduce((n, c) => n + c.measured + c.reported + c.estimated + c.none, 0);
      const parts = [...models].map(([model, c]) => {
        const origins = (Object.keys(c) as PowerOrigin[]).filter((o) => c[o] > 0).map((o) => `${c[o]} ${ORIGIN_WORDS[o]}`);
        return `${model} ×${c.measured + c.reported + c.estimated + c.none} (${origins.join(', ')})`;
      });
      this.logger.info({ family, miners: total, models: Object.fromEntries(models) }, `${family}: ${total} miner${total === 1 ? '' : 's'}: ${parts.join('; ')}`);
    }
  }

  /** A fresh order each cycle, so when a cycle runs out of time it is not always the same miners that miss it. */
  private shuffledIndexes(): number[] {
    const order = this.states.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

  private async pollOne(state: MinerState, cycle: AbortSignal): Promise<DeviceReading | undefined> {
    const { target } = state;
    const now = this.clock();
    if (state.retryAt > now) {
      const wait = Math.ceil((state.retryAt - now) / 1000);
      return downReading(target, this.vendorOf(state), state.identity, `${state.lastError ?? 'failing'} (next attempt in ${wait} s)`);
    }
    this.counters.polls += 1;
    try {
      const { identity, readout } = await pollMiner(state, {
        connectTimeoutMs: this.config.connect_timeout,
        maxBytes: this.config.max_reply_bytes,
        deadlineAt: now + this.minerTimeoutMs,
        signal: cycle,
        repairs: this.counters.repairs,
        clock: this.clock,
        families: this.families,
      });
      if (state.failures > 0) this.logger.info({ miner: target.id, after: state.failures }, 'miner answers again');
      state.failures = 0;
      state.lastError = undefined;
      const power = resolvePower({
        overrideW: target.power_w,
        reportedW: readout.reported_power_w,
        hashrateHs: readout.hashrate_hs,
        model: readout.model ?? identity.model,
        efficiency: this.config.efficiency,
      });
      return upReading(target, readout, power);
    } catch (error) {
      const failure = asMinerError(error);
      // The cycle ran out, not the miner: no verdict on it this time.
      if (failure.kind === 'aborted') return undefined;
      this.counters.errors[failure.kind] += 1;
      state.failures += 1;
      state.lastError = failure.message;
      if (state.failures === 1) this.logger.info({ miner: target.id, kind: failure.kind }, failure.message);
      if (state.failures >= this.config.redetect_after && target.family === undefined) state.redetect = true;
      state.retryAt = now + backoffMs(state.failures, this.ctx.intervalMs, this.config.max_backoff, this.random);
      return downReading(target, this.vendorOf(state), state.identity, failure.message);
    }
  }

  private vendorOf(state: MinerState): string | undefined {
    return this.families.vendorOf(state.identity?.family ?? state.target.family, state.identity?.model ?? state.target.model);
  }
}
