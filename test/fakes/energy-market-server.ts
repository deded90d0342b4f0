/**
 * A fake energy-market API on 127.0.0.1 (port 0): ERCOT's two price reports built from the recorded
 * captures (collector/energy-market/fixtures/ercot) with rows the test chooses, and any other path
 * answering a body the test sets (ENTSO-E XML, Nord Pool or json). ERCOT paths demand the
 * subscription key and bearer token like the real API. Each path can be told to misbehave: HTTP
 * 500, hang, garbage (an HTML page with status 200), throttle (429 with ERCOT's documented body and
 * a Retry-After), or close the connection early.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERCOT_DAY_AHEAD, ERCOT_REALTIME } from '../../collector/energy-market/ercot.js';

export type Behaviour = 'ok' | 'error500' | 'hang' | 'garbage' | 'throttle' | 'close';

const fixture = (name: string) => readFileSync(new URL(`../../collector/energy-market/fixtures/ercot/${name}`, import.meta.url), 'utf8');
const CAPTURES: Record<string, string> = {
  [ERCOT_REALTIME]: fixture('np6-905-cd.spp_node_zone_hub.size1.tinyercot-capture.json'),
  [ERCOT_DAY_AHEAD]: fixture('np4-190-cd.dam_stlmnt_pnt_prices.size1.tinyercot-capture.json'),
};
const THROTTLED = fixture('error-429-throttled.docs-example.json');

export const FAKE_ERCOT_KEY = 'fake-subscription-key';
export const FAKE_ERCOT_TOKEN = 'fake-id-token';

export interface FakePriceServer {
  url: string;
  /** ERCOT rows for a report path (ERCOT_REALTIME or ERCOT_DAY_AHEAD), in the capture's field order. */
  ercotRows(path: string, rows: unknown[][]): void;
  /** The body (and status) another path answers. */
  respond(path: string, body: string, status?: number): void;
  behave(path: string, behaviour: Behaviour, retryAfterS?: number): void;
  /** Requests so far to a path, with their headers. */
  requests(path: string): { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startFakePriceServer(): Promise<FakePriceServer> {
  const ercot = new Map<string, unknown[][]>();
  const bodies = new Map<string, { body: string; status: number }>();
  const behaviours = new Map<string, { behaviour: Behaviour; retryAfterS: number | undefined }>();
  const seen = new Map<string, { url: string; headers: IncomingHttpHeaders }[]>();
  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers }).end(body);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    seen.set(path, [...(seen.get(path) ?? []), { url: req.url ?? '', headers: req.headers }]);
    const b = behaviours.get(path);
    switch (b?.behaviour ?? 'ok') {
      case 'error500':
        return send(res, 500, 'text/plain', 'Internal Server Error');
      case 'garbage':
        return send(res, 200, 'text/html', '<html><body>502 Bad Gateway</body></html>');
      case 'throttle':
        return send(res, 429, 'application/json', THROTTLED, b?.retryAfterS === undefined ? {} : { 'retry-after': String(b.retryAfterS) });
      case 'close':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"_meta": {');
        return void res.socket?.destroy();
      case 'hang':
        return; // never answered; close() drops the connection
      case 'ok':
        break;
    }
    const capture = CAPTURES[path.replace(/^\/api\/public-reports/, '')];
    if (capture) {
      if (req.headers['ocp-apim-subscription-key'] !== FAKE_ERCOT_KEY || req.headers.authorization !== `Bearer ${FAKE_ERCOT_TOKEN}`) {
        return send(res, 401, 'application/json', '{"statusCode": 401, "message": "Access denied due to missing subscription key."}');
      }
      const point = url.searchParams.get('settlementPoint');
      const key = path.replace(/^\/api\/public-reports/, '');
      const rows = (ercot.get(key) ?? []).filter((r) => point === null || r.includes(point));
      const body = JSON.parse(capture) as { _meta: Record<string, unknown>; data: unknown[][] };
      body._meta = { ...body._meta, totalRecords: rows.length, pageSize: 1000, totalPages: 1, currentPage: 1 };
      body.data = rows;
      return send(res, 200, 'application/json', JSON.stringify(body));
    }
    const fixed = bodies.get(path);
    if (fixed) return send(res, fixed.status, fixed.body.startsWith('<') ? 'application/xml' : 'application/json', fixed.body);
    return send(res, 404, 'text/plain', 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ercotRows: (path, rows) => void ercot.set(path, rows),
    respond: (path, body, status = 200) => void bodies.set(path, { body, status }),
    behave: (path, behaviour, retryAfterS) => void behaviours.set(path, { behaviour, retryAfterS }),
    requests: (path) => seen.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** ERCOT's real-time row for the 15-minute interval starting at `startMs` (Central time, hour ending, DST flag). */
export function ercotRealtimeRow(startMs: number, settlementPoint: string, price: number): unknown[] {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
      .formatToParts(startMs)
      .map((p) => [p.type, p.value]),
  );
  const hour = Number(parts.hour);
  // The repeated fall-back hour is the one in standard time (CST) between 01:00 and 02:00 on a day that also had CDT.
  const repeated = parts.timeZoneName === 'CST' && hour === 1 && new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', timeZoneName: 'short' }).format(startMs - 3_600_000).includes('CDT');
  return [`${parts.year}-${parts.month}-${parts.day}`, hour + 1, Math.floor(Number(parts.minute) / 15) + 1, settlementPoint, 'HU', price, repeated];
}
