/**
 * A loopback HTTP proxy in front of a real service that can be told to refuse every request with
 * one status, as an auth proxy with a rotated credential (401/403) or a body limit (413) does.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RefusingProxy {
  readonly url: string;
  /** Answer every request with this status (and InfluxDB's JSON error shape); undefined passes through. */
  refuse(status: number | undefined): void;
  /** Requests refused since start. */
  readonly refused: number;
  stop(): Promise<void>;
}

export async function startRefusingProxy(target: string): Promise<RefusingProxy> {
  const upstream = new URL(target);
  let status: number | undefined;
  let refused = 0;
  const server: Server = createServer((req, res) => {
    if (status !== undefined) {
      refused++;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `refused by proxy (${status})` }));
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refuse: (s) => (status = s),
    get refused() {
      return refused;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
