/**
 * One POST of line protocol to an InfluxDB-compatible /write endpoint (InfluxDB 1.x, a
 * VictoriaMetrics single node or a cluster's vminsert). fetch keeps connections alive, so batches
 * in flight reuse sockets.
 */
import { readFile } from 'node:fs/promises';

/** The store answered with an HTTP status other than 204; `status` tells a refusal from an outage. */
export class StoreWriteError extends Error {
  constructor(
    readonly store: string,
    readonly status: number,
    body: string,
  ) {
    super(`${store} write failed: HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'StoreWriteError';
  }
}

export interface WriteTarget {
  /** For error messages: 'InfluxDB', 'VictoriaMetrics'. */
  store: string;
  /** The full /write URL with its query string. */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export async function postLines(target: WriteTarget, body: string): Promise<void> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8', ...target.headers },
    body,
    signal: AbortSignal.timeout(target.timeoutMs),
  });
  if (response.status === 204 || response.status === 200) {
    // Drain the (empty) body so the socket goes back to the pool.
    await response.arrayBuffer();
    return;
  }
  throw new StoreWriteError(target.store, response.status, await response.text());
}

/** A store's password from its `password_file`, or the inline one; an unreadable file names its key. */
export async function readPassword(key: string, inline: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (!file) return inline;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`cannot read ${key}.password_file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** HTTP basic auth, as InfluxDB 1.x and vmauth take it. */
export function basicAuth(username: string | undefined, password: string | undefined): Record<string, string> {
  if (username === undefined || username === '') return {};
  return { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
}
