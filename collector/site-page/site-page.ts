/**
 * The site page's routes: the page itself (assembled once, served from memory), its JSON snapshot
 * at /api/site and the last hour at /api/site/history; and the timer that keeps that hour.
 */
import type { Routes, RouteResponse } from '../http/server.js';
import { HISTORY_STEP_MS, SiteHistory } from './history.js';
import type { SitePage as AssembledPage } from './page.js';
import { siteSnapshot, type SiteSnapshot, type SnapshotInput } from './snapshot.js';

const json = (value: unknown): RouteResponse => ({
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  body: `${JSON.stringify(value)}\n`,
});

export class SitePage {
  private readonly history = new SiteHistory();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly page: AssembledPage,
    /** The domain state the snapshot is built from, read at each call. */
    private readonly input: (nowMs: number) => SnapshotInput,
    /** A point that could not be recorded: told, never thrown out of the timer (it would end the process). */
    private readonly onError: (err: Error) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The snapshot now, recorded in the history (in its step: a page that refreshes often keeps the last point live). */
  snapshot(): SiteSnapshot {
    const s = siteSnapshot(this.input(this.clock()));
    this.history.record(s);
    return s;
  }

  /** Records a point every step whether or not anyone looks, so the chart opens on the last hour. */
  start(): void {
    this.timer = setInterval(() => {
      try {
        this.snapshot();
      } catch (err) {
        this.onError(err as Error);
      }
    }, HISTORY_STEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  routes(): Routes {
    return {
      '/': () => this.page,
      '/api/site': () => json(this.snapshot()),
      '/api/site/history': () => json(this.history.series()),
    };
  }
}
