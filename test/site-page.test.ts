// The live site page in a real browser: Debian's headless chromium loads `/` from a collector fed by
// a simulated site (real agents through a real Mosquitto), shows "waiting for data" until the first
// telemetry, then live figures that must match /metrics, and a chart of the last hour. Screenshots
// (wall screen and phone) are kept under .tmp/artifacts/ for a person to look at.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { launchChromium } from './harness/chromium.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const SITE = 'sim-site';
const ARTIFACTS = fileURLToPath(new URL('../.tmp/artifacts/', import.meta.url));
/** What one response may weigh: the page, its script, its CSS and uPlot together. */
const MAX_PAGE_BYTES = 150_000;

let mosquitto: MosquittoHandle;
let collector: Collector;
let browser: Browser;
let stateDir: string;
const agents: Agent[] = [];

beforeAll(async () => {
  [mosquitto, browser] = await Promise.all([startMosquitto(), launchChromium()]);
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-page-'));
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'page-collector' },
    economics: {
      energy: { price_usd_per_mwh: 45 },
      bitcoin: { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03, pool_fee: 0.02 },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    },
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await browser?.close();
  await collector?.stop();
  await mosquitto?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** Real agents publishing every second; a slow wave on power and hashrate keeps the figures moving. */
async function startSite(): Promise<void> {
  const agent = (host: string, source: Record<string, unknown>) =>
    new Agent(AgentConfig.parse({ site: SITE, host, interval: '1s', state_dir: join(stateDir, host), mqtt: { url: mosquitto.url }, sources: [source] }), { logger: silentLogger() });
  agents.push(
    agent('gw-row1', { type: 'simulated', workload: 'mining', kind: 'asic', devices: 200, down: 3, model: 'Antminer S19 Pro', power_w: 3250, power_source: 'estimated', hashrate_hs: 110e12, jitter: 0.02 }),
    agent('gpu-01', { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 16, model: 'NVIDIA H100 80GB HBM3', power_w: 700, utilization: 0.8, jitter: 0.02 }),
  );
  for (const a of agents) await a.start();
  for (const a of agents) a.run();
}

/** The little of a canvas the chart check reads (the tests are type-checked without the DOM's types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** A figure as the page shows it ("0.640", "$1,234", "-$8.00"), as a number; NaN for a dash. */
async function shown(page: Page, key: string): Promise<number> {
  const text = (await page.locator(`[data-site="${SITE}"] [data-k="${key}"]`).textContent()) ?? '';
  return Number(text.replace(/[$,\s]/g, ''));
}

/** Equal within what the page's rounding hides plus 1 % for the figures moving between the two reads. */
function expectNear(fromPage: number, fromMetrics: number | undefined, rounding: number): void {
  expect(fromMetrics).toBeTypeOf('number');
  expect(Math.abs(fromPage - fromMetrics!)).toBeLessThanOrEqual(rounding + 0.01 * Math.abs(fromMetrics!));
}

describe('the site page at /', () => {
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  it('is one small response that names no other host', async () => {
    const response = await fetch(collector.pageUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const body = Buffer.from(await response.arrayBuffer());
    console.log(`site page: ${body.length} bytes in one response`);
    expect(body.length).toBeLessThan(MAX_PAGE_BYTES);
    // uPlot's licence banner names its project's home; nothing else may name a host at all.
    const html = body.toString('utf8').replace(/\/\*![^*]*\*\//g, '');
    expect(html.match(/https?:\/\/[^\s"'<>)]*/g) ?? []).toEqual([]);
    expect(html).not.toMatch(/<link\b(?![^>]*href="data:)|@import|url\(\s*["']?\/\//);
  });

  it('says it is waiting for data before any telemetry arrives', async () => {
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await page.goto(collector.pageUrl);
    await page.locator('#status[data-state="waiting"]').waitFor();
    expect(await page.locator('#waiting').isVisible()).toBe(true);
    expect(await page.locator('#waiting').textContent()).toMatch(/waiting for data/i);
    // The market needs no telemetry: it shows from the start, with its age.
    expect(await page.locator('#market').textContent()).toMatch(/BTC \$95,000.*Market data \d+ s old \(constants from the config\).*Next halving #1,050,000 in 130,000 blocks/);
  });

  it('shows live MW and revenue per workload that match /metrics', async () => {
    await startSite();
    // Live: all 197 miners up and every GPU counted, so the figures are the whole fleet's.
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 30_000 });
    await eventually(async () => (await page.locator(`[data-site="${SITE}"] [data-k="mining.devices"]`).textContent())?.startsWith('197 up · 3 down') && (await page.locator(`[data-site="${SITE}"] [data-k="hpc.devices"]`).textContent())?.startsWith('16 up'));
    expect(await page.locator('#waiting').isVisible()).toBe(false);
    const dom = {
      miningMw: await shown(page, 'mining.power_mw'),
      hpcMw: await shown(page, 'hpc.power_mw'),
      miningUsdH: await shown(page, 'mining.revenue_usd_per_hour'),
      hpcUsdH: await shown(page, 'hpc.revenue_usd_per_hour'),
      miningUsdMwh: await shown(page, 'mining.revenue_usd_per_mwh'),
      miningMargin: await shown(page, 'mining.margin_usd_per_mwh'),
      price: await shown(page, 'energy.price_usd_per_mwh'),
    };
    const text = await scrape(collector.metricsUrl);
    const mining = { site: SITE, workload: 'mining' };
    const hpc = { site: SITE, workload: 'hpc' };
    console.log(`site page vs /metrics: ${JSON.stringify(dom)}; mining ${metricValue(text, 'powersite_power_watts', mining)} W, hpc ${metricValue(text, 'powersite_power_watts', hpc)} W`);
    expectNear(dom.miningMw, metricValue(text, 'powersite_power_watts', mining)! / 1e6, 0.0005);
    expectNear(dom.hpcMw, metricValue(text, 'powersite_power_watts', hpc)! / 1e6, 0.0005);
    expectNear(dom.miningUsdH, metricValue(text, 'powersite_revenue_usd_per_hour', mining), 0.5);
    // Reserved: 16 H100 at $2.10 an hour, exactly.
    expect(dom.hpcUsdH).toBe(33.6);
    expectNear(dom.hpcUsdH, metricValue(text, 'powersite_revenue_usd_per_hour', hpc), 0.005);
    expectNear(dom.miningUsdMwh, metricValue(text, 'powersite_revenue_usd_per_mwh', mining), 0.005);
    expectNear(dom.miningMargin, metricValue(text, 'powersite_margin_usd_per_mwh', mining), 0.005);
    expect(dom.price).toBe(metricValue(text, 'powersite_energy_cost_usd_per_mwh', { site: SITE }));
    // 197 miners at 3,250 W and 16 GPUs at 700 W, within the 2 % wave.
    expect(dom.miningMw).toBeGreaterThan(0.98 * 0.64025);
    expect(dom.miningMw).toBeLessThan(1.02 * 0.64025);
    expect(dom.hpcMw).toBeGreaterThan(0.98 * 0.0112);
    expect(await page.locator(`[data-site="${SITE}"] [data-k="mining.shares"]`).textContent()).toBe('measured 0 % · estimated 100 %');
    expect(await page.locator(`[data-site="${SITE}"] [data-list="down"]`).textContent()).toBe('3 mining asics reporting a fault');
    expect(await page.locator(`[data-site="${SITE}"] [data-k="energy.source"]`).textContent()).toBe('fixed price or schedule (config)');
  });

  it('draws the last hour on its charts', async () => {
    // Points are one per 10 s step: wait for a second step, so the chart has a line.
    const chart = page.locator(`[data-site="${SITE}"] [data-chart="power"]`);
    await eventually(async () => Number(await chart.getAttribute('data-points')) >= 2, 30_000);
    // The mining series' colour is on the canvas: the line was drawn, not only the axes.
    const miningPixels = await chart.locator('canvas').evaluate((el) => {
      const canvas = el as unknown as Canvas;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      // --mining: #f0883e
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 0xf0) < 12 && Math.abs(data[i + 1]! - 0x88) < 12 && Math.abs(data[i + 2]! - 0x3e) < 12) n++;
      return n;
    });
    expect(miningPixels).toBeGreaterThan(20);
    const history = (await (await fetch(`${collector.pageUrl}api/site/history`)).json()) as { t: number[]; sites: Record<string, { mining_mw: number[] }> };
    expect(history.t.length).toBeGreaterThanOrEqual(2);
    expect(history.sites[SITE]!.mining_mw.at(-1)).toBeGreaterThan(0.6);
  });

  it('keeps screenshots for a wall screen and a phone, and loads nothing from anywhere but the collector', async () => {
    const wall = join(ARTIFACTS, 'site-page.png');
    await page.screenshot({ path: wall, fullPage: true });
    console.log(`site page screenshot (wall screen): ${wall}`);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    phone.on('pageerror', (err) => problems.push(`phone pageerror: ${err.message}`));
    await phone.goto(collector.pageUrl);
    await phone.locator('#status[data-state="live"]').waitFor();
    await eventually(async () => Number(await phone.locator(`[data-site="${SITE}"] [data-chart="power"]`).getAttribute('data-points')) >= 2);
    // One column: the HPC card sits under the mining card, and nothing runs off the side.
    const miningBox = (await phone.locator(`[data-site="${SITE}"] .card.mining`).boundingBox())!;
    const hpcBox = (await phone.locator(`[data-site="${SITE}"] .card.hpc`).boundingBox())!;
    expect(hpcBox.x).toBe(miningBox.x);
    expect(hpcBox.y).toBeGreaterThan(miningBox.y + miningBox.height - 1);
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const small = join(ARTIFACTS, 'site-page-phone.png');
    await phone.screenshot({ path: small, fullPage: true });
    console.log(`site page screenshot (phone): ${small}`);
    await phone.close();

    const origin = new URL(collector.pageUrl).origin;
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    // No script error and no request refused by the page's Content-Security-Policy.
    expect(problems).toEqual([]);
  });

  it('says the connection is lost when the collector stops answering, and keeps the last figures', async () => {
    const before = await shown(page, 'mining.power_mw');
    await page.route('**/api/site*', (route) => route.abort());
    await page.locator('#status[data-state="lost"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^Connection lost \(.+\); retrying\. Figures below are from /);
    expect(await shown(page, 'mining.power_mw')).toBe(before);
    await page.unroute('**/api/site*');
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 30_000 });
  });
});
