/**
 * Ack-after-write: validated messages are queued with their MQTT acknowledgement, written to
 * InfluxDB in batches, and acknowledged only once their points are stored. Up to
 * `maxWritesInFlight` batches are written at once (InfluxDB takes concurrent writes on its own
 * cores); their messages are still acknowledged in the order they arrived. While InfluxDB is down
 * each batch is retried with backoff; when the queue is full, `accept` returns a promise that the
 * subscriber awaits before reading the next message, so the broker holds the backlog, not our heap.
 */
import type { Logger } from '../../common/logger.js';
import type { Telemetry } from '../../protocol/index.js';
import type { MessageAmounts } from '../accounting/amounts.js';
import type { PointWriter } from '../store/store-writer.js';
import type { Point } from '../store/line-protocol.js';
import { telemetryToPoints } from '../store/points.js';

interface Pending {
  /** Undefined for points the collector makes itself (economics history). */
  message: Telemetry | undefined;
  amounts?: MessageAmounts;
  points: Point[];
  ack: () => void;
  /** Successful writes counted when this message was first tried: more since, and InfluxDB takes writes. */
  okMark?: number;
}

/**
 * What became of a batch: each message stored or refused, or left unwritten: when stopping during
 * an outage, or (`retry`) when InfluxDB refused all of it, which is an outage too.
 */
interface Outcome {
  settled: { pending: Pending; refusal?: Error }[];
  unwritten: Pending[];
  /** Some of the batch was written. */
  wrote: boolean;
  retry?: boolean;
}

/** A batch being written; `outcome` is set when it is done, and it is settled once every earlier batch is. */
interface Write {
  outcome?: Outcome;
}

export interface PipelineOptions {
  batchPoints: number;
  flushIntervalMs: number;
  maxPendingPoints: number;
  maxWritesInFlight: number;
  retryMaxMs: number;
}

export interface PipelineHooks {
  /** After the message's points are stored (or at once without a store) and it was acknowledged. */
  onCommitted(message: Telemetry, amounts: MessageAmounts): void;
  /** InfluxDB refused the message's points (HTTP 400) twice while writing others: acknowledged and dropped. */
  onRefused(message: Telemetry, error: Error): void;
  onWritten(points: number, seconds: number): void;
  onWriteError(error: Error, attempt: number): void;
}

export class IngestPipeline {
  private queue: Pending[] = [];
  /** Points not yet acknowledged: queued and in flight (the back-pressure measure). */
  private queuedPoints = 0;
  /** Points queued and not yet taken into a batch. */
  private waitingPoints = 0;
  /** Batches taken, oldest first, until settled; a finished one waits here for those before it. */
  private readonly inFlight: Write[] = [];
  /** Batches being written now (unfinished members of `inFlight`). */
  private writing = 0;
  private readonly timer: NodeJS.Timeout;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private stopping = false;
  /** Stopping with InfluxDB down: no further batches are started. */
  private halted = false;
  /** Past the stop deadline: nothing more is acknowledged (what is written anyway is redelivered and rewritten). */
  private abandoned = false;
  /** Failed attempts since the last write that worked, when that was, and the last error. */
  private failures = 0;
  /** Successful writes since start. */
  private writesOk = 0;
  private failingSince: number | undefined;
  private lastError: string | undefined;
  /** Retries waiting out their backoff: woken by stop(), and by any write that works (the outage is over). */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly writer: PointWriter | undefined,
    private readonly options: PipelineOptions,
    private readonly hooks: PipelineHooks,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => this.kick(true), options.flushIntervalMs);
    this.timer.unref();
  }

  /** Points waiting to be written, for the back-pressure gauge. */
  get pendingPoints(): number {
    return this.queuedPoints;
  }

  /** Queues points that belong to no message: written with the next batch, nothing to acknowledge. */
  acceptPoints(points: Point[]): void {
    if (!this.writer) return;
    this.enqueue({ message: undefined, points, ack: () => {} });
  }

  /** Queues a message; the returned promise (if any) resolves when there is room for more. */
  accept(message: Telemetry, amounts: MessageAmounts, ack: () => void): Promise<void> | undefined {
    if (!this.writer) {
      ack();
      this.hooks.onCommitted(message, amounts);
      return undefined;
    }
    this.enqueue({ message, amounts, points: telemetryToPoints(message, amounts), ack });
    this.kick(false);
    if (this.queuedPoints < this.options.maxPendingPoints) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    this.queuedPoints += pending.points.length;
    this.waitingPoints += pending.points.length;
  }

  /**
   * Starts batches while a slot is free: full ones always; a partial one when forced (the flush
   * timer, or the last write just finished and nothing else is being written), so a quiet site
   * is written within one flush interval and a busy one in full batches.
   */
  private kick(force: boolean): void {
    while (!this.halted && this.writing < this.options.maxWritesInFlight && this.queue.length > 0) {
      if (!force && this.waitingPoints < this.options.batchPoints) break;
      const write: Write = {};
      this.inFlight.push(write);
      this.writing++;
      void this.store(this.takeBatch()).then((outcome) => {
        this.writing--;
        write.outcome = outcome;
        this.settleInOrder();
      });
    }
    if (this.inFlight.length === 0) this.wakeAll('idle');
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let points = 0;
    while (this.queue.length > 0 && (batch.length === 0 || points + this.queue[0]!.points.length <= this.options.batchPoints)) {
      const next = this.queue.shift()!;
      points += next.points.length;
      batch.push(next);
    }
    this.waitingPoints -= points;
    return batch;
  }

  /** Settles finished batches from the oldest on, so acknowledgements go out in arrival order. */
  private settleInOrder(): void {
    while (this.inFlight[0]?.outcome) {
      const { settled, unwritten, retry } = this.inFlight.shift()!.outcome!;
      for (const { pending, refusal } of settled) this.settle(pending, refusal);
      if (unwritten.length > 0) {
        // Refused all of it: written again after the backoff. Stopping with InfluxDB down: left
        // unacknowledged; the broker redelivers them.
        this.queue.unshift(...unwritten);
        for (const p of unwritten) this.waitingPoints += p.points.length;
        if (!retry || this.stopping) this.halted = true;
      }
    }
    this.releaseWaiters();
    this.kick(this.writing === 0);
  }

  /**
   * Writes a batch. When InfluxDB refuses it, halves are tried until single refused messages are
   * found, so one bad message never holds back the others (nor, redelivered forever, every later
   * one). A refused message is dropped only when InfluxDB took other writes since it was first
   * tried and refuses it once more after that; when it refused everything, that is an outage: all
   * of it is kept and tried again after a backoff.
   */
  private async store(batch: Pending[]): Promise<Outcome> {
    for (const p of batch) p.okMark ??= this.writesOk;
    const outcome = await this.split(batch);
    const refused = outcome.settled.filter((s) => s.refusal);
    if (refused.length === 0) return outcome;
    // Written around them: in this batch, or any batch since they were first tried.
    const othersWritten = outcome.wrote || refused.some((s) => this.writesOk > s.pending.okMark!);
    if (!othersWritten) {
      const error = refused[0]!.refusal!;
      this.failed(error);
      const delay = this.backoffMs();
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.logger.warn({ err: error.message.slice(0, 300), attempt: this.failures, messages: batch.length, retry_in_ms: delay, pending_points: this.queuedPoints }, 'InfluxDB refuses every write; holding acknowledgements and retrying');
      }
      if (!this.stopping) await this.pause(delay);
      return { settled: [], unwritten: batch, wrote: false, retry: true };
    }
    // An outage may have ended mid-bisection: once more each, now that InfluxDB takes writes.
    for (const s of refused) {
      const again = await this.writeWithRetry(s.pending.points);
      if (again === 'stopped') {
        outcome.settled.splice(outcome.settled.indexOf(s), 1);
        outcome.unwritten.push(s.pending);
      } else s.refusal = again === 'written' ? undefined : again;
    }
    return outcome;
  }

  private async split(batch: Pending[]): Promise<Outcome> {
    const result = await this.writeWithRetry(batch.flatMap((p) => p.points));
    if (result === 'written') return { settled: batch.map((pending) => ({ pending })), unwritten: [], wrote: true };
    if (result === 'stopped') return { settled: [], unwritten: batch, wrote: false };
    if (batch.length === 1) return { settled: [{ pending: batch[0]!, refusal: result }], unwritten: [], wrote: false };
    const half = Math.ceil(batch.length / 2);
    const first = await this.split(batch.slice(0, half));
    if (first.unwritten.length > 0) return { settled: first.settled, unwritten: [...first.unwritten, ...batch.slice(half)], wrote: first.wrote };
    const second = await this.split(batch.slice(half));
    return { settled: [...first.settled, ...second.settled], unwritten: second.unwritten, wrote: first.wrote || second.wrote };
  }

  private settle(p: Pending, refusal?: Error): void {
    this.queuedPoints -= p.points.length;
    p.ack();
    if (!p.message) return;
    if (refusal) this.hooks.onRefused(p.message, refusal);
    else this.hooks.onCommitted(p.message, p.amounts!);
  }

  /** Retries while InfluxDB is unreachable or failing; returns at once when it refuses the points. */
  private async writeWithRetry(points: Point[]): Promise<'written' | 'stopped' | Error> {
    for (let attempt = 1; ; attempt++) {
      if (this.abandoned) return 'stopped';
      const started = process.hrtime.bigint();
      try {
        await this.writer!.write(points);
        if (this.abandoned) return 'stopped';
        this.hooks.onWritten(points.length, Number(process.hrtime.bigint() - started) / 1e9);
        this.writesOk++;
        // The store is back: batches sleeping out a long backoff retry now, or the batches after
        // them (written, but acknowledged in order) would wait up to retryMaxMs for them.
        if (this.failures > 0) for (const wake of [...this.sleepers]) wake();
        this.failures = 0;
        this.failingSince = undefined;
        this.lastError = undefined;
        return 'written';
      } catch (err) {
        const error = err as Error;
        this.hooks.onWriteError(error, attempt);
        if (isRefusal(err)) {
          // Failing until something is written again; store() tells bad data from an outage.
          this.failingSince ??= Date.now();
          this.lastError = error.message.slice(0, 300);
          return error;
        }
        this.failed(error);
        if (this.stopping) return 'stopped';
        const delay = this.backoffMs();
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn({ err: error.message.slice(0, 300), attempt, points: points.length, retry_in_ms: delay, pending_points: this.queuedPoints }, 'InfluxDB write failed; holding acknowledgements and retrying');
        }
        await this.pause(delay);
        if (this.stopping) return 'stopped';
      }
    }
  }

  private failed(error: Error): void {
    this.failures++;
    this.failingSince ??= Date.now();
    this.lastError = error.message.slice(0, 300);
  }

  /** 250 ms doubling up to retryMaxMs, by failures since the last write that worked. */
  private backoffMs(): number {
    return Math.min(this.options.retryMaxMs, 250 * 2 ** Math.min(Math.max(0, this.failures - 1), 10));
  }

  /** Waits, unless stop() or a working write comes first. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = this.sleepers;
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake.delete(done);
        resolve();
      }
      wake.add(done);
    });
  }

  /** Since when writes have been failing (epoch ms), and the last error; undefined while they work. */
  get writeFailure(): { since: number; error: string } | undefined {
    return this.failingSince === undefined ? undefined : { since: this.failingSince, error: this.lastError ?? '' };
  }

  private releaseWaiters(): void {
    if (this.queuedPoints < this.options.maxPendingPoints) this.wakeAll('room');
  }

  private wakeAll(which: 'room' | 'idle'): void {
    const waiters = which === 'room' ? this.roomWaiters : this.idleWaiters;
    if (which === 'room') this.roomWaiters = [];
    else this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Writes what is queued while InfluxDB works, for at most `deadlineMs`, then stops. Unwritten
   * messages stay unacknowledged for the broker to redeliver; a down or hung InfluxDB never
   * delays the stop by more than the deadline.
   */
  async stop(deadlineMs = 3000): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    for (const wake of [...this.sleepers]) wake();
    this.kick(true);
    const deadline = Date.now() + deadlineMs;
    while (this.inFlight.length > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.abandoned = true;
    this.halted = true;
    const unwritten = this.queue.length + this.inFlight.length;
    if (unwritten > 0) this.logger.warn({ messages: this.queue.filter((p) => p.message).length, batches_in_flight: this.inFlight.length }, 'stopped with unwritten messages; the broker will redeliver them');
    this.wakeAll('room');
  }
}

/**
 * InfluxDB refusing the data itself (400: unparsable points, a field type conflict, a series limit;
 * 422): retrying will not help that message. Auth (401/403), a missing database (404), a body limit
 * (413), throttling (408/429) and 5xx are the server's state, retried like an outage.
 */
const OUTAGE_4XX = new Set([401, 403, 404, 407, 408, 413, 429]);

function isRefusal(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return status !== undefined && status >= 400 && status < 500 && !OUTAGE_4XX.has(status);
}
