// The collector acknowledges a message only after InfluxDB stored it: with InfluxDB down, a message
// survives the collector being stopped, and is written once both are back (real Mosquitto, real influxd).
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
const DB = 'powersite_ack';

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
});
afterAll(() => Promise.all([mosquitto?.stop(), influx?.stop()]));

function collector(): Collector {
  return new Collector(
    CollectorConfig.parse({
      mqtt: { url: mosquitto.url, client_id: 'ack-collector' },
      influx: { url: influx.url, database: DB, flush_interval: '100ms' },
      http: { host: '127.0.0.1', port: 0 },
    }),
    silentLogger(),
  );
}

it('holds the acknowledgement through an InfluxDB outage and a collector restart', async () => {
  const first = collector();
  await first.start();
  await eventually(() => first.connected);
  await influx.halt();

  const ts = Date.now();
  const message = { v: 1, site: 'ack-site', host: 'h1', seq: 41, ts, interval_s: 10, devices: [{ id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 700 }] };
  const publisher = await mqtt.connectAsync(mosquitto.url, { clientId: 'ack-agent' });
  await publisher.publishAsync('powersite/v1/ack-site/h1/telemetry', JSON.stringify(message), { qos: 1 });
  await publisher.endAsync();

  // The collector received it and failed to write it...
  await eventually(async () => (metricValue(await scrape(first.metricsUrl), 'powersite_collector_write_errors_total', {}) ?? 0) > 0);
  expect(metricValue(await scrape(first.metricsUrl), 'powersite_collector_pending_points', {})).toBe(2);
  // ...and is stopped before InfluxDB returns: the message was never acknowledged.
  await first.stop();
  await influx.start();

  const second = collector();
  await second.start();
  try {
    const rows = await eventually(async () => {
      const r = await influx.rows(DB, 'SELECT power_w, device FROM gpu');
      return r.length > 0 ? r : undefined;
    });
    expect(rows).toEqual([{ time: ts, power_w: 700, device: 'GPU-1' }]);
    expect(await influx.rows(DB, 'SELECT seq FROM agent_message')).toEqual([{ time: ts, seq: 41 }]);
  } finally {
    await second.stop();
  }
});

it('drops and counts a message InfluxDB refuses for good, and writes the others around it', async () => {
  const db = 'powersite_refusal';
  const c = new Collector(
    CollectorConfig.parse({ mqtt: { url: mosquitto.url, client_id: 'refusal-collector' }, influx: { url: influx.url, database: db, flush_interval: '100ms' }, http: { host: '127.0.0.1', port: 0 } }),
    silentLogger(),
  );
  await c.start();
  try {
    await eventually(() => c.connected);
    const ts = Date.now();
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: 'refusal-agent' });
    const send = (host: string, seq: number, device: Record<string, unknown>) =>
      client.publishAsync(`powersite/v1/refusal/${host}/telemetry`, JSON.stringify({ v: 1, site: 'refusal', host, seq, ts: ts + seq, interval_s: 10, devices: [device] }), { qos: 1 });
    // A first message makes the collector create the database and its default retention policy...
    await send('gpu-1', 100, { id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 700 });
    await eventually(async () => (await influx.rows(db, 'SELECT power_w FROM gpu')).length === 1);
    // ...then another writer makes asic.power_w a string: every float power_w for asic is now refused (HTTP 400).
    await influx.write(db, `asic,site=other power_w="broken" ${ts - 1000}000000`);
    for (let seq = 0; seq < 5; seq++) await send('gpu-1', seq, { id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 700 });
    await send('gw-1', 0, { id: '10.0.0.1', kind: 'asic', workload: 'mining', up: true, power_w: 3000 });
    for (let seq = 5; seq < 10; seq++) await send('gpu-1', seq, { id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 700 });
    await client.endAsync();

    const text = await eventually(async () => {
      const t = await scrape(c.metricsUrl);
      return metricValue(t, 'powersite_collector_messages_total', { result: 'rejected', reason: 'unwritable' }) === 1 ? t : undefined;
    });
    expect(metricValue(text, 'powersite_collector_pending_points', {})).toBe(0);
    const gpuRows = await eventually(async () => {
      const r = await influx.rows(db, "SELECT power_w FROM gpu WHERE site = 'refusal'");
      return r.length === 11 ? r : undefined;
    });
    expect(gpuRows.map((r) => r.power_w)).toEqual(Array(11).fill(700));
  } finally {
    await c.stop();
  }
});
