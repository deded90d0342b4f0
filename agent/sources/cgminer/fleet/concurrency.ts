/** Bounded parallelism for polling and scanning thousands of hosts from one small process. */

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

export interface BoundedOptions {
  /** Once aborted, no new item is started (items in flight are expected to honour the same signal). */
  signal?: AbortSignal;
  /** Delay before worker `k` takes its first item: spreads the opening burst. */
  startDelayMs?: (worker: number) => number;
}

/** Runs `task` over `items` with at most `limit` in flight. `task` must not throw. */
export async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>, options: BoundedOptions = {}): Promise<void> {
  let next = 0;
  const worker = async (k: number): Promise<void> => {
    await sleep(options.startDelayMs?.(k) ?? 0, options.signal);
    while (next < items.length && !options.signal?.aborted) {
      const item = items[next++]!;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, (_, k) => worker(k)));
}
