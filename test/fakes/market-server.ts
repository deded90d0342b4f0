/**
 * A fake mempool-style API on 127.0.0.1 (port 0) for the market feed's tests. It serves bodies built
 * from the recorded fixtures (test/fixtures/market, the 2024-03-31 snapshot at tip 837050) and can be
 * told, per endpoint, to fail: HTTP 500, hang (accept and never answer), garbage (an HTML error page
 * with status 200) or oversized (a body past the feed's limit).
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MARKET_ENDPOINTS, MEMPOOL_PATHS, type MarketEndpoint } from '../../collector/market/mempool.js';

export type Behaviour = 'ok' | 'error500' | 'hang' | 'garbage' | 'oversized';

export interface FakeMarketServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  behave(endpoint: MarketEndpoint, behaviour: Behaviour): void;
  /** Replaces the body served when the endpoint is 'ok'. */
  respond(endpoint: MarketEndpoint, body: string): void;
  /** Requests received so far for an endpoint, answered or not. */
  requests(endpoint: MarketEndpoint): number;
  close(): Promise<void>;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/market/${name}`, import.meta.url), 'utf8');

/** The fixtures as the REST endpoints would answer them. */
export function recordedBodies(): Record<MarketEndpoint, string> {
  const ws = JSON.parse(fixture('mempool-ws-init.837050.json')) as { blocks: { height: number }[] };
  const newestFirst = [...ws.blocks].reverse(); // the websocket sends oldest first, REST newest first
  return {
    tip_height: String(newestFirst[0]!.height),
    blocks: JSON.stringify(newestFirst),
    reward_stats: fixture('mempool-docs-v1-mining-reward-stats-100.json'),
    hashrate: fixture('mempool-docs-v1-mining-hashrate-3d.json'),
    prices: fixture('mempool-v1-prices.837050.from-ws-init.json'),
  };
}

const BY_PATH = new Map<string, MarketEndpoint>(MARKET_ENDPOINTS.map((e) => [MEMPOOL_PATHS[e], e]));

export async function startFakeMarketServer(): Promise<FakeMarketServer> {
  const bodies = recordedBodies();
  const behaviours = new Map<MarketEndpoint, Behaviour>();
  const counts = new Map<MarketEndpoint, number>();

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  };

  const server = createServer((req, res) => {
    const endpoint = BY_PATH.get(req.url ?? '');
    if (!endpoint) return send(res, 404, 'text/plain', 'Not Found');
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
    switch (behaviours.get(endpoint) ?? 'ok') {
      case 'ok':
        return send(res, 200, endpoint === 'tip_height' ? 'text/plain' : 'application/json', bodies[endpoint]);
      case 'error500':
        return send(res, 500, 'text/plain', 'Internal Server Error');
      case 'garbage':
        return send(res, 200, 'text/html', '<html><body>502 Bad Gateway</body></html>');
      case 'oversized':
        return send(res, 200, 'application/json', `[${'0,'.repeat(600_000)}0]`);
      case 'hang':
        return; // never answered; close() drops the connection
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    behave: (endpoint, behaviour) => void behaviours.set(endpoint, behaviour),
    respond: (endpoint, body) => void (bodies[endpoint] = body),
    requests: (endpoint) => counts.get(endpoint) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
