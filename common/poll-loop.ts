/**
 * A poller's schedule: poll now, then again a given delay after each poll ends, so polls never
 * overlap; stop() aborts the request in flight (through `signal`) and waits for it. The timer is
 * unref'd: a poller alone must not keep the process alive.
 */
export class PollLoop {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopper = new AbortController();

  /** `poll` never throws and returns the delay (ms) before the next poll. */
  constructor(private readonly poll: () => Promise<number>) {}

  /** Aborted when the loop stops: pass it to the requests of a poll. */
  get signal(): AbortSignal {
    return this.stopper.signal;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopper = new AbortController();
    const loop = (): void => {
      this.inFlight = this.poll().then((delay) => {
        this.inFlight = undefined;
        if (this.running) this.timer = setTimeout(loop, delay).unref();
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.stopper.abort();
    await this.inFlight;
  }
}
