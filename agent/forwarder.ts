/**
 * Drains the spool to the broker in order, keeping up to `window` messages in flight so a backlog
 * after an outage goes out at broker speed (live samples queue behind it for seconds, not hours).
 * A message leaves the spool only when the broker acknowledged it.
 */
import type { Logger } from '../common/logger.js';
import type { Publisher } from './publisher.js';
import type { Spool } from './spool.js';

export class Forwarder {
  private inFlight = 0;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private drainedSince = 0;

  constructor(
    private readonly spool: Spool,
    private readonly publisher: Publisher,
    private readonly window: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.publisher.onConnect(() => this.notify());
    this.loop = this.run();
  }

  /** Something changed (new message, connection, ack): look again. */
  notify(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
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
          this.logger.info({ messages: this.drainedSince }, 'spool drained');
          this.drainedSince = 0;
        }
        await this.sleep();
        continue;
      }
      this.inFlight++;
      this.publisher.publish(entry.topic, entry.payload).then(
        () => {
          this.spool.ack(entry);
          this.drainedSince++;
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

  /** Stops taking messages and waits (briefly) for those in flight; the rest stay on disk. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.loop;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.spool.close();
  }
}
