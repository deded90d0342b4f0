/**
 * Waits for `work` at most `ms` milliseconds. The timer is cleared either way, so a deadline that
 * was not needed never keeps a stopping process alive for the rest of its length.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
