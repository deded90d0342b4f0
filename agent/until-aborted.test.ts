import { describe, expect, it } from 'vitest';
import { untilAborted } from './until-aborted.js';

describe('untilAborted', () => {
  it('gives up on work that never finishes once the signal aborts', async () => {
    const never = new Promise<string>(() => {});
    await expect(untilAborted(never, AbortSignal.timeout(20), 'stuck-source')).rejects.toThrow("stuck-source did not finish within the cycle's deadline");
  });

  it('passes results and errors through before the deadline', async () => {
    const signal = AbortSignal.timeout(5000);
    await expect(untilAborted(Promise.resolve(42), signal, 's')).resolves.toBe(42);
    await expect(untilAborted(Promise.reject(new Error('boom')), signal, 's')).rejects.toThrow('boom');
  });

  it('rejects at once when the deadline has already passed', async () => {
    const c = new AbortController();
    c.abort();
    await expect(untilAborted(Promise.resolve(1), c.signal, 'late')).rejects.toThrow(/late/);
  });
});
