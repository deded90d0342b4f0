/**
 * A new miner family, on a new wire protocol, is one file each plus one registry line: the
 * test-only `example` family (test/fixtures/asic/example-family.ts) speaking a JSON-over-HTTP API
 * (example-http-api.ts) is detected, polled and scanned by the real fleet and scanner, against a
 * real HTTP server on loopback, with no change to either. The replies are hand-written (the family
 * is made up).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../agent/discovery/scan.js';
import { CgminerConfig } from '../agent/sources/cgminer/config.js';
import { BUILTIN_FAMILIES, FAMILIES, FamilyRegistry } from '../agent/sources/cgminer/families/registry.js';
import { CgminerFleet } from '../agent/sources/cgminer/fleet/fleet.js';
import { PROTOCOLS } from '../agent/sources/cgminer/wire/protocols.js';
import { silentLogger } from '../common/logger.js';
import { exampleFamily } from './fixtures/asic/example-family.js';
import { exampleHttpApi } from './fixtures/asic/example-http-api.js';

const REPLIES: Record<string, unknown> = {
  '/api/info': { ok: true, miner: { model: 'Example Miner X1', firmware: 'example-os 1.2.3' } },
  '/api/summary': { ok: true, hashrate_th_1m: 180.5, power_w: 3300, board_temp_c: 64, fan_rpm: 4800, uptime_s: 7200 },
};

let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = REPLIES[req.url ?? ''] ?? { ok: false, error: 'no such endpoint' };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('adding a family', () => {
  // The one line: the built-in families and protocols plus the new ones.
  const registry = () => new FamilyRegistry([...BUILTIN_FAMILIES, exampleFamily], [...PROTOCOLS, exampleHttpApi(port)]);

  it('is unknown to the built-in registry', () => {
    expect(FAMILIES.has('example')).toBe(false);
    expect(FAMILIES.protocols.map((p) => p.id)).not.toContain('example-http');
  });

  it('detects and polls a miner of the new family through the real fleet', async () => {
    requests.length = 0;
    const config = CgminerConfig.parse({ type: 'cgminer', miners: [`127.0.0.1:${port}`], jitter: 0 });
    const fleet = new CgminerFleet(config, { logger: silentLogger(), intervalMs: 10_000, hostName: 'gw-test' }, { families: registry() });
    const readings = await fleet.read(new AbortController().signal);
    expect(readings).toEqual([
      {
        id: `127.0.0.1:${port}`,
        kind: 'asic',
        vendor: 'example', // the family's vendor
        model: 'Example Miner X1',
        algorithm: 'sha256', // the family's, as the model table does not know the model
        up: true,
        hashrate_hs: 180.5e12, // hashrate_th_1m in TH/s
        power_w: 3300,
        power_source: 'reported',
        temp_c: 64,
        fan_rpm: 4800,
        uptime_s: 7200,
      },
    ]);
    // The port is the new protocol's default, so detection spoke it: no CGMiner command was sent.
    expect(requests).toEqual(['/api/info', '/api/summary']);
  });

  it('is found by the real scanner, with its model and firmware', async () => {
    const found = await scan('127.0.0.1/32', { ports: [port], timeoutMs: 2000, families: registry() });
    expect(found).toEqual([{ host: '127.0.0.1', port, family: 'example', model: 'Example Miner X1', firmware: 'example-os 1.2.3' }]);
  });

  it('refuses a family whose protocol is not registered, naming both', () => {
    expect(() => new FamilyRegistry([...BUILTIN_FAMILIES, exampleFamily])).toThrow('miner family "example" speaks unknown protocol "example-http"');
  });
});
