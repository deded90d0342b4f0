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
