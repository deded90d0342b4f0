/**
 * The collector against the machine's own limits, all measured in one run on the same services:
 * per traffic mix, the drain limit (mosquitto_sub), the InfluxDB limit (raw line protocol), the
 * collector with InfluxDB, without it, and two collectors on one shared subscription; then the
 * end-to-end latency at a steady rate. Every run's count is checked exactly.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { InfluxConfig } from '../collector/config.js';
import { startInflux, startMosquitto, startVictoria } from '../test/harness/index.js';
import { collectorLatency, collectorThroughput, type Latency } from './collector-runs.js';
import { drainLimit, influxCounter, influxLimit, victoriaCounter, victoriaLimit, type StoreCounter, type Timed } from './limits.js';
import { buildTraffic, DEVICES_PER_MESSAGE, type Mix, type Traffic } from './traffic.js';

export interface BenchOptions {
  messages: number;
  runs: number;
  mixes: Mix[];
  latencyPerSecond: number;
  latencySeconds: number;
  /** Progress lines. */
  log: (line: string) => void;
}

export const FULL: Omit<BenchOptions, 'log'> = { messages: 10_000, runs: 3, mixes: ['miners', 'gpus'], latencyPerSecond: 1000, latencySeconds: 10 };
export const SMOKE: Omit<BenchOptions, 'log'> = { messages: 300, runs: 1, mixes: ['miners', 'gpus'], latencyPerSecond: 50, latencySeconds: 2 };

export const CASES = ['drain', 'influx_raw', 'collector_influx', 'collector_metrics_only', 'two_collectors_influx', 'victoria_raw', 'collector_victoria'] as const;
export type Case = (typeof CASES)[number];

/** One measurement: what it moved, in how long, and (collectors) their CPU and memory. */
export interface Sample {
  seconds: number;
  /** Messages (drain, metrics only) or points (InfluxDB) counted at the end: always exactly what was sent. */
  count: number;
  expected: number;
  cpuSeconds?: number;
  rssMb?: number;
}

export interface BenchResult {
  machine: { cpu: string; cores: number; memoryGb: number; node: string; date: string; loadAtStart: number[] };
  options: Omit<BenchOptions, 'log'>;
  samples: Record<Mix, Record<Case, Sample[]>>;
  latency: Latency[];
}

const DEFAULT_INFLUX = InfluxConfig.parse({});

export async function collectorBench(options: BenchOptions): Promise<BenchResult> {
  const { log } = options;
  const result: BenchResult = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: totalmem() / 2 ** 30, node: process.version, date: new Date().toISOString(), loadAtStart: loadavg() },
    options: { messages: options.messages, runs: options.runs, mixes: options.mixes, latencyPerSecond: options.latencyPerSecond, latencySeconds: options.latencySeconds },
    samples: {} as BenchResult['samples'],
    latency: [],
  };
  const [mqtt, influx, victoria] = await Promise.all([startMosquitto(), startInflux(), startVictoria()]);
  // Generous: on a loaded machine a run may crawl, and the bench must still finish and count.
  const timeoutMs = Math.max(300_000, options.messages * 200);
  const { batch_points: batch, max_writes_in_flight: inFlight } = DEFAULT_INFLUX;
  try {
    for (let r = 1; r <= options.runs; r++) {
      for (const mix of options.mixes) {
        const samples = (result.samples[mix] ??= Object.fromEntries(CASES.map((c) => [c, []])) as unknown as Record<Case, Sample[]>);
        // Timestamps within the last day, so InfluxDB's raw retention keeps them.
        const start = Date.now() - 86_400_000 / 2;
        /** Each case gets its own site (and database), so no earlier session or series sees its traffic. */
        const measure = async (c: Case, run: (name: string, traffic: Traffic) => { expected: number; timed: Promise<Timed & { cpuSeconds?: number; rssMb?: number }> }) => {
          const name = `r${r}_${mix}_${c}`;
          const { expected, timed } = run(name, buildTraffic(mix, options.messages, name, start));
          const sample = { ...(await timed), expected };
          if (sample.count !== expected) throw new Error(`bench ${name}: counted ${sample.count}, sent ${expected}`);
          samples[c].push(sample);
          log(`${name}: ${sample.seconds.toFixed(2)} s, ${sample.count} counted`);
        };
        const collectors = (name: string, traffic: Traffic, collectors: number, store?: StoreCounter) => ({
          expected: store?.expected ?? traffic.messages.length,
          timed: collectorThroughput({ mqtt, store, name, collectors, timeoutMs }, traffic),
        });
        await measure('drain', (name, t) => ({ expected: t.messages.length, timed: drainLimit(mqtt, t, name) }));
        await measure('influx_raw', (name, t) => ({ expected: t.points, timed: influxLimit(influx, t, name, batch, inFlight) }));
        await measure('collector_influx', (name, t) => collectors(name, t, 1, influxCounter(influx, name, t)));
        await measure('collector_metrics_only', (name, t) => collectors(name, t, 1));
        await measure('two_collectors_influx', (name, t) => collectors(name, t, 2, influxCounter(influx, name, t)));
        await measure('victoria_raw', (_name, t) => ({ expected: t.samples, timed: victoriaLimit(victoria, t, batch, inFlight) }));
        await measure('collector_victoria', (name, t) => collectors(name, t, 1, victoriaCounter(victoria, t)));
      }
      const name = `r${r}_latency`;
      const latency = await collectorLatency({ mqtt, store: influxCounter(influx, name, buildTraffic('miners', 0, name, 0)), name, collectors: 1, timeoutMs }, options.latencyPerSecond, options.latencySeconds);
      const sent = options.latencyPerSecond * options.latencySeconds;
      if (latency.messages !== sent) throw new Error(`bench ${name}: ${latency.messages} messages observed, ${sent} sent`);
      result.latency.push(latency);
      log(`${name}: p50 ${latency.p50.toFixed(3)} s, p99 ${latency.p99.toFixed(3)} s over ${latency.messages} messages`);
    }
  } finally {
    await Promise.all([mqtt.stop(), influx.stop(), victoria.stop()]);
  }
  return result;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The Markdown table of a run: medians, device-samples per second, and the ratios to the limits of the same run. */
export function formatTable(result: BenchResult): string {
  const lines: string[] = [];
  const { machine, options } = result;
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(0)} GiB; Node ${machine.node}; ${machine.date.slice(0, 16).replace('T', ' ')} UTC; ` +
      `load average at start ${machine.loadAtStart.map((l) => l.toFixed(1)).join(' / ')}. ` +
      `${options.messages.toLocaleString('en-US')} messages per run, median of ${options.runs} run${options.runs > 1 ? 's' : ''}; Mosquitto, InfluxDB and the collectors on the same cores.`,
    '',
  );
  for (const mix of options.mixes) {
    const s = result.samples[mix];
    const perMessage = DEVICES_PER_MESSAGE[mix];
    // Device-samples per second: what the site sends, whichever way it is counted.
    const rate = (c: Case) => {
      const med = median(s[c].map((x) => x.seconds));
      return (options.messages * perMessage) / med;
    };
    const drain = rate('drain');
    const raw = rate('influx_raw');
    const limit = Math.min(drain, raw);
    const one = rate('collector_influx');
    const cpu = (c: Case) => median(s[c].map((x) => x.cpuSeconds ?? 0));
    const rss = (c: Case) => median(s[c].map((x) => x.rssMb ?? 0));
    const k = (v: number) => `${(v / 1000).toFixed(1)}k`;
    lines.push(
      `**${mix === 'miners' ? `${perMessage} miners` : `${perMessage} GPUs`} per message** (${(options.messages * (perMessage + 1)).toLocaleString('en-US')} points)`,
      '',
      '| run | device-samples/s | ratio | collector CPU s | collector RSS MB |',
      '|---|---|---|---|---|',
      `| (a) limit: Mosquitto → \`mosquitto_sub\` | ${k(drain)} | 1.00 of (a) | | |`,
      `| (b) limit: raw line protocol → InfluxDB, ${DEFAULT_INFLUX.batch_points}-point batches | ${k(raw)} | 1.00 of (b) | | |`,
      `| collector → InfluxDB, ack after write | ${k(one)} | **${(one / limit).toFixed(2)} of the limit** (min of a, b) | ${cpu('collector_influx').toFixed(1)} | ${rss('collector_influx').toFixed(0)} |`,
      `| collector, metrics only (no InfluxDB) | ${k(rate('collector_metrics_only'))} | **${(rate('collector_metrics_only') / drain).toFixed(2)} of (a)** | ${cpu('collector_metrics_only').toFixed(1)} | ${rss('collector_metrics_only').toFixed(0)} |`,
      `| two collectors, one shared subscription → InfluxDB | ${k(rate('two_collectors_influx'))} | ${(rate('two_collectors_influx') / one).toFixed(2)} of one collector | ${cpu('two_collectors_influx').toFixed(1)} | ${rss('two_collectors_influx').toFixed(0)} |`,
      `| (c) limit: raw line protocol → VictoriaMetrics | ${k(rate('victoria_raw'))} | ${(rate('victoria_raw') / raw).toFixed(2)} of (b) | | |`,
      `| collector → VictoriaMetrics, ack after write | ${k(rate('collector_victoria'))} | **${(rate('collector_victoria') / Math.min(drain, rate('victoria_raw'))).toFixed(2)} of the limit** (min of a, c) | ${cpu('collector_victoria').toFixed(1)} | ${rss('collector_victoria').toFixed(0)} |`,
      '',
    );
  }
  if (result.latency.length > 0) {
    lines.push(
      `End-to-end latency, sample timestamp → value on \`/metrics\` (after its points are stored in InfluxDB), ${options.latencyPerSecond.toLocaleString('en-US')} messages/s of 8 GPUs (a ~100 MW GPU site at a 10 s interval) for ${options.latencySeconds} s: ` +
        `p50 **${(median(result.latency.map((l) => l.p50)) * 1000).toFixed(0)} ms**, p99 **${(median(result.latency.map((l) => l.p99)) * 1000).toFixed(0)} ms** ` +
        '(interpolated within the buckets of `powersite_collector_lag_seconds`, as `histogram_quantile` does).',
      '',
    );
  }
  return lines.join('\n');
}
