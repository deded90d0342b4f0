// An InfluxDB that refuses every write (401 from an auth proxy, then 413) is an outage, not poison:
// the collector holds the acknowledgements, says so on /healthz and /metrics, loses nothing, and
// writes everything once InfluxDB accepts again (real Mosquitto, real influxd behind a loopback proxy).
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Collector } from '../collector/collector.js';
import { startInflux, startMosquitto, startRefusingProxy, type InfluxHandle, type MosquittoHandle, type RefusingProxy } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const DB = 'powersite_refused';
let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let proxy: RefusingProxy;
let collector: Collector;

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  proxy = await startRefusingProxy(influx.url);
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'refused-collector' },
    influx: { url: proxy.url, database: DB, flush_interval: '100ms', unhealthy_after: '1s' },
  });
});
afterAll(async () => {
  await collector?.stop();
  await proxy?.stop();
  await Promise.all([mosquitto?.stop(), influx?.stop()]);
});

const healthz = async () => {
  const res = await fetch(collector.metricsUrl.replace('/metrics', '/healthz'));
  return { status: res.status, body: (await res.json()) as { ok: boolean; reasons: string[]; store: string } };
};

it('holds every message through 401 and 413 refusals, degrades /healthz, and writes all once InfluxDB accepts', async () => {
  const agent = await mqtt.connectAsync(mosquitto.url, { clientId: 'refused-agent' });
  const ts = Date.now();
  const send = (seq: number) =>
    agent.publishAsync('powersite/v1/rf/h1/telemetry', JSON.stringify({ v: 1, site: 'rf', host: 'h1', seq, ts: ts + seq, interval_s: 10, devices: [{ id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 700 }] }), { qos: 1 });
  // The first message creates the database through the proxy while it still passes.
  await send(0);
  await eventually(async () => (await influx.rows(DB, 'SELECT seq FROM agent_message')).length === 1);
  expect((await healthz()).status).toBe(200);

  proxy.refuse(401);
  for (let seq = 1; seq <= 20; seq++) await send(seq);
  const degraded = await eventually(async () => {
    const h = await healthz();
    return h.status === 503 ? h.body : undefined;
  });
  expect(degraded.ok).toBe(false);
  expect(degraded.store).toBe('failing');
  expect(degraded.reasons.join(' ')).toMatch(/store writes failing for \d+ s: .*401/);
  let text = await scrape(collector.metricsUrl);
  expect(metricValue(text, 'powersite_collector_write_failing_seconds', {})).toBeGreaterThanOrEqual(1);
  // 20 messages × 2 points (the GPU and the message record), none acknowledged, none dropped.
  expect(metricValue(text, 'powersite_collector_pending_points', {})).toBe(40);
  expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'unwritable' })).toBe(0);

  // A body limit is the server's state too: still nothing dropped.
  proxy.refuse(413);
  const refusedBefore = proxy.refused;
  await eventually(() => proxy.refused > refusedBefore);
  for (let seq = 21; seq <= 25; seq++) await send(seq);

  proxy.refuse(undefined);
  const seqs = await eventually(async () => {
    const rows = await influx.rows(DB, 'SELECT seq FROM agent_message');
    return rows.length === 26 ? rows.map((r) => r.seq) : undefined;
  }, 60_000);
  expect(seqs).toEqual(Array.from({ length: 26 }, (_, i) => i));
  await eventually(async () => (await healthz()).status === 200);
  text = await scrape(collector.metricsUrl);
  expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'unwritable' })).toBe(0);
  expect(metricValue(text, 'powersite_collector_write_failing_seconds', {})).toBe(0);
  expect(metricValue(text, 'powersite_collector_pending_points', {})).toBe(0);
  // Counted once each, outage or not: 26 messages × 700 W × 10 s.
  expect(metricValue(text, 'powersite_device_energy_joules_total', { site: 'rf', workload: 'hpc' })).toBe(26 * 7000);
  await agent.endAsync();
}, 120_000);

it('exits within a few seconds on stop while InfluxDB refuses everything, leaving messages for redelivery', async () => {
  proxy.refuse(503);
  const agent = await mqtt.connectAsync(mosquitto.url, { clientId: 'refused-agent-2' });
  await agent.publishAsync('powersite/v1/rf/h2/telemetry', JSON.stringify({ v: 1, site: 'rf', host: 'h2', seq: 1, ts: Date.now(), interval_s: 10, devices: [{ id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 700 }] }), { qos: 1 });
  await agent.endAsync();
  await eventually(async () => metricValue(await scrape(collector.metricsUrl), 'powersite_collector_pending_points', {}) === 2);
  const started = Date.now();
  await collector.stop();
  // The pipeline gives up after 3 s, the MQTT close after 2 s more at worst.
  expect(Date.now() - started).toBeLessThan(8000);
  proxy.refuse(undefined);
  // A new collector with the same client id gets the unacknowledged message from the broker.
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'refused-collector' },
    influx: { url: proxy.url, database: DB, flush_interval: '100ms' },
  });
  await eventually(async () => (await influx.rows(DB, "SELECT seq FROM agent_message WHERE host = 'h2'")).length === 1);
}, 60_000);
