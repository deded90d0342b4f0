// The site label cap protects Prometheus only: past limits.max_sites /metrics folds sites into
// "other", while InfluxDB keeps every real site, in telemetry and in the economics history.
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Collector } from '../collector/collector.js';
import { startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const DB = 'powersite_cap';
let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let collector: Collector;

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'cap-collector' },
    influx: { url: influx.url, database: DB, flush_interval: '100ms', economics_interval: '1s' },
    limits: { max_sites: 1 },
  });
});
afterAll(async () => {
  await collector?.stop();
  await Promise.all([mosquitto?.stop(), influx?.stop()]);
});

it('labels sites past the cap "other" on /metrics and stores each under its own name', async () => {
  const agent = await mqtt.connectAsync(mosquitto.url, { clientId: 'cap-agent' });
  const ts = Date.now();
  for (const [i, site] of ['site-a', 'site-b', 'site-c'].entries()) {
    const body = { v: 1, site, host: 'h1', seq: 1, ts, interval_s: 10, devices: [{ id: 'm1', kind: 'asic', workload: 'mining', up: true, power_w: 1000 * (i + 1), hashrate_hs: 1e14 }] };
    await agent.publishAsync(`powersite/v1/${site}/h1/telemetry`, JSON.stringify(body), { qos: 1 });
  }
  await agent.endAsync();

  const text = await eventually(async () => {
    const t = await scrape(collector.metricsUrl);
    return metricValue(t, 'powersite_energy_joules_total', { site: 'other', workload: 'mining' }) !== undefined ? t : undefined;
  });
  // The first site keeps its label; the two others fold: (2,000 + 3,000 W) × 10 s.
  expect(metricValue(text, 'powersite_energy_joules_total', { site: 'site-a', workload: 'mining' })).toBe(10_000);
  expect(metricValue(text, 'powersite_energy_joules_total', { site: 'other', workload: 'mining' })).toBe(50_000);
  expect(metricValue(text, 'powersite_energy_joules_total', { site: 'site-b', workload: 'mining' })).toBeUndefined();

  const sites = async (q: string) => [...new Set((await influx.rows(DB, q)).map((r) => r.site))].sort();
  expect(await sites('SELECT power_w, site FROM asic')).toEqual(['site-a', 'site-b', 'site-c']);
  expect(await sites('SELECT seq, site FROM agent_message')).toEqual(['site-a', 'site-b', 'site-c']);
  // The economics history, one point per real site and workload with its own energy amount.
  const energy = await eventually(async () => {
    const rows = await influx.rows(DB, "SELECT sum(energy_j) AS energy_j FROM economics WHERE workload = 'mining' GROUP BY site");
    return rows.length === 3 && rows.every((r) => (r.energy_j as number) > 0) ? rows : undefined;
  });
  expect(Object.fromEntries(energy.map((r) => [r.site, r.energy_j]))).toEqual({ 'site-a': 10_000, 'site-b': 20_000, 'site-c': 30_000 });
  expect(await sites('SELECT power_w, site FROM economics')).not.toContain('other');
}, 60_000);
