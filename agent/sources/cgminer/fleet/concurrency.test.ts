import { describe, expect, it } from 'vitest';
import { forEachBounded } from './concurrency.js';

describe('forEachBounded', () => {
  it('never runs more than the limit at once and runs every item', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachBounded([...Array(50).keys()], 4, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      done.push(n);
    });
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('starts nothing new once the signal aborts', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await forEachBounded(
      [...Array(20).keys()],
      2,
      async (n) => {
        started.push(n);
        if (n === 3) controller.abort();
        await new Promise((resolve) => setImmediate(resolve));
      },
      { signal: controller.signal },
    );
    expect(started.length).toBeLessThan(6);
    expect(started).toContain(3);
  });
});
