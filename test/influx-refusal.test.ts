// An InfluxDB that refuses every write (401 from an auth proxy, then 413) is an outage, not poison:
// the collector holds the acknowledgements, says so on /healthz, /metrics and in the shipped alerts
// (evaluated by a real Prometheus), loses nothing, and writes everything once InfluxDB accepts again
// (real Mosquitto, real influxd behind a loopback proxy).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Collector } from '../collector/collector.js';
import { RULE_FILES } from '../dashboards/rules.js';
import { startInflux, startMosquitto, startPrometheus, startRefusingProxy, type InfluxHandle, type MosquittoHandle, type PrometheusHandle, type RefusingProxy } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const DB = 'powersite_refused';
const GPUS = 40;
let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let proxy: RefusingProxy;
let collector: Collector;
let prometheus: PrometheusHandle;
let rulesDir: string;

/** The store alerts exactly as shipped, but firing at once and after 1 s of failed writes instead of 60. */
const OUTAGE_ALERTS = ['PowersiteStoreWritesFailing', 'PowersitePendingPointsNearLimit'];
async function outageRules(dir: string): Promise<string> {
  const shipped = parse(await readFile(RULE_FILES.find((f) => f.endsWith('alerts.yml'))!, 'utf8')) as { groups: { rules: { alert?: string; expr: string; for?: string }[] }[] };
  const rules = shipped.groups.flatMap((g) => g.rules).filter((r) => OUTAGE_ALERTS.includes(r.alert ?? ''));
  expect(rules.map((r) => r.alert)).toEqual(OUTAGE_ALERTS);
  const fast = rules.map((r) => ({ ...r, for: '0s', expr: r.expr.replace(/write_failing_seconds\) > 60$/, 'write_failing_seconds) > 1') }));
  expect(fast[0]!.expr).toMatch(/> 1$/);
  const file = join(dir, 'outage-alerts.yml');
  await writeFile(file, stringify({ groups: [{ name: 'outage', rules: fast }] }));
  return file;
}

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  proxy = await startRefusingProxy(influx.url);
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'refused-collector' },
    influx: { url: proxy.url, database: DB, flush_interval: '100ms', unhealthy_after: '1s', max_pending_points: 1000 },
  });
  rulesDir = await mkdtemp(join(tmpdir(), 'powersite-outage-rules-'));
  prometheus = await startPrometheus({ scrapeTargets: [new URL(collector.metricsUrl).host], ruleFiles: [await outageRules(rulesDir)] });
});
afterAll(async () => {
  await collector?.stop();
  await proxy?.stop();
  await Promise.all([mosquitto?.stop(), influx?.stop(), prometheus?.stop(), rulesDir && rm(rulesDir, { recursive: true, force: true })]);
});

const firing = (alert: string) => `ALERTS{alertname="${alert}", alertstate="firing"}`;

const healthz = async () => {
  const res = await fetch(collector.metricsUrl.replace('/metrics', '/healthz'));
  return { status: res.status, body: (await res.json()) as { ok: boolean; reasons: string[]; store: string; messages_committed: number } };
};

it('holds every message through 401 and 413 refusals, degrades /healthz, and writes all once InfluxDB accepts', async () => {
  const agent = await mqtt.connectAsync(mosquitto.url, { clientId: 'refused-agent' });
  const ts = Date.now();
  // 40 GPUs a message: 20 held messages are 820 points, over 0.8 of the 1,000-point limit.
  const devices = Array.from({ length: GPUS }, (_, i) => ({ id: `GPU-${i}`, kind: 'gpu', workload: 'hpc', up: true, power_w: 700 }));
  const send = (seq: number) => agent.publishAsync('powersite/v1/rf/h1/telemetry', JSON.stringify({ v: 1, site: 'rf', host: 'h1', seq, ts: ts + seq, interval_s: 10, devices }), { qos: 1 });
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
  // 20 messages × 41 points (the GPUs and the message record), none acknowledged, none dropped.
  expect(metricValue(text, 'powersite_collector_pending_points', {})).toBe(20 * (GPUS + 1));
  expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'unwritable' })).toBe(0);
  // The shipped alerts see it, on a real Prometheus scraping this collector, naming it.
  const instance = new URL(collector.metricsUrl).host;
  for (const alert of OUTAGE_ALERTS) {
    const [a] = await prometheus.waitFor(firing(alert), (r) => r.length === 1);
    expect(a!.metric.instance, alert).toBe(instance);
  }

  // A body limit is the server's state too: still nothing dropped.
  proxy.refuse(413);
  const refusedBefore = proxy.refused;
  await eventually(() => proxy.refused > refusedBefore);
  for (let seq = 21; seq <= 23; seq++) await send(seq);

  proxy.refuse(undefined);
  const seqs = await eventually(async () => {
    const rows = await influx.rows(DB, 'SELECT seq FROM agent_message');
    return rows.length === 24 ? rows.map((r) => r.seq) : undefined;
  }, 60_000);
  expect(seqs).toEqual(Array.from({ length: 24 }, (_, i) => i));
  const healthy = await eventually(async () => {
    const h = await healthz();
    return h.status === 200 ? h.body : undefined;
  });
  // The first message, the 20 held through the 401s and the 3 through the 413s: each committed once.
  expect(healthy.messages_committed).toBe(24);
  text = await scrape(collector.metricsUrl);
  expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'unwritable' })).toBe(0);
  expect(metricValue(text, 'powersite_collector_write_failing_seconds', {})).toBe(0);
  expect(metricValue(text, 'powersite_collector_pending_points', {})).toBe(0);
  // Counted once each, outage or not: 24 messages × 40 GPUs × 700 W × 10 s.
  expect(metricValue(text, 'powersite_device_energy_joules_total', { site: 'rf', workload: 'hpc' })).toBe(24 * GPUS * 7000);
  // And the alerts resolve.
  for (const alert of OUTAGE_ALERTS) await prometheus.waitFor(firing(alert), (r) => r.length === 0);
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
