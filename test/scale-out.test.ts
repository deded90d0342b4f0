// Several collectors share one subscription ($share/<group>/...) on a real Mosquitto: each message
// is written once, the fleet totals summed on a real Prometheus equal a single collector's, and a
// collector killed with -9 loses nothing.
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { freePort, startInflux, startMosquitto, startPrometheus, sampleValue, type InfluxHandle, type MosquittoHandle, type PrometheusHandle } from './harness/index.js';
import { collectorProcess, type CollectorProcess } from './support/collector-process.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let prometheus: PrometheusHandle;
let dir: string;
let solo: Collector;
let pairA: Collector;
let pairB: CollectorProcess;
const ports = { solo: 0, pairA: 0, pairB: 0 };

const economics = {
  energy: { price_usd_per_mwh: 50 },
  bitcoin: { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03 },
};
const collectorConfig = (name: string, db: string, group?: string) => ({
  mqtt: { url: mosquitto.url, client_id: name, reconnect_period: '200ms', ...(group ? { share_group: group } : {}) },
  influx: { url: influx.url, database: db, flush_interval: '100ms' },
  economics,
});

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto({ persistence: true }), startInflux()]);
  dir = await mkdtemp(join(tmpdir(), 'powersite-scale-'));
  ports.solo = await freePort();
  ports.pairA = await freePort();
  ports.pairB = await freePort();
  solo = new Collector(CollectorConfig.parse({ ...collectorConfig('solo', 'solo'), http: { host: '127.0.0.1', port: ports.solo } }), silentLogger());
  pairA = new Collector(CollectorConfig.parse({ ...collectorConfig('pairA', 'pair', 'pair'), http: { host: '127.0.0.1', port: ports.pairA } }), silentLogger());
  pairB = await collectorProcess(dir, 'pairB', collectorConfig('pairB', 'pair', 'pair'), ports.pairB);
  await Promise.all([solo.start(), pairA.start(), pairB.start()]);
  await eventually(() => solo.connected && pairA.connected);
  prometheus = await startPrometheus({ scrapeTargets: Object.values(ports).map((p) => `127.0.0.1:${p}`), scrapeInterval: '1s' });
});

afterAll(async () => {
  await Promise.all([solo?.stop(), pairA?.stop(), pairB?.stop()]);
  await Promise.all([mosquitto?.stop(), influx?.stop(), prometheus?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function agents(): Agent[] {
  const make = (host: string, source: Record<string, unknown>) =>
    new Agent(AgentConfig.parse({ site: 'scale', host, interval: '500ms', state_dir: join(dir, host), mqtt: { url: mosquitto.url, reconnect_period: '200ms' }, sources: [source] }), { logger: silentLogger() });
  return [
    make('row1', { type: 'simulated', workload: 'mining', kind: 'asic', devices: 20, power_w: 3250, hashrate_hs: 110e12, jitter: 0.05 }),
    make('row2', { type: 'simulated', workload: 'mining', kind: 'asic', devices: 20, power_w: 3500, hashrate_hs: 200e12, jitter: 0.05 }),
    make('gpu1', { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 8, power_w: 650, utilization: 0.9, model: 'NVIDIA H100 80GB HBM3' }),
    make('gpu2', { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 8, power_w: 600, utilization: 0.7, model: 'NVIDIA H100 80GB HBM3' }),
  ];
}

const runFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sentOf = (fleet: Agent[]) => fleet.reduce((n, a) => n + (a as unknown as { seq: number }).seq, 0);

/** A fresh fleet, started and sampling; `sent()`: the messages it has made since. */
async function runningFleet(): Promise<{ fleet: Agent[]; sent: () => number }> {
  const fleet = agents();
  for (const a of fleet) await a.start();
  const startSeq = sentOf(fleet);
  for (const a of fleet) a.run();
  return { fleet, sent: () => sentOf(fleet) - startSeq };
}

const written = async (db: string) => Number((await influx.rows(db, 'SELECT count(seq) FROM agent_message'))[0]?.count ?? 0);

describe('shared subscription', () => {
  it('writes each message once and the summed counters equal a single collector\'s', async () => {
    const { fleet, sent: sentSince } = await runningFleet();
    await runFor(4000);
    for (const a of fleet) await a.stop();
    const sent = sentSince();
    expect(sent).toBeGreaterThan(20);
    await eventually(async () => (await written('pair')) === sent && (await written('solo')) === sent);

    // Both halves of the pair did work.
    const a = metricValue(await scrape(pairA.metricsUrl), 'powersite_collector_lag_seconds_count', {})!;
    const b = metricValue(await scrape(pairB.metricsUrl), 'powersite_collector_lag_seconds_count', {})!;
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a + b).toBe(sent);
    // Each member sees only part of every host's sequence: that is not loss, and is not counted as gaps.
    expect(metricValue(await scrape(pairA.metricsUrl), 'powersite_collector_sequence_gaps_total', { site: 'scale' })).toBeUndefined();
    expect(metricValue(await scrape(solo.metricsUrl), 'powersite_collector_sequence_gaps_total', { site: 'scale' })).toBe(0);

    // Prometheus: the pair's summed counters equal the solo collector's, per workload.
    for (const metric of ['powersite_energy_joules_total', 'powersite_revenue_usd_total', 'powersite_energy_cost_usd_total']) {
      const query = (instances: string) => `sum by (workload) (${metric}{instance=~"${instances}"})`;
      const soloInstance = `127.0.0.1:${ports.solo}`;
      const pairInstances = `127.0.0.1:(${ports.pairA}|${ports.pairB})`;
      await prometheus.waitFor(query(soloInstance), (r) => r.length === 2 && r.every((s) => sampleValue(s) > 0), 30_000);
      const fromSolo = await eventually(async () => {
        const [s, p] = await Promise.all([prometheus.query(query(soloInstance)), prometheus.query(query(pairInstances))]);
        const by = (rows: typeof s) => Object.fromEntries(rows.map((r) => [r.metric.workload, sampleValue(r)]));
        const bs = by(s);
        const bp = by(p);
        const same = ['mining', 'hpc'].every((w) => bs[w] !== undefined && Math.abs(bs[w]! - (bp[w] ?? 0)) <= 1e-9 * bs[w]!);
        return same ? bs : undefined;
      });
      expect(fromSolo.mining).toBeGreaterThan(0);
    }
  });

  it('a collector killed with -9 loses nothing: its share is written once it is back', async () => {
    const before = { pair: await written('pair'), solo: await written('solo') };
    const { fleet, sent: sentSince } = await runningFleet();
    await runFor(2000);
    await pairB.kill9();
    await runFor(2000);
    await pairB.start();
    await runFor(1000);
    for (const a of fleet) await a.stop();
    const sent = sentSince();
    await eventually(async () => (await written('pair')) - before.pair === sent, 30_000);
    expect((await written('solo')) - before.solo).toBe(sent);
  });

  it('resends after a failover during a database outage may be counted by both members: drift measured and bounded; agent_message stays exact', async () => {
    const pairUrls = [pairA.metricsUrl, pairB.metricsUrl];
    const sumOf = async (read: (t: string) => number) => (await Promise.all(pairUrls.map(async (u) => read(await scrape(u))))).reduce((a, b) => a + b, 0);
    const energyIn = (t: string) => ['mining', 'hpc'].reduce((n, w) => n + (metricValue(t, 'powersite_energy_joules_total', { site: 'scale', workload: w }) ?? 0), 0);
    const committed = (t: string) => metricValue(t, 'powersite_collector_lag_seconds_count', {}) ?? 0;
    const ignored = (t: string) => metricValue(t, 'powersite_collector_duplicate_messages_total', {}) ?? 0;
    const truth = async (db: string) => {
      const [row] = await influx.rows(db, "SELECT sum(mining_energy_j) AS m, sum(hpc_energy_j) AS h, count(seq) AS n FROM agent_message WHERE site = 'scale'");
      return { energy: Number(row?.m ?? 0) + Number(row?.h ?? 0), messages: Number(row?.n ?? 0) };
    };
    const soloEnergy = async () => energyIn(await scrape(solo.metricsUrl));
    // Both stores hold everything so far (the pair's counters differ from them by what the kill -9 reset).
    await eventually(async () => (await written('pair')) === (await written('solo')));
    const before = { pair: (await sumOf(energyIn)) - (await truth('pair')).energy, solo: (await soloEnergy()) - (await truth('solo')).energy, committed: await sumOf(committed), ignored: await sumOf(ignored), messages: (await truth('pair')).messages };

    // InfluxDB stops, so the collectors hold a backlog unconfirmed; then a failover to an empty
    // broker: sessions are gone, every agent sends what was not confirmed again, and the share
    // group hands each resend to either member, the one holding it or the other.
    const { fleet, sent: sentSince } = await runningFleet();
    await runFor(1000);
    await influx.halt();
    await runFor(1500);
    await mosquitto.kill9();
    await unlink(join(mosquitto.dir, 'mosquitto.db')).catch(() => {});
    await mosquitto.start();
    await runFor(1500);
    await influx.start();
    await runFor(1000);
    for (const a of fleet) await a.stop({ drainMs: 15_000 });

    // The pair stored every message (the single collector may miss some: a message the pair
    // confirmed leaves the spools, so a copy the failover took from the broker's queue for the
    // single collector is not sent again: one confirmation topic serves one group of collectors).
    const sent = sentSince();
    await eventually(async () => (await truth('pair')).messages - before.messages === sent, 30_000);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    const soloExact = async () => close((await soloEnergy()) - (await truth('solo')).energy, before.solo);
    await eventually(soloExact, 30_000);
    await runFor(1000);
    // The single collector saw every resend itself and ignored it: its counters equal its store.
    expect(await soloExact()).toBe(true);
    // The pair: a resend that reached the member that had not stored it is counted there too, so
    // the summed counters may exceed the truth, by at most the resends neither member recognised.
    const t = await truth('pair');
    const stored = t.messages - before.messages;
    const resends = (await sumOf(committed)) - before.committed - stored;
    const recognised = (await sumOf(ignored)) - before.ignored;
    const drift = (await sumOf(energyIn)) - t.energy - before.pair;
    // A message's accounts are at most its largest mining part plus its largest HPC part.
    const [max] = await influx.rows('pair', "SELECT max(mining_energy_j) AS m, max(hpc_energy_j) AS h FROM agent_message WHERE site = 'scale'");
    const largest = Number(max?.m ?? 0) + Number(max?.h ?? 0);
    process.stdout.write(`shared subscription, failover: ${stored} messages stored, ${resends} committed again (${recognised} recognised by the same member); summed counters drifted by ${Math.round(drift)} J, ${(drift / (t.energy / t.messages)).toFixed(1)} messages' worth\n`);
    expect(drift).toBeGreaterThanOrEqual(-1e-6 * t.energy);
    expect(drift).toBeLessThanOrEqual((resends - recognised) * largest + 1e-6 * t.energy);
    // The accounts each stored message carries are the truth, whichever member stored it, however
    // often: one point per message sent.
    expect(stored).toBe(sent);
  });
});
