/**
 * The collector's HTTP edge: /metrics for Prometheus, /healthz for orchestrators and load
 * balancers, and the routes given (the site page and its JSON); over TLS and behind basic auth
 * when a web-config file says so (web-config.ts), for every path alike.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { WebConfig } from './web-config.js';

export interface Health {
  ok: boolean;
  [key: string]: unknown;
}

/** A response built per request (or held in memory and handed out as is). */
export interface RouteResponse {
  headers: Record<string, string>;
  body: string | Buffer;
}

/** GET routes by exact path, beside /metrics and /healthz. */
export type Routes = Readonly<Record<string, () => RouteResponse>>;

export async function startHttpServer(host: string, port: number, registry: Registry, health: () => Health, routes: Routes, web: WebConfig = {}): Promise<{ server: Server; url: string }> {
  const handle: RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
      );
    } else if (path === '/healthz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
    } else if (path !== undefined && Object.hasOwn(routes, path)) {
      let response: RouteResponse;
      try {
        response = routes[path]!();
      } catch (err) {
        // One bad request must not take the server down: say what failed and carry on.
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${path} failed: ${(err as Error).message}\n`);
        return;
      }
      res.writeHead(200, response.headers).end(response.body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };
  const listener = web.authorize ? withBasicAuth(web.authorize, handle) : handle;
  const server: Server = web.tls
    ? (createHttpsServer({ cert: web.tls.cert, key: web.tls.key, ca: web.tls.ca, requestCert: web.tls.requestCert, rejectUnauthorized: web.tls.requestCert, minVersion: web.tls.minVersion }, listener) as unknown as Server)
    : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { server, url: `${web.tls ? 'https' : 'http'}://${shownHost}:${addr.port}` };
}

/** Every path needs the credentials: /healthz shows revenue and margins too. */
function withBasicAuth(authorize: NonNullable<WebConfig['authorize']>, handle: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    authorize(req.headers.authorization).then(
      (ok) => (ok ? handle(req, res) : res.writeHead(401, { 'www-authenticate': 'Basic realm="powersite"', 'content-type': 'text/plain' }).end('unauthorized\n')),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('authentication failed\n'),
    );
  };
}
