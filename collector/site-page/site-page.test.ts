import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHttpServer } from '../http/server.js';
import { HISTORY_STEP_MS } from './history.js';
import { assemblePage } from './page.js';
import { SitePage } from './site-page.js';
import type { SnapshotInput } from './snapshot.js';

const page = assemblePage({ html: '<style>/*UPLOT_CSS*/</style><style>/*SITE_CSS*/</style><script>/*UPLOT_JS*/</script><script>/*SITE_JS*/</script>', css: '', script: '', uplotJs: '', uplotCss: '' });
const market = { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03, tip_time_ms: null, network_hashrate_hs: null, updated_at_ms: 0, age_s: 1, stale: false };
const empty = (now: number): SnapshotInput => ({ now_ms: now, summaries: new Map(), views: new Map(), activity: new Map(), market, market_source: 'config', energy_updated_at_ms: () => null });

let server: Server | undefined;
afterEach(async () => {
  vi.useRealTimers();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

describe('SitePage', () => {
  it('serves the page from memory and the snapshot and history as JSON', async () => {
    const site = new SitePage(page, empty, () => {});
    const http = await startHttpServer('127.0.0.1', 0, new Registry(), () => ({ ok: true }), site.routes());
    server = http.server;
    const html = await fetch(`${http.url}/`);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(Buffer.from(await html.arrayBuffer())).toEqual(page.body);
    const snapshot = await fetch(`${http.url}/api/site?x=1`);
    expect(snapshot.headers.get('content-type')).toBe('application/json');
    expect(await snapshot.json()).toMatchObject({ sites: [], market: { btc_usd: 95_000 } });
    // The request above recorded a point.
    expect(((await (await fetch(`${http.url}/api/site/history`)).json()) as { t: number[] }).t).toHaveLength(1);
    expect((await fetch(`${http.url}/api/site/other`)).status).toBe(404);
    expect((await fetch(`${http.url}/api/site`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 500 when the snapshot fails, keeps serving, and the timer reports the failure instead of throwing', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let broken = true;
    const errors: string[] = [];
    const site = new SitePage(page, (now) => {
      if (broken) throw new Error('state unreadable');
      return empty(now);
    }, (err) => errors.push(err.message));
    site.start();
    vi.advanceTimersByTime(HISTORY_STEP_MS * 2);
    expect(errors).toEqual(['state unreadable', 'state unreadable']);
    const http = await startHttpServer('127.0.0.1', 0, new Registry(), () => ({ ok: true }), site.routes());
    server = http.server;
    const failed = await fetch(`${http.url}/api/site`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('/api/site failed: state unreadable\n');
    broken = false;
    expect((await fetch(`${http.url}/api/site`)).status).toBe(200);
    site.stop();
  });
});
