/**
 * Ack-after-write: validated messages are queued with their MQTT acknowledgement, written to
 * InfluxDB in batches, and acknowledged only once their points are stored. While InfluxDB is down
 * the batch is retried with backoff; when the queue is full, `accept` returns a promise that the
 * subscriber awaits before reading the next message, so the broker holds the backlog, not our heap.
 */
import type { IPoint } from 'influx';
import type { Logger } from '../../common/logger.js';
import type { Telemetry } from '../../protocol/index.js';
import type { PointWriter } from '../store/influx-writer.js';
import { telemetryToPoints } from '../store/points.js';

interface Pending {
  /** Undefined for points the collector makes itself (economics history). */
  message: Telemetry | undefined;
  points: IPoint[];
  ack: () => void;
}

export interface PipelineOptions {
  batchPoints: number;
  flushIntervalMs: number;
  maxPendingPoints: number;
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
  private queuedPoints = 0;
  private draining: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private roomWaiters: (() => void)[] = [];
  private stopping = false;

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
  acceptPoints(points: IPoint[]): void {
    if (!this.writer) return;
    this.queue.push({ message: undefined, points, ack: () => {} });
    this.queuedPoints += points.length;
  }

  /** Queues a message; the returned promise (if any) resolves when there is room for more. */
  accept(message: Telemetry, ack: () => void): Promise<void> | undefined {
    if (!this.writer) {
      ack();
      this.hooks.onCommitted(message);
      return undefined;
    }
    const points = telemetryToPoints(message);
    this.queue.push({ message, points, ack });
    this.queuedPoints += points.length;
    this.kick(false);
    if (this.queuedPoints < this.options.maxPendingPoints) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private kick(force: boolean): void {
    if (this.draining || this.queue.length === 0) return;
    if (!force && this.queuedPoints < this.options.batchPoints) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // More may have arrived while writing.
      if (this.queuedPoints >= this.options.batchPoints) this.kick(false);
    });
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let points = 0;
    while (this.queue.length > 0 && (batch.length === 0 || points + this.queue[0]!.points.length <= this.options.batchPoints)) {
      const next = this.queue.shift()!;
      points += next.points.length;
      batch.push(next);
    }
    return batch;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const unwritten = await this.store(this.takeBatch());
      this.releaseWaiters();
      if (unwritten.length > 0) {
        // Stopping with InfluxDB down: leave these unacknowledged; the broker redelivers them.
        this.queue.unshift(...unwritten);
        return;
      }
    }
  }

  /**
   * Writes and commits a batch; returns what could not be written because we are stopping. When
   * InfluxDB refuses the batch for good, halves are tried until the refused messages are found, so
   * one bad message never holds back the others (nor, redelivered forever, every later one).
   */
  private async store(batch: Pending[]): Promise<Pending[]> {
    const result = await this.writeWithRetry(batch.flatMap((p) => p.points));
    if (result === 'written') {
      for (const p of batch) this.settle(p);
      return [];
    }
    if (result === 'stopped') return batch;
    if (batch.length === 1) {
      this.settle(batch[0]!, result);
      return [];
    }
    const half = Math.ceil(batch.length / 2);
    const first = await this.store(batch.slice(0, half));
    return first.length > 0 ? [...first, ...batch.slice(half)] : this.store(batch.slice(half));
  }

  private settle(p: Pending, refusal?: Error): void {
    this.queuedPoints -= p.points.length;
    p.ack();
    if (!p.message) return;
    if (refusal) this.hooks.onRefused(p.message, refusal);
    else this.hooks.onCommitted(p.message);
  }

  private async writeWithRetry(points: IPoint[]): Promise<'written' | 'stopped' | Error> {
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
    if (this.queuedPoints >= this.options.maxPendingPoints) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  /** Writes what is queued (one attempt per batch), then stops. Unwritten messages stay unacknowledged. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    await this.draining;
    if (this.queue.length > 0) {
      this.draining = this.drain();
      await this.draining;
    }
    if (this.queue.length > 0) this.logger.warn({ messages: this.queue.length }, 'stopped with unwritten messages; the broker will redeliver them');
    this.releaseWaitersAll();
  }

  private releaseWaitersAll(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}

/** A 4xx from InfluxDB (unparsable points, a field type conflict, a series limit): retrying will not help. */
function isRefusal(err: unknown): boolean {
  const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 404 && status !== 408 && status !== 429;
}
