/**
 * The machine's own limits, measured in the same run as the collector: Mosquitto draining the
 * messages to `mosquitto_sub` (the broker and a C client doing nothing with them), and InfluxDB
 * taking the same points as pre-built line protocol over plain HTTP.
 */
import { spawn } from 'node:child_process';
import { requireBinary, type InfluxHandle, type MosquittoHandle } from '../test/harness/index.js';
import { postLines } from '../collector/store/http-write.js';
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

/** (b) The same points POSTed as pre-built line protocol in batches, `inFlight` at a time, then counted exactly. */
export async function influxLimit(influx: InfluxHandle, traffic: Traffic, database: string, batchPoints: number, inFlight: number): Promise<Timed> {
  await influx.createDatabase(database);
  // The collectors get their database and first shard before the clock starts: so does this.
  await influx.write(database, `agent_message,site=${traffic.site},host=${WARMUP_HOST} seq=0 ${traffic.messages[0]!.message.ts}000000`);
  const batches = lineProtocolBatches(traffic, batchPoints);
  const target = { store: 'InfluxDB', url: `${influx.url}/write?db=${database}&precision=ns`, headers: {}, timeoutMs: 60_000 };
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) await postLines(target, batches[next++]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, count: await countPoints(influx, database) };
}

/** Every point of the bench's traffic in `database` (not the collectors' warm-up): device points plus the message records. */
export async function countPoints(influx: InfluxHandle, database: string): Promise<number> {
  const where = ` WHERE host != '${WARMUP_HOST}'`;
  const rows = await influx.rows(database, `SELECT count(up) FROM asic, gpu${where}`);
  const messages = await influx.rows(database, `SELECT count(seq) FROM agent_message${where}`);
  const devices = rows.reduce((sum, r) => sum + Number(r.count ?? 0), 0);
  return devices + Number(messages[0]?.count ?? 0);
}

/** Points InfluxDB has stored in `database` so far (all policies), from its own shard statistics: cheap enough to poll. */
export async function storedPoints(influx: InfluxHandle, database: string): Promise<number> {
  const vars = (await (await fetch(`${influx.url}/debug/vars`)).json()) as Record<string, { name?: string; tags?: Record<string, string>; values?: Record<string, number> }>;
  let sum = 0;
  for (const stat of Object.values(vars)) {
    if (stat?.name === 'shard' && stat.tags?.database === database) sum += stat.values?.writePointsOk ?? 0;
  }
  return sum;
}
