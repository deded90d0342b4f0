/**
 * GET of Redfish JSON over HTTPS with basic auth: the BMC's certificate checked against a CA file,
 * or not at all with an explicit `insecure: true`. Bodies are capped; a 404 is "not there" (BMCs link
 * resources they do not serve), anything else that is not JSON is an error naming the path.
 */
import { request, type Agent } from 'node:https';

/** Redfish resources are a few KB; a full expanded Sensors collection of a power shelf is ~70 KB. */
export const MAX_REDFISH_BODY_BYTES = 4 * 1024 * 1024;

export interface RedfishClientOptions {
  baseUrl: string;
  username: string;
  password: string;
  ca: Buffer | undefined;
  insecure: boolean;
  timeoutMs: number;
  agent?: Agent;
}

export class RedfishError extends Error {}

export class RedfishClient {
  private readonly auth: string;

  constructor(private readonly options: RedfishClientOptions) {
    this.auth = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  /** The parsed JSON at `path`, or undefined on 404. */
  get(path: string, signal: AbortSignal): Promise<unknown> {
    const url = new URL(path, this.options.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'GET',
          headers: { authorization: this.auth, accept: 'application/json', 'odata-version': '4.0' },
          ca: this.options.ca,
          rejectUnauthorized: !this.options.insecure,
          timeout: this.options.timeoutMs,
          signal,
          agent: this.options.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_REDFISH_BODY_BYTES) {
              req.destroy(new RedfishError(`${url.pathname}: body over ${MAX_REDFISH_BODY_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 404) return resolve(undefined);
            if (status === 401 || status === 403) return reject(new RedfishError(`${url.pathname}: HTTP ${status} (check username and password_file)`));
            if (status < 200 || status >= 300) return reject(new RedfishError(`${url.pathname}: HTTP ${status}`));
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              reject(new RedfishError(`${url.pathname}: not JSON`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new RedfishError(`${url.pathname}: no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof RedfishError ? err : new RedfishError(`${url.pathname}: ${err.message}`)));
      req.end();
    });
  }
}
