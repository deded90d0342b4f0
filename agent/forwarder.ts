/**
 * Drains the spool to the broker in order, keeping up to `window` messages in flight so a backlog
 * after an outage goes out at broker speed (live samples queue behind it for seconds, not hours).
 *
 * A telemetry message leaves the spool only when a collector confirms it stored it (`release:
 * collector`), not when the broker acknowledged it: a broker that crashes, fails over or loses its
 * sessions loses what it acknowledged, and the agent resends. Published messages wait for their
 * confirmation; after a reconnect, or `confirmTimeoutMs` without one, they are sent again (the
 * collector's writes are idempotent and its ledger counts a seq once); while no confirmation comes
 * at all, the timeout doubles with each round, up to MAX_RESEND_BACKOFF times. With `release: broker` the
 * PUBACK releases them, for a broker without powersite collectors confirming.
 */
import type { Logger } from '../common/logger.js';
import type { Publisher } from './publisher.js';
import type { Spool, SpoolRef } from './spool.js';

export type Release = 'collector' | 'broker';

/** At most 16 timeouts between resends while no collector confirms (16 minutes at the default 60 s). */
export const MAX_RESEND_BACKOFF = 16;

/** The seq of a telemetry payload: messages without one are released on PUBACK. */
function seqOf(payload: string): number | undefined {
  const m = /"seq":(\d+)[,}]/.exec(payload.slice(0, 512));
  return m ? Number(m[1]) : undefined;
}

export class Forwarder {
  private inFlight = 0;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private drainedSince = 0;
  /**
   * Published (PUBACK received), waiting for a collector's confirmation, by seq (a resend may add a
   * second copy). Where they are in the spool, not their payloads: a collector outage would
   * otherwise hold the whole backlog in memory.
   */
  private readonly unconfirmed = new Map<number, { entries: SpoolRef[]; at: number }>();
  private resendTimer: NodeJS.Timeout | undefined;
  /**
   * The confirmation timeout's multiplier: doubled by each timeout resend that no confirmation
   * followed, back to 1 at the next one. A collector that confirms nothing (its database is down)
   * is not sent every waiting message again every timeout: each copy would queue in the broker
   * and in the collector beside the first.
   */
  private backoff = 1;
  /** Messages sent again for want of a confirmation, since start. */
  resent = 0;

  constructor(
    private readonly spool: Spool,
    private readonly publisher: Publisher,
    private readonly window: number,
    private readonly logger: Logger,
    private readonly release: Release = 'collector',
    private readonly confirmTimeoutMs = 60_000,
  ) {}

  start(): void {
    this.publisher.onConnect(() => {
      // The broker may be a fresh one that never had them, or lost them: send them all again.
      this.resend(() => true, 'reconnected');
      this.notify();
    });
    this.publisher.onConfirm((ranges) => this.confirm(ranges));
    this.resendTimer = setInterval(() => {
      const cutoff = Date.now() - this.confirmTimeoutMs * this.backoff;
      if (this.resend((at) => at <= cutoff, 'no confirmation') > 0) this.backoff = Math.min(this.backoff * 2, MAX_RESEND_BACKOFF);
    }, Math.max(100, Math.min(5000, this.confirmTimeoutMs / 4)));
    this.resendTimer.unref();
    this.loop = this.run();
  }

  /** Messages published and not yet confirmed by a collector. */
  get awaitingConfirmation(): number {
    return this.unconfirmed.size;
  }

  /** Something changed (new message, connection, ack): look again. */
  notify(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private confirm(ranges: [number, number][]): void {
    if (ranges.length > 0) this.backoff = 1;
    for (const [from, to] of ranges) {
      // Walk whichever is smaller: the range, or what awaits confirmation.
      if (to - from < this.unconfirmed.size) {
        for (let seq = from; seq <= to; seq++) this.release1(seq);
      } else {
        for (const seq of [...this.unconfirmed.keys()]) if (seq >= from && seq <= to) this.release1(seq);
      }
    }
    this.notify();
  }

  private release1(seq: number): void {
    const waiting = this.unconfirmed.get(seq);
    if (!waiting) return;
    this.unconfirmed.delete(seq);
    for (const entry of waiting.entries) this.spool.ack(entry);
    this.drainedSince++;
  }

  /** Hands unconfirmed messages back to the spool, to be sent again in order; returns how many. */
  private resend(which: (publishedAt: number) => boolean, why: string): number {
    let n = 0;
    for (const [seq, { entries, at }] of this.unconfirmed) {
      if (!which(at)) continue;
      this.unconfirmed.delete(seq);
      for (const entry of entries) this.spool.giveBack(entry);
      n++;
    }
    if (n === 0) return 0;
    this.resent += n;
    this.logger.info({ messages: n, reason: why, timeout_s: (this.confirmTimeoutMs * this.backoff) / 1000 }, 'sending unconfirmed telemetry again');
    this.notify();
    return n;
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      // A periodic look as well, in case a notification raced with going to sleep.
      setTimeout(resolve, 1000).unref();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.publisher.connected || this.inFlight >= this.window) {
        await this.sleep();
        continue;
      }
      let entry;
      try {
        entry = await this.spool.take();
      } catch (err) {
        // A segment that cannot be read now (I/O error): look again later rather than stop forwarding.
        this.logger.warn({ err: (err as Error).message }, 'cannot read the spool; retrying');
        await this.sleep();
        continue;
      }
      if (!entry) {
        if (this.drainedSince > 0) {
          this.logger.debug({ messages: this.drainedSince }, 'spool drained'); // routine after every cycle: the minute's progress line shows the spool
          this.drainedSince = 0;
        }
        await this.sleep();
        continue;
      }
      this.inFlight++;
      this.publisher.publish(entry.topic, entry.payload).then(
        () => {
          const seq = this.release === 'collector' ? seqOf(entry.payload) : undefined;
          if (seq === undefined) {
            this.spool.ack(entry);
            this.drainedSince++;
          } else {
            const ref = { segment: entry.segment, index: entry.index };
            const waiting = this.unconfirmed.get(seq);
            if (waiting && !waiting.entries.some((e) => e.segment === ref.segment && e.index === ref.index)) waiting.entries.push(ref);
            this.unconfirmed.set(seq, { entries: waiting?.entries ?? [ref], at: Date.now() });
          }
        },
        (err: Error) => {
          if (!this.stopped) this.logger.warn({ err: err.message }, 'publish failed; the message stays in the spool');
          this.spool.giveBack(entry);
        },
      ).finally(() => {
        this.inFlight--;
        this.notify();
      });
    }
  }

  /** Stops taking messages and waits (briefly) for those in flight; the rest, and the unconfirmed, stay on disk. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    clearInterval(this.resendTimer);
    this.notify();
    await this.loop;
    const deadline = Date.now() + timeoutMs;
    // In flight, and (while connected) confirmations on their way: what arrives now need not be sent again.
    while ((this.inFlight > 0 || (this.publisher.connected && this.unconfirmed.size > 0)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Unconfirmed messages stay unacknowledged in the spool: sent again after the restart.
    for (const { entries } of this.unconfirmed.values()) for (const entry of entries) this.spool.giveBack(entry);
    this.unconfirmed.clear();
    await this.spool.close();
  }
}
