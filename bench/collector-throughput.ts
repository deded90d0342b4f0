/**
 * `npm run bench`: collector throughput against the broker's own limit on this machine.
 *
 * Baseline: a bare MQTT.js subscriber receiving QoS 1 telemetry through Mosquitto (what the broker
 * and client library can do here at all). Then the same traffic into a real collector writing a
 * real InfluxDB, acknowledging after the write; and into a collector without InfluxDB. Figures are
 * reported as ratios to the baseline measured in the same run, so they compare across machines.
 */
import mqtt from 'mqtt';
import { silentLogger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { startInflux, startMosquitto } from '../test/harness/index.js';
import { metricValue, scrape } from '../test/support/metrics.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 100);

function payload(seq: number, host: string): string {
  const devices = Array.from({ length: DEVICES }, (_, i) => ({
    id: `10.0.${seq % 250}.${i}`, kind: 'asic', workload: 'mining', model: 'Antminer S19 Pro', up: true,
    power_w: 3250 + i, power_source: 'estimated', energy_j: seq * 32_500, hashrate_hs: 1.1e14, temp_c: 70,
  }));
  return JSON.stringify({ v: 1, site: 'bench', host, seq, ts: 1_764_000_000_000 + seq * 10_000, interval_s: 10, devices });
}

async function publishAll(url: string, host: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${host}` });
  const topic = `powersite/v1/bench/${host}/telemetry`;
  const window = 200;
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const send = () => {
      if (next >= MESSAGES) return;
      const seq = next++;
      client.publish(topic, payload(seq, host), { qos: 1 }, (err) => {
        if (err) return reject(err);
        if (++done === MESSAGES) resolve();
        else send();
      });
    };
    for (let i = 0; i < window; i++) send();
  });
  await client.endAsync();
}

async function baseline(url: string): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: 'bench-sub', clean: false });
  await sub.subscribeAsync('powersite/v1/+/+/telemetry', { qos: 1 });
  let received = 0;
  const all = new Promise<void>((resolve) => sub.on('message', () => ++received === MESSAGES && resolve()));
  const t0 = performance.now();
  await publishAll(url, 'baseline');
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await sub.endAsync();
  return MESSAGES / seconds;
}

async function collectorRun(url: string, influxUrl: string | undefined, name: string): Promise<{ rate: number; rssMb: number }> {
  const collector = new Collector(
    CollectorConfig.parse({
      mqtt: { url, client_id: `bench-${name}` },
      http: { host: '127.0.0.1', port: 0 },
      ...(influxUrl ? { influx: { url: influxUrl, database: `bench_${name}`, retention: false } } : {}),
    }),
    silentLogger(),
  );
  await collector.start();
  while (!collector.connected) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  await publishAll(url, name);
  let committed = 0;
  let peakRss = 0;
  const deadline = Date.now() + 300_000;
  while (committed < MESSAGES && Date.now() < deadline) {
    committed = metricValue(await scrape(collector.metricsUrl), 'powersite_collector_lag_seconds_count', {}) ?? 0;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (committed < MESSAGES) await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  await collector.stop();
  if (committed < MESSAGES) throw new Error(`${name}: only ${committed} of ${MESSAGES} messages committed`);
  return { rate: MESSAGES / seconds, rssMb: peakRss / 1e6 };
}

const [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
try {
  const points = MESSAGES * (DEVICES + 1);
  process.stdout.write(`powersite bench: ${MESSAGES} telemetry messages of ${DEVICES} miners each (${points.toLocaleString('en-US')} points), QoS 1, loopback\n`);
  const base = await baseline(mosquitto.url);
  const metricsOnly = await collectorRun(mosquitto.url, undefined, 'metrics_only');
  const withInflux = await collectorRun(mosquitto.url, influx.url, 'influx');
  const row = (name: string, rate: number, rss?: number) =>
    `| ${name} | ${rate.toFixed(0)} | ${((rate * DEVICES) / 1000).toFixed(1)}k | ${(rate / base).toFixed(2)} | ${rss === undefined ? '' : rss.toFixed(0)} |`;
  process.stdout.write(
    [
      '',
      '| run | messages/s | devices/s | ratio to broker baseline | peak RSS of the bench process (MB) |',
      '|---|---|---|---|---|',
      row('baseline: bare MQTT.js subscriber', base),
      row('collector, metrics only (no InfluxDB)', metricsOnly.rate, metricsOnly.rssMb),
      row('collector, InfluxDB writes, ack after write', withInflux.rate, withInflux.rssMb),
      '',
    ].join('\n'),
  );
} finally {
  await Promise.all([mosquitto.stop(), influx.stop()]);
}
