/** A source that ignores its abort signal must still not hold up the agent's cycle: give up on it at the deadline. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error(`${name} did not finish within the cycle's deadline`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
