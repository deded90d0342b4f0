/**
 * A fake BMC on loopback: an HTTPS server with basic auth that answers Redfish GETs from a tree of
 * resources, either a captured tree on disk (`<dir>/redfish/v1/.../index.json`, the DMTF mockup
 * layout) or one built live (the demo's servers). It can misbehave as BMCs do: hang, close early,
 * answer garbage. Used by the redfish source's tests and by the demo.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type BmcBehaviour = 'ok' | 'hang' | 'close' | 'garbage';

export interface FakeBmc {
  url: string;
  behave(behaviour: BmcBehaviour): void;
  requests: string[];
  close(): Promise<void>;
}

export interface FakeBmcOptions {
  /** The JSON at a path (no trailing slash, no query), or undefined for 404. */
  resource(path: string): unknown;
  cert: string | Buffer;
  key: string | Buffer;
  username: string;
  password: string;
}

/** Resources of a captured tree on disk; iLO-style trailing slashes and fragments are normalised. */
export function treeFromDir(dir: string): (path: string) => unknown {
  return (path) => {
    if (path.includes('..')) return undefined;
    try {
      return JSON.parse(readFileSync(join(dir, path, 'index.json'), 'utf8'));
    } catch {
      return undefined;
    }
  };
}

export async function startFakeBmc(options: FakeBmcOptions): Promise<FakeBmc> {
  let behaviour: BmcBehaviour = 'ok';
  const requests: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const server: Server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'https://bmc').pathname).replace(/\/+$/, '') || '/';
    requests.push(path);
    if (behaviour === 'hang') return;
    if (behaviour === 'close') return void req.socket.destroy();
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Redfish"', 'content-type': 'application/json' });
      return void res.end('{"error":{"code":"Base.1.0.NoValidSession"}}');
    }
    if (behaviour === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('<html><body>Service Unavailable</body></html>');
    }
    const body = options.resource(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end('{"error":{"code":"Base.1.0.ResourceMissingAtURI"}}');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'odata-version': '4.0' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    behave: (b) => (behaviour = b),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A minimal live Redfish tree of one server: its chassis input power (Power.PowerControl) now. */
export function serverTree(server: { manufacturer: string; model: string; watts: () => number }): (path: string) => unknown {
  const tree: Record<string, () => unknown> = {
    '/redfish/v1': () => ({ '@odata.id': '/redfish/v1', RedfishVersion: '1.6.0', Chassis: { '@odata.id': '/redfish/v1/Chassis' } }),
    '/redfish/v1/Chassis': () => ({ Members: [{ '@odata.id': '/redfish/v1/Chassis/1' }], 'Members@odata.count': 1 }),
    '/redfish/v1/Chassis/1': () => ({ Id: '1', ChassisType: 'RackMount', Manufacturer: server.manufacturer, Model: server.model, Power: { '@odata.id': '/redfish/v1/Chassis/1/Power' } }),
    '/redfish/v1/Chassis/1/Power': () => ({ PowerControl: [{ '@odata.id': '/redfish/v1/Chassis/1/Power#/PowerControl/0', PowerConsumedWatts: server.watts() }] }),
  };
  return (path) => tree[path]?.();
}
