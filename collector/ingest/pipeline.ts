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
import type { PointWriter } from '../store/store-writer.js';
import type { Point } from '../store/line-protocol.js';
import { telemetryToPoints } from '../store/points.js';

interface Pending {
  /** Undefined for points the collector makes itself (economics history). */
  message: Telemetry | undefined;
  points: Point[];
  ack: () => void;
}

/** What became of a batch: each message stored or refused, or (stopping during an outage) left unwritten. */
interface Outcome {
  settled: { pending: Pending; refusal?: Error }[];
  unwritten: Pending[];
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
  onCommitted(message: Telemetry): void;
  /** InfluxDB refused the message's points for good (HTTP 4xx): acknowledged and dropped, not retried. */
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
  accept(message: Telemetry, ack: () => void): Promise<void> | undefined {
    if (!this.writer) {
      ack();
      this.hooks.onCommitted(message);
      return undefined;
    }
    this.enqueue({ message, points: telemetryToPoints(message), ack });
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
      const { settled, unwritten } = this.inFlight.shift()!.outcome!;
      for (const { pending, refusal } of settled) this.settle(pending, refusal);
      if (unwritten.length > 0) {
        // Stopping with InfluxDB down: leave these unacknowledged; the broker redelivers them.
        this.queue.unshift(...unwritten);
        for (const p of unwritten) this.waitingPoints += p.points.length;
        this.halted = true;
      }
    }
    this.releaseWaiters();
    this.kick(this.writing === 0);
  }

  /**
   * Writes a batch; when InfluxDB refuses it for good, halves are tried until the refused messages
   * are found, so one bad message never holds back the others (nor, redelivered forever, every
   * later one).
   */
  private async store(batch: Pending[]): Promise<Outcome> {
    const result = await this.writeWithRetry(batch.flatMap((p) => p.points));
    if (result === 'written') return { settled: batch.map((pending) => ({ pending })), unwritten: [] };
    if (result === 'stopped') return { settled: [], unwritten: batch };
    if (batch.length === 1) return { settled: [{ pending: batch[0]!, refusal: result }], unwritten: [] };
    const half = Math.ceil(batch.length / 2);
    const first = await this.store(batch.slice(0, half));
    if (first.unwritten.length > 0) return { settled: first.settled, unwritten: [...first.unwritten, ...batch.slice(half)] };
    const second = await this.store(batch.slice(half));
    return { settled: [...first.settled, ...second.settled], unwritten: second.unwritten };
  }

  private settle(p: Pending, refusal?: Error): void {
    this.queuedPoints -= p.points.length;
    p.ack();
    if (!p.message) return;
    if (refusal) this.hooks.onRefused(p.message, refusal);
    else this.hooks.onCommitted(p.message);
  }

  private async writeWithRetry(points: Point[]): Promise<'written' | 'stopped' | Error> {
    for (let attempt = 1; ; attempt++) {
      const started = process.hrtime.bigint();
      try {
        await this.writer!.write(points);
        this.hooks.onWritten(points.length, Number(process.hrtime.bigint() - started) / 1e9);
        return 'written';
      } catch (err) {
        this.hooks.onWriteError(err as Error, attempt);
        if (isRefusal(err)) return err as Error;
        if (this.stopping) return 'stopped';
        const delay = Math.min(this.options.retryMaxMs, 250 * 2 ** Math.min(attempt - 1, 10));
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn({ err: (err as Error).message, attempt, points: points.length, retry_in_ms: delay, pending_points: this.queuedPoints }, 'InfluxDB write failed; holding acknowledgements and retrying');
        }
        await new Promise((r) => setTimeout(r, delay));
        if (this.stopping) return 'stopped';
      }
    }
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

  /** Writes what is queued (one attempt per batch), then stops. Unwritten messages stay unacknowledged. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    this.kick(true);
    while (this.inFlight.length > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.queue.length > 0) this.logger.warn({ messages: this.queue.length }, 'stopped with unwritten messages; the broker will redeliver them');
    this.wakeAll('room');
  }
}

/** A 4xx from InfluxDB (unparsable points, a field type conflict, a series limit): retrying will not help. */
function isRefusal(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return status !== undefined && status >= 400 && status < 500 && status !== 404 && status !== 408 && status !== 429;
}
