/**
 * The collector as it runs in production, a `powersite collector` process per collector (so it
 * has its own event loop and cores), timed from the first publish to the last point counted in
 * InfluxDB (its shard statistics, then an exact count) or, without InfluxDB, to the last message
 * committed on /metrics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort, type MosquittoHandle } from '../test/harness/index.js';
import { collectorProcess, type CollectorProcess } from '../test/support/collector-process.js';
import { metricValue, scrape } from '../test/support/metrics.js';
import type { StoreCounter, Timed } from './limits.js';
import { publishAll, publishPaced } from './publish.js';
import { buildTraffic, WARMUP_HOST, type Traffic } from './traffic.js';

export interface CollectorRun {
  mqtt: MosquittoHandle;
  /** Where the collectors write and how that is counted; none: metrics only. */
  store?: StoreCounter;
  /** The run's own site and database: sessions of earlier runs never see its messages. */
  name: string;
  collectors: number;
  /** Time allowed for the whole run. */
  timeoutMs: number;
}

export interface CollectorResult extends Timed {
  /** Of the collector processes at the end, summed. */
  cpuSeconds: number;
  rssMb: number;
}

const accepted = async (c: CollectorProcess) => metricValue(await scrape(c.metricsUrl), 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' }) ?? 0;
// From /healthz: polled every 50 ms, rendering /metrics (thousands of series) would cost the
// collector a good part of a core, which Prometheus' 15 s scrapes never do.
const committed = async (c: CollectorProcess) => ((await (await fetch(c.metricsUrl.replace('/metrics', '/healthz'))).json()) as { messages_committed: number }).messages_committed;

async function startCollectors(run: CollectorRun, dir: string): Promise<CollectorProcess[]> {
  const collectors: CollectorProcess[] = [];
  try {
    await startAndWarm(run, dir, collectors);
  } catch (err) {
    // None may outlive a failed start: they would take later runs' messages.
    await Promise.all(collectors.map((c) => c.stop()));
    throw err;
  }
  return collectors;
}

async function startAndWarm(run: CollectorRun, dir: string, collectors: CollectorProcess[]): Promise<void> {
  for (let i = 0; i < run.collectors; i++) {
    const config = {
      mqtt: { url: run.mqtt.url, client_id: `${run.name}-${i}`, site: run.name, ...(run.collectors > 1 ? { share_group: run.name } : {}) },
      ...run.store?.config,
    };
    // BENCH_PROFILE=DIR: each collector writes a V8 CPU profile there when it stops.
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const c = await collectorProcess(dir, `${run.name}-${i}`, config, await freePort(), profile);
    collectors.push(c);
    await c.start();
  }
  // Connected is not yet subscribed: warm-up messages until every collector has committed one
  // (stored it, with InfluxDB), so what is counted from here on is the bench's traffic.
  const warm = await mqtt.connectAsync(run.mqtt.url, { clientId: `${run.name}-warmup` });
  try {
    const payload = (seq: number) => JSON.stringify({ v: 1, site: run.name, host: WARMUP_HOST, seq, ts: Date.now(), interval_s: 10, devices: [] });
    for (let seq = 0; !(await Promise.all(collectors.map(committed))).every((n) => n > 0); seq++) {
      if (seq > 100) throw new Error(`${run.name}: the collectors never committed a warm-up message`);
      await warm.publishAsync(`powersite/v1/${run.name}/${WARMUP_HOST}/telemetry`, payload(seq), { qos: 1 });
      // A write takes up to a flush interval: give each warm-up its time before sending another.
      for (let i = 0; i < 30 && (await Promise.all(collectors.map(committed))).some((n) => n === 0); i++) await new Promise((r) => setTimeout(r, 100));
    }
    // Warm-ups still being written would be counted as the bench's.
    await until(async () => (await Promise.all(collectors.map(async (c) => (await committed(c)) === (await accepted(c))))).every(Boolean), Date.now() + 30_000, `${run.name}: warm-ups committed`);
  } finally {
    await warm.endAsync();
  }
}

async function processFigures(collectors: CollectorProcess[]): Promise<{ cpuSeconds: number; rssMb: number }> {
  let cpuSeconds = 0;
  let rssMb = 0;
  for (const c of collectors) {
    const text = await scrape(c.metricsUrl);
    cpuSeconds += metricValue(text, 'process_cpu_seconds_total', {}) ?? 0;
    rssMb += (metricValue(text, 'process_resident_memory_bytes', {}) ?? 0) / 1e6;
  }
  return { cpuSeconds, rssMb };
}

async function until(check: () => Promise<boolean>, deadline: number, what: string): Promise<void> {
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not happen in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Throughput of `run.collectors` collectors carrying `traffic` (built for site `run.name`). */
export async function collectorThroughput(run: CollectorRun, traffic: Traffic): Promise<CollectorResult> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-bench-'));
  const collectors = await startCollectors(run, dir);
  try {
    const { store } = run;
    const total = async () => (await Promise.all(collectors.map(committed))).reduce((a, b) => a + b, 0);
    // Without a store a message is committed as it is accepted, so the warm-ups are all in here.
    const before = store ? await store.taken() : await total();
    const startCpu = (await processFigures(collectors)).cpuSeconds;
    const deadline = Date.now() + run.timeoutMs;
    const t0 = performance.now();
    await publishAll(run.mqtt.url, traffic, `${run.name}-pub`);
    if (store) {
      // The statistics are cheap but may count points that are not the traffic's: confirm exactly.
      await until(async () => (await store.taken()) - before >= store.expectedTaken, deadline, `${run.name}: ${store.expectedTaken} stored`);
      await until(async () => (await store.exact()) >= store.expected, deadline, `${run.name}: ${store.expected} counted`);
    } else {
      await until(async () => (await total()) - before >= traffic.messages.length, deadline, `${run.name}: every message committed`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const figures = await processFigures(collectors);
    const count = store ? await store.exact() : (await total()) - before;
    return { seconds, count, cpuSeconds: figures.cpuSeconds - startCpu, rssMb: figures.rssMb };
  } finally {
    await Promise.all(collectors.map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Latency {
  messages: number;
  p50: number;
  p99: number;
}

/** Quantile from cumulative histogram buckets, interpolated within the bucket as Prometheus' histogram_quantile does. */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number {
  const total = buckets.at(-1)?.count ?? 0;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerLe;
      return lowerLe + ((le - lowerLe) * (rank - lowerCount)) / Math.max(1, count - lowerCount);
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}

function lagBuckets(text: string): { le: number; count: number }[] {
  const buckets: { le: number; count: number }[] = [];
  for (const m of text.matchAll(/^powersite_collector_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
    buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) });
  }
  return buckets;
}

/**
 * Latency from a sample's timestamp to its value on /metrics: messages stamped as they are sent
 * at `perSecond`; the collector's lag histogram is observed the moment a message's values reach
 * /metrics (after its points are stored), so its quantiles are the path's.
 */
export async function collectorLatency(run: CollectorRun, perSecond: number, seconds: number): Promise<Latency> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-bench-'));
  const collectors = await startCollectors(run, dir);
  const c = collectors[0]!;
  try {
    const before = lagBuckets(await scrape(c.metricsUrl));
    // GPU servers' messages (8 GPUs each), re-stamped as they are sent: 1,000 a second is a
    // 10,000-server (~100 MW) GPU site at a 10 s interval.
    const template = buildTraffic('gpus', 100, run.name, Date.now());
    const sent = await publishPaced(
      run.mqtt.url,
      (n, ts) => {
        const { message, topic } = template.messages[n % template.messages.length]!;
        return { topic, payload: Buffer.from(JSON.stringify({ ...message, seq: n, ts })) };
      },
      perSecond,
      seconds,
      `${run.name}-pub`,
    );
    const deadline = Date.now() + run.timeoutMs;
    const target = (before.at(-1)?.count ?? 0) + sent;
    await until(async () => (await committed(c)) >= target, deadline, `${run.name}: every paced message committed`);
    const after = lagBuckets(await scrape(c.metricsUrl));
    const buckets = after.map((b, i) => ({ le: b.le, count: b.count - (before[i]?.count ?? 0) }));
    return { messages: buckets.at(-1)!.count, p50: histogramQuantile(0.5, buckets), p99: histogramQuantile(0.99, buckets) };
  } finally {
    await Promise.all(collectors.map((x) => x.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}
