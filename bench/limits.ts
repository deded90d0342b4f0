/**
 * The machine's own limits, measured in the same run as the collector: Mosquitto draining the
 * messages to `mosquitto_sub` (the broker and a C client doing nothing with them), and InfluxDB
 * taking the same points as pre-built line protocol over plain HTTP.
 */
import { spawn } from 'node:child_process';
import { requireBinary, sampleValue, type InfluxHandle, type MosquittoHandle, type VictoriaHandle } from '../test/harness/index.js';
import { postLines, StoreWriteError } from '../collector/store/http-write.js';
import { publishAll } from './publish.js';
import { lineProtocolBatches, WARMUP_HOST, type Traffic } from './traffic.js';

export interface Timed {
  seconds: number;
  /** What was counted at the end, checked against what was sent. */
  count: number;
}

function run(command: string, args: string[]): { done: Promise<string> } {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    done: new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (code === 0 ? resolve(stderr) : reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stderr}`))));
    }),
  };
}

/**
 * (a) From the first publish until `mosquitto_sub` has received every message at QoS 1. Its
 * persistent session is made first, so nothing is lost before it subscribes.
 */
export async function drainLimit(mosquitto: MosquittoHandle, traffic: Traffic, id: string): Promise<Timed> {
  const sub = requireBinary('mosquitto_sub');
  const base = ['-h', '127.0.0.1', '-p', String(mosquitto.port), '-q', '1', '-c', '-i', id, '-t', `powersite/v1/${traffic.site}/+/telemetry`];
  await run(sub, [...base, '-E']).done;
  const t0 = performance.now();
  const drained = run(sub, [...base, '-C', String(traffic.messages.length), '-W', '600']).done;
  await publishAll(mosquitto.url, traffic, `${id}-pub`);
  await drained;
  return { seconds: (performance.now() - t0) / 1000, count: traffic.messages.length };
}

/**
 * A store as the bench counts it: a cheap running total to poll (the store's own statistics, which
 * may also count points that are not the traffic's), and an exact count of the traffic's data.
 */
export interface StoreCounter {
  /** The collector config section that writes this store. */
  config: Record<string, unknown>;
  taken(): Promise<number>;
  /** How far `taken` advances for the whole traffic. */
  expectedTaken: number;
  exact(): Promise<number>;
  /** What `exact` returns once everything is stored. */
  expected: number;
}

/** (b) The same points POSTed as pre-built line protocol in batches, `inFlight` at a time, then counted exactly. */
async function rawLimit(url: string, store: StoreCounter, traffic: Traffic, batchPoints: number, inFlight: number): Promise<Timed> {
  const batches = lineProtocolBatches(traffic, batchPoints);
  const target = { store: 'bench', url, headers: {}, timeoutMs: 120_000 };
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      // As the collector does: a 5xx (InfluxDB's own write timeout under load) is retried; the
      // same points again are the same points.
      for (let attempt = 1; ; attempt++) {
        try {
          await postLines(target, batch);
          break;
        } catch (err) {
          if (!(err instanceof StoreWriteError && err.status >= 500) || attempt >= 10) throw err;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, count: await store.exact() };
}

export async function influxLimit(influx: InfluxHandle, traffic: Traffic, database: string, batchPoints: number, inFlight: number): Promise<Timed> {
  await influx.createDatabase(database);
  // The collectors get their database and first shard before the clock starts: so does this.
  await influx.write(database, `agent_message,site=${traffic.site},host=${WARMUP_HOST} seq=0 ${traffic.messages[0]!.message.ts}000000`);
  return rawLimit(`${influx.url}/write?db=${database}&precision=ns`, influxCounter(influx, database, traffic), traffic, batchPoints, inFlight);
}

export function victoriaLimit(victoria: VictoriaHandle, traffic: Traffic, batchPoints: number, inFlight: number): Promise<Timed> {
  return rawLimit(`${victoria.url}/write?precision=ns`, victoriaCounter(victoria, traffic), traffic, batchPoints, inFlight);
}

export function influxCounter(influx: InfluxHandle, database: string, traffic: Traffic): StoreCounter {
  return {
    config: { influx: { url: influx.url, database } },
    taken: () => storedPoints(influx, database),
    expectedTaken: traffic.points,
    exact: () => countPoints(influx, database),
    expected: traffic.points,
  };
}

/** VictoriaMetrics stores one sample per numeric or boolean field (strings are not kept). */
export function victoriaCounter(victoria: VictoriaHandle, traffic: Traffic): StoreCounter {
  const last = traffic.messages.reduce((max, m) => Math.max(max, m.message.ts), 0);
  return {
    config: { victoriametrics: { url: victoria.url } },
    taken: async () => {
      const text = await (await fetch(`${victoria.url}/metrics`)).text();
      return Number(/^vm_rows_inserted_total\{type="influx"\} (\S+)$/m.exec(text)?.[1] ?? 0);
    },
    expectedTaken: traffic.samples,
    exact: async () => {
      await victoria.flush();
      const window = Math.ceil((last - traffic.messages[0]!.message.ts) / 1000) + 60;
      const match = `site="${traffic.site}",host!="${WARMUP_HOST}"`;
      const devices = `sum(count_over_time({${match},__name__!~"agent_message_.*"}[${window}s]))`;
      const result = await victoria.query(`${devices} + sum(count_over_time(agent_message_seq{${match}}[${window}s]))`, last + 1000);
      return result[0] ? sampleValue(result[0]) : 0;
    },
    expected: traffic.samples,
  };
}

/** Every point of the bench's traffic in `database` (not the collectors' warm-up): device points plus the message records. */
export async function countPoints(influx: InfluxHandle, database: string): Promise<number> {
  const where = ` WHERE host != '${WARMUP_HOST}'`;
  const rows = await influx.rows(database, `SELECT count(up) FROM asic, gpu${where}`);
  const messages = await influx.rows(database, `SELECT count(seq) FROM agent_message${where}`);
  const devices = rows.reduce((sum, r) => sum + Number(r.count ?? 0), 0);
  return devices + Number(messages[0]?.count ?? 0);
}

/**
 * Points InfluxDB has stored in `database`'s default policy so far, from its own shard statistics:
 * cheap enough to poll. Other policies are left out: the downsampling queries write there.
 */
export async function storedPoints(influx: InfluxHandle, database: string): Promise<number> {
  const vars = (await (await fetch(`${influx.url}/debug/vars`)).json()) as Record<string, { name?: string; tags?: Record<string, string>; values?: Record<string, number> }>;
  let sum = 0;
  for (const stat of Object.values(vars)) {
    const rp = stat?.tags?.retentionPolicy;
    if (stat?.name === 'shard' && stat.tags?.database === database && (rp === 'raw' || rp === 'autogen')) sum += stat.values?.writePointsOk ?? 0;
  }
  return sum;
}
