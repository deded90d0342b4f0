// 50,000 distinct miner models and 40 algorithms from one host, through a real Mosquitto into a
// collector with the shipped caps: /metrics stays small, the first 64 models and 16 algorithms
// keep their names, the rest share "other" and are counted, and no device's power or hashrate is lost.
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Collector } from '../collector/collector.js';
import { DEFAULT_LABEL_CAPS } from '../collector/metrics/label-cap.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const SITE = 'models';
const MODELS = 50_000;
const PER_MESSAGE = 5000;
let mosquitto: MosquittoHandle;
let collector: Collector;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  collector = await startCollector({ mqtt: { url: mosquitto.url, client_id: 'models-collector' } });
});
afterAll(async () => {
  await collector?.stop();
  await mosquitto?.stop();
});

it('caps model and algorithm labels on /metrics under 50,000 distinct models, losing no power or hashrate', async () => {
  const client = await mqtt.connectAsync(mosquitto.url, { clientId: 'models-host' });
  const ts = Date.now();
  try {
    for (let seq = 0; seq < MODELS / PER_MESSAGE; seq++) {
      const devices = Array.from({ length: PER_MESSAGE }, (_, k) => {
        const i = seq * PER_MESSAGE + k;
        return { id: `m${i}`, kind: 'asic', workload: 'mining', model: `Model-${i}`, up: true, power_w: 3000, hashrate_hs: 1e14 };
      });
      await client.publishAsync(`powersite/v1/${SITE}/h1/telemetry`, JSON.stringify({ v: 1, site: SITE, host: 'h1', seq, ts, interval_s: 3600, devices }), { qos: 1 });
    }
    // 40 algorithms on 40 more devices: past the algorithm cap too.
    const alt = Array.from({ length: 40 }, (_, a) => ({ id: `alt${a}`, kind: 'asic', workload: 'mining', model: 'Alt', up: true, power_w: 1000, hashrate_hs: 1e9, algorithm: `alg${a}` }));
    await client.publishAsync(`powersite/v1/${SITE}/h2/telemetry`, JSON.stringify({ v: 1, site: SITE, host: 'h2', seq: 0, ts, interval_s: 3600, devices: alt }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  const text = await eventually(async () => {
    const t = await scrape(collector.metricsUrl);
    return metricValue(t, 'powersite_collector_label_values_folded', { label: 'model' }) === MODELS - DEFAULT_LABEL_CAPS.models ? t : undefined;
  }, 60_000);
  // 50,000 sha256 models (the other algorithms' miners are not priced per model), 64 keep their
  // names: 49,936 fold. 40 algorithms, 16 keep theirs: 24 fold.
  expect(metricValue(text, 'powersite_collector_label_values_folded', { label: 'algorithm' })).toBe(40 - DEFAULT_LABEL_CAPS.algorithms);
  expect(metricValue(text, 'powersite_collector_label_values_folded', { label: 'site' })).toBe(0);
  // Unbounded, this scrape was 16 MB and 200,000 lines.
  expect(text.length).toBeLessThan(256 * 1024);
  const models = new Set([...text.matchAll(/model="([^"]*)"/g)].map((m) => m[1]));
  expect(models.size).toBe(DEFAULT_LABEL_CAPS.models + 1);
  expect(models.has('other')).toBe(true);
  const algorithms = new Set([...text.matchAll(/algorithm="([^"]*)"/g)].map((m) => m[1]));
  expect(algorithms.size).toBe(DEFAULT_LABEL_CAPS.algorithms + 1);
  // Nothing is lost by folding: 50,000 × 100 TH/s of sha256, and 40 × 1 GH/s of the others.
  expect(metricValue(text, 'powersite_hashrate_hashes_per_second', { site: SITE, workload: 'mining' })).toBe(MODELS * 1e14);
  const other = [...text.matchAll(/^powersite_other_hashrate_hashes_per_second\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  expect(other).toBeCloseTo(40 * 1e9, 0);
  expect(metricValue(text, 'powersite_device_power_watts', { site: SITE, workload: 'mining' })).toBe(MODELS * 3000 + 40 * 1000);
}, 120_000);
