// VictoriaMetrics as the collector's second store: one collector writes InfluxDB 1.x and
// VictoriaMetrics (real servers) through the same line protocol, and PromQL over VictoriaMetrics
// gives the same fleet figures as InfluxQL over InfluxDB.
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Collector } from '../collector/collector.js';
import { sampleValue, startInflux, startMosquitto, startVictoria, type InfluxHandle, type MosquittoHandle, type VictoriaHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let victoria: VictoriaHandle;
let collector: Collector;
const DB = 'powersite_vm';
// A whole second ten minutes ago: both stores keep it, and a query at T + 1 s sees it as the latest sample.
const T = Math.floor(Date.now() / 1000) * 1000 - 600_000;

const miner = (id: string, power_w: number, hashrate_hs: number) => ({ id, kind: 'asic', workload: 'mining', model: 'Antminer S19 Pro', up: true, power_w, power_source: 'estimated', hashrate_hs });
const messages = [
  {
    v: 1, site: 'vm-site', host: 'gw-1', seq: 7, ts: T, interval_s: 10,
    devices: [
      // A hostile id: space, comma and equals sign survive both stores' parsers.
      miner('row 1,rack=2', 3250, 1.1e14),
      miner('10.0.0.2', 3300, 1.0e14),
      miner('10.0.0.3', 3350, 0.9e14),
      { id: '10.0.0.4', kind: 'asic', workload: 'mining', up: false, error: 'timeout "after 5 s"' },
    ],
  },
  {
    v: 1, site: 'vm-site', host: 'gpu-1', seq: 3, ts: T, interval_s: 10,
    devices: [
      { id: 'GPU-a', kind: 'gpu', workload: 'hpc', model: 'H100', up: true, power_w: 700, power_source: 'reported', utilization: 0.9 },
      { id: 'GPU-b', kind: 'gpu', workload: 'hpc', model: 'H100', up: true, power_w: 650, power_source: 'reported', utilization: 0.5 },
    ],
  },
];

beforeAll(async () => {
  [mosquitto, influx, victoria] = await Promise.all([startMosquitto(), startInflux(), startVictoria()]);
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'vm-collector' },
    influx: { url: influx.url, database: DB, flush_interval: '100ms' },
    victoriametrics: { url: victoria.url },
  });
});
afterAll(async () => {
  await collector?.stop();
  await Promise.all([mosquitto?.stop(), influx?.stop(), victoria?.stop()]);
});

it('writes both stores, and PromQL over VictoriaMetrics gives the fleet figures InfluxQL gives', async () => {
  const publisher = await mqtt.connectAsync(mosquitto.url, { clientId: 'vm-agent' });
  for (const m of messages) await publisher.publishAsync(`powersite/v1/${m.site}/${m.host}/telemetry`, JSON.stringify(m), { qos: 1 });
  await publisher.endAsync();
  // Committed = stored in both, so both can be read from here on.
  await eventually(async () => (metricValue(await scrape(collector.metricsUrl), 'powersite_collector_lag_seconds_count', {}) ?? 0) >= 2);
  await victoria.flush();

  const at = T + 1000;
  const vm = async (promql: string) => {
    const result = await victoria.query(promql, at);
    return Object.fromEntries(result.map((s) => [s.metric.workload, sampleValue(s)]));
  };
  const iq = async (influxql: string) => Object.fromEntries((await influx.rows(DB, `${influxql} WHERE time = ${T}ms GROUP BY workload`)).map((r) => [r.workload as string, r.v as number]));

  // Power per workload: mining 3,250 + 3,300 + 3,350 W (the down miner reports none), HPC 700 + 650 W.
  const expectedPower = { mining: 9900, hpc: 1350 };
  expect(await vm('sum by (workload) (asic_power_w{site="vm-site"} or gpu_power_w{site="vm-site"})')).toEqual(expectedPower);
  expect({ ...(await iq('SELECT sum(power_w) AS v FROM asic')), ...(await iq('SELECT sum(power_w) AS v FROM gpu')) }).toEqual(expectedPower);

  // Hashrate: 1.1e14 + 1.0e14 + 0.9e14 H/s.
  expect((await vm('sum by (workload) (asic_hashrate_hs{site="vm-site"})')).mining).toBeCloseTo(3e14, -3);
  expect((await iq('SELECT sum(hashrate_hs) AS v FROM asic')).mining).toBeCloseTo(3e14, -3);

  // Devices and devices up: 4 miners, 3 up (booleans are 1/0 in VictoriaMetrics).
  expect(await vm('count by (workload) (asic_up{site="vm-site"})')).toEqual({ mining: 4 });
  expect(await vm('sum by (workload) (asic_up{site="vm-site"})')).toEqual({ mining: 3 });
  expect(await iq('SELECT count(up) AS v FROM asic')).toEqual({ mining: 4 });
  expect((await influx.rows(DB, `SELECT count(up) AS v FROM asic WHERE time = ${T}ms AND up = true`))[0]?.v).toBe(3);

  // Every device's series carries its tags, the hostile id included, with the same value in both stores.
  const hostile = await victoria.query('asic_power_w{device="row 1,rack=2"}', at);
  expect(hostile.map((s) => [s.metric.device, s.metric.host, sampleValue(s)])).toEqual([['row 1,rack=2', 'gw-1', 3250]]);
  expect(await influx.rows(DB, `SELECT power_w FROM asic WHERE device = 'row 1,rack=2'`)).toEqual([{ time: T, power_w: 3250 }]);

  // The message record: agent_message_seq per host.
  const seqs = await victoria.query('agent_message_seq{site="vm-site"}', at);
  expect(Object.fromEntries(seqs.map((s) => [s.metric.host, sampleValue(s)]))).toEqual({ 'gw-1': 7, 'gpu-1': 3 });
});
