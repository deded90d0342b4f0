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
      const batch = this.takeBatch();
      const points = batch.flatMap((p) => p.points);
      const written = await this.writeWithRetry(points);
      if (!written) {
        // Stopping with InfluxDB down: leave these unacknowledged; the broker redelivers them.
        this.queue.unshift(...batch);
        return;
      }
      this.queuedPoints -= points.length;
      for (const p of batch) {
        p.ack();
        if (p.message) this.hooks.onCommitted(p.message);
      }
      this.releaseWaiters();
    }
  }

  private async writeWithRetry(points: IPoint[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const started = process.hrtime.bigint();
      try {
        await this.writer!.write(points);
        this.hooks.onWritten(points.length, Number(process.hrtime.bigint() - started) / 1e9);
        return true;
      } catch (err) {
        this.hooks.onWriteError(err as Error, attempt);
        if (this.stopping) return false;
        const delay = Math.min(this.options.retryMaxMs, 250 * 2 ** Math.min(attempt - 1, 10));
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn({ err: (err as Error).message, attempt, points: points.length, retry_in_ms: delay, pending_points: this.queuedPoints }, 'InfluxDB write failed; holding acknowledgements and retrying');
        }
        await new Promise((r) => setTimeout(r, delay));
        if (this.stopping) return false;
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
