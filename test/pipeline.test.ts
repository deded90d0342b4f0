// End to end on real services: an agent reading a fake nvidia-smi (real captured output) publishes
// through a real Mosquitto to a collector that writes a real InfluxDB and serves /metrics.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { fixtureList, installFakeNvidiaSmi, type FakeNvidiaSmi } from './fakes/fake-nvidia-smi.js';
import { startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const MIB = 1024 * 1024;
const DB = 'powersite_it';
let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let fake: FakeNvidiaSmi;
let collector: Collector;
let stateDir: string;

const agentConfig = () =>
  AgentConfig.parse({
    site: 'it-site',
    host: 'gpu-host-1',
    interval: '10s',
    state_dir: stateDir,
    mqtt: { url: mosquitto.url },
    sources: [{ type: 'nvidia' }],
  });

beforeAll(async () => {
  [mosquitto, influx, fake] = await Promise.all([startMosquitto(), startInflux(), installFakeNvidiaSmi()]);
  process.env.PATH = fake.path;
  process.env.FAKE_NVIDIA_SMI_FIXTURES = fixtureList('nvidia-h100-query-gpu.csv', 'nvidia-h100-mig-query-gpu.csv', 'nvidia-tesla-p100-query-gpu-nounits.csv');
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-agent-state-'));
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'it-collector' },
    influx: { url: influx.url, database: DB, flush_interval: '200ms', economics_interval: '1s' },
  });
});

afterAll(async () => {
  await collector?.stop();
  await Promise.all([mosquitto?.stop(), influx?.stop(), fake?.remove(), stateDir && rm(stateDir, { recursive: true, force: true })]);
});

describe('agent → Mosquitto → collector → InfluxDB and /metrics', () => {
  // Sample times: two cycles 10 s apart, the second "now", so the collector sees them fresh.
  const t1 = Math.floor(Date.now() / 1000) * 1000;
  const t0 = t1 - 10_000;
  const h100 = 'GPU-00000000-0000-0000-0000-000000000000';
  const mig = 'GPU-00000000-0000-0000-0000-000000000001';
  const p100 = 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6';

  it('stores the exact points in InfluxDB and serves the exact values on /metrics', async () => {
    const agent = new Agent(agentConfig(), { logger: silentLogger() });
    await agent.start();
    await agent.cycle(t0);
    await agent.cycle(t1);

    const rows = await eventually(async () => {
      const r = await influx.rows(DB, 'SELECT * FROM gpu ORDER BY time');
      return r.length === 6 ? r : undefined;
    });
    const tags = { site: 'it-site', host: 'gpu-host-1', workload: 'hpc', vendor: 'nvidia', power_source: 'reported' };
    const h100Fields = { model: 'NVIDIA H100 80GB HBM3', up: true, temp_c: 59, power_w: 631.95, utilization: 1, mem_used_bytes: 19818 * MIB, mem_total_bytes: 81559 * MIB };
    const migFields = { model: 'NVIDIA H100 80GB HBM3', up: true, temp_c: 53, power_w: 433.78, utilization: null, mem_used_bytes: 11125 * MIB, mem_total_bytes: 81559 * MIB };
    const p100Fields = { model: 'Tesla P100-PCIE-16GB', up: true, temp_c: 37, power_w: 28.16, utilization: 0, mem_used_bytes: 0, mem_total_bytes: null };
    const byDevice = (t: number) => Object.fromEntries(rows.filter((r) => r.time === t).map((r) => [r.device, r]));
    expect(byDevice(t0)).toEqual({
      [h100]: { time: t0, device: h100, ...tags, ...h100Fields, energy_j: 0 },
      [mig]: { time: t0, device: mig, ...tags, ...migFields, energy_j: 0 },
      [p100]: { time: t0, device: p100, ...tags, ...p100Fields, energy_j: 0 },
    });
    // Energy integrates power over the 10 s between the samples (trapezoid rule).
    const second = byDevice(t1);
    expect(second[h100]).toEqual({ time: t1, device: h100, ...tags, ...h100Fields, energy_j: 6319.5 });
    expect(second[mig]!.energy_j).toBeCloseTo(4337.8, 9);
    expect(second[p100]!.energy_j).toBeCloseTo(281.6, 9);

    // The collector created the retention policies (raw is the default) and the downsampling queries.
    const policies = await influx.rows(DB, `SHOW RETENTION POLICIES ON ${DB}`);
    expect(policies.map((p) => [p.name, p.default])).toEqual(expect.arrayContaining([['raw', true], ['minute', false], ['hour', false]]));
    const cqs = (await influx.query('', 'SHOW CONTINUOUS QUERIES'))[0]!.series!.find((s) => s.name === DB)!;
    expect(cqs.values.map((v) => v[0])).toEqual(expect.arrayContaining(['powersite_minute_gpu', 'powersite_hour_gpu']));

    const messages = await influx.rows(DB, 'SELECT seq, devices, interval_s FROM agent_message ORDER BY time');
    expect(messages.map((m) => [m.seq, m.devices, m.interval_s])).toEqual([
      [0, 3, 10],
      [1, 3, 10],
    ]);

    // /metrics while the agent is still online (a clean stop marks its devices stale).
    const text = await scrape(collector.metricsUrl);
    const site = { site: 'it-site', workload: 'hpc' };
    expect(metricValue(text, 'powersite_power_watts', site)).toBeCloseTo(631.95 + 433.78 + 28.16, 9);
    // MIG reports no utilisation: the mean is over the H100 (1.0) and the P100 (0.0).
    expect(metricValue(text, 'powersite_gpu_utilization_ratio', site)).toBe(0.5);
    expect(metricValue(text, 'powersite_energy_joules_total', site)).toBeCloseTo((631.95 + 433.78 + 28.16) * 10 * 2, 6);
    expect(metricValue(text, 'powersite_energy_joules_total', { site: 'it-site', workload: 'mining' })).toBe(0);
    expect(metricValue(text, 'powersite_devices', { ...site, kind: 'gpu', state: 'up' })).toBe(3);
    expect(metricValue(text, 'powersite_devices', { ...site, kind: 'gpu', state: 'down' })).toBe(0);
    // 6 GPU + 2 agent_message points, plus 5 per economics tick that may have run (economics, power per workload; site_power).
    const written = metricValue(text, 'powersite_collector_points_written_total', {})!;
    expect(written).toBeGreaterThanOrEqual(8);
    expect((written - 8) % 5).toBe(0);
    expect(metricValue(text, 'powersite_collector_sequence_gaps_total', { site: 'it-site' })).toBe(0);
    expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'schema' })).toBe(0);
    const health = await fetch(collector.metricsUrl.replace('/metrics', '/healthz'));
    expect(health.status).toBe(200);

    // The economics history: 3 GPUs rented at the default $2/GPU-hour (reserved) over 1,093.89 W.
    const economics = await eventually(async () => (await influx.rows(DB, "SELECT * FROM economics WHERE workload = 'hpc' AND power_w > 0 ORDER BY time DESC LIMIT 1"))[0]);
    expect(economics).toMatchObject({ site: 'it-site', workload: 'hpc', collector: 'it-collector', revenue_usd_per_hour: 6, energy_cost_usd_per_mwh: 45 });
    expect(economics.power_w).toBeCloseTo(1093.89, 9);
    expect(economics.revenue_usd_per_mwh).toBeCloseTo(6 / 0.00109389, 6);
    expect(economics.margin_usd_per_mwh).toBeCloseTo(6 / 0.00109389 - 45, 6);
    // The amounts per interval add up to what the counters advanced by: energy of both messages.
    const sums = await eventually(async () => {
      const r = (await influx.rows(DB, "SELECT sum(energy_j) AS energy_j, sum(revenue_usd) AS revenue_usd FROM economics WHERE workload = 'hpc'"))[0];
      return r && Math.abs((r.energy_j as number) - 1093.89 * 20) < 1e-6 ? r : undefined;
    });
    expect(sums.revenue_usd).toBeCloseTo(6 * (20 / 3600), 9);
    // Each message record carries its own accounts (idempotent: a redelivery rewrites, never adds):
    // 1,093.89 W × 10 s per message, $6/h × 10 s, and energy at the default 45 USD/MWh.
    const accounts = await influx.rows(DB, 'SELECT hpc_energy_j, hpc_revenue_usd, hpc_energy_cost_usd, mining_energy_j FROM agent_message ORDER BY time');
    expect(accounts).toHaveLength(2);
    for (const a of accounts) {
      expect(a.hpc_energy_j).toBeCloseTo(10938.9, 6);
      expect(a.hpc_revenue_usd).toBeCloseTo(6 / 360, 12);
      expect(a.hpc_energy_cost_usd).toBeCloseTo((10938.9 / 3.6e9) * 45, 12);
      // A GPU host has no mining devices: no mining fields at all.
      expect(a.mining_energy_j).toBeNull();
    }

    await agent.stop();
    const after = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_devices', { ...site, kind: 'gpu', state: 'stale' }) === 3 ? t : undefined;
    });
    expect(metricValue(after, 'powersite_power_watts', site)).toBe(0);
  });

  it('keeps seq and energy counters across an agent restart, and leaves a retained offline status', async () => {
    const agent = new Agent(agentConfig(), { logger: silentLogger() });
    await agent.start();
    await agent.cycle(t1 + 10_000);
    await agent.stop();
    const row = await eventually(async () => (await influx.rows(DB, `SELECT energy_j FROM gpu WHERE device = '${h100}' AND time = ${t1 + 10_000}ms`))[0]);
    expect(row.energy_j).toBe(6319.5 * 2);
    const seqs = await influx.rows(DB, 'SELECT seq FROM agent_message ORDER BY time');
    expect(seqs.map((m) => m.seq)).toEqual([0, 1, 2]);

    const observer = await mqtt.connectAsync(mosquitto.url, { clientId: 'it-observer' });
    const status = await new Promise<Record<string, unknown>>((resolve) => {
      observer.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString())));
      void observer.subscribeAsync('powersite/v1/it-site/gpu-host-1/status');
    });
    await observer.endAsync();
    expect(status).toMatchObject({ v: 1, site: 'it-site', host: 'gpu-host-1', state: 'offline', reason: 'shutdown' });
  });

  it('rebuilds every agent\'s status from the broker\'s retained messages after a collector restart', async () => {
    // A second host still online beside the one that shut down.
    const online = await mqtt.connectAsync(mosquitto.url, { clientId: 'it-online-host' });
    await online.publishAsync('powersite/v1/it-site/gpu-host-9/status', JSON.stringify({ v: 1, site: 'it-site', host: 'gpu-host-9', state: 'online', ts: Date.now() }), { qos: 1, retain: true });
    await eventually(async () => metricValue(await scrape(collector.metricsUrl), 'powersite_agent_up', { site: 'it-site', host: 'gpu-host-9' }) === 1);
    await collector.stop();
    collector = await startCollector({
      mqtt: { url: mosquitto.url, client_id: 'it-collector' },
      influx: { url: influx.url, database: DB, flush_interval: '200ms', economics_interval: '1s' },
    });
    // No telemetry since the restart: both hosts known from their retained status alone, by name.
    const text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_agent_up', { site: 'it-site', host: 'gpu-host-9' }) === 1 ? t : undefined;
    });
    expect(metricValue(text, 'powersite_agent_up', { site: 'it-site', host: 'gpu-host-1' })).toBe(0);
    await online.publishAsync('powersite/v1/it-site/gpu-host-9/status', '', { qos: 1, retain: true });
    await online.endAsync();
  });

  it('rejects and counts a spoofed and a malformed message while valid traffic flows', async () => {
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: 'it-intruder' });
    const valid = { v: 1, site: 'it-site', host: 'gpu-host-2', seq: 0, ts: Date.now(), interval_s: 10, devices: [] };
    await client.publishAsync('powersite/v1/it-site/gpu-host-2/telemetry', JSON.stringify({ ...valid, host: 'gpu-host-1' }), { qos: 1 });
    await client.publishAsync('powersite/v1/it-site/gpu-host-2/telemetry', '{"v":1,', { qos: 1 });
    await client.publishAsync('powersite/v1/it-site/gpu-host-2/telemetry', JSON.stringify(valid), { qos: 1 });
    await client.endAsync();
    const text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_collector_messages_total', { result: 'rejected', reason: 'bad_json' }) === 1 ? t : undefined;
    });
    expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'topic_mismatch' })).toBe(1);
    await eventually(async () => (await influx.rows(DB, "SELECT seq FROM agent_message WHERE host = 'gpu-host-2'")).length === 1);
  });
});
