/**
 * One POST of line protocol to an InfluxDB-compatible /write endpoint (InfluxDB 1.x, a
 * VictoriaMetrics single node or a cluster's vminsert). node:http with a keep-alive agent, not
 * fetch: the profile showed fetch copying every megabyte-sized body through web streams; here
 * the string goes to the socket as it is, and batches in flight reuse connections.
 */
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { shownSecretPath } from '../../common/secret-path.js';

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

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Longest error body kept: InfluxDB repeats the offending line, which may be long. */
const ERROR_BODY_BYTES = 4096;

export function postLines(target: WriteTarget, body: string): Promise<void> {
  const url = new URL(target.url);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...target.headers },
        timeout: target.timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < ERROR_BODY_BYTES) text += chunk;
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 204 || status === 200) resolve();
          else reject(new StoreWriteError(target.store, status, text));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${target.store} write timed out after ${target.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A store's password from its `password_file`, or the inline one; an unreadable file names its key. */
export async function readPassword(key: string, inline: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (!file) return inline;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`cannot read ${key}.password_file ${shownSecretPath(file)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** HTTP basic auth, as InfluxDB 1.x and vmauth take it. */
export function basicAuth(username: string | undefined, password: string | undefined): Record<string, string> {
  if (username === undefined || username === '') return {};
  return { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
}
