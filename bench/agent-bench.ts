/**
 * The agent as deployed (its own process, the compiled build), polling fake miners on loopback or
 * reading a GPU host, beside Prometheus' node_exporter scraped at the same interval in the same
 * run: cycle time, CPU time per cycle and memory of each. The agent's cycle is read from its own
 * `cycle done` log lines; every cycle's devices are counted on the broker, all up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { freePort, requireBinary, startMosquitto, type MosquittoHandle } from '../test/harness/index.js';
import { FakeMinerServer } from '../test/fakes/cgminer-server.js';
import { fixtureList, installFakeNvidiaSmi } from '../test/fakes/fake-nvidia-smi.js';
import { unitEnvironment } from '../test/support/unit-environment.js';
import { asicFixture } from '../test/fixtures/asic/index.js';
import { median } from './collector-bench.js';
import { procFigures, type ProcFigures } from './proc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface AgentCase {
  label: string;
  /** Devices every cycle must report, all up. */
  devices: number;
  intervalS: number;
  cycles: number;
}

export interface AgentResult extends AgentCase {
  cycleMs: number;
  cpuSecondsPerCycle: number;
  peakRssMb: number;
  nodeExporter: { scrapeMs: number; cpuSecondsPerScrape: number; peakRssMb: number };
}

/**
 * `npm run build`'s output, made in a temp dir (the checkout's dist/ is left alone): what a
 * host runs. Without it (`built: false`) the agent runs from the sources through tsx.
 */
export async function buildAgent(): Promise<{ main: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-bench-build-'));
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dir, '--sourceMap', 'false']);
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { main: join(dir, 'cli/main.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** Scrapes node_exporter every interval while `during` runs; its figures per scrape. */
async function nodeExporterBeside<T>(intervalS: number, during: () => Promise<T>): Promise<{ result: T; figures: AgentResult['nodeExporter'] }> {
  const port = await freePort();
  const child = spawn(requireBinary('prometheus-node-exporter'), [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('node_exporter did not start');
      if (await fetch(url).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const durations: number[] = [];
    let first: ProcFigures | undefined;
    let stop = false;
    const scraping = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await (await fetch(url)).text();
        durations.push(performance.now() - t0);
        first ??= await procFigures(child.pid!);
        for (let waited = 0; waited < intervalS * 1000 && !stop; waited += 100) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const result = await during();
    stop = true;
    await scraping;
    const last = await procFigures(child.pid!);
    // The first scrape warms node_exporter up: per-scrape CPU counts the ones after it.
    const cpu = durations.length > 1 ? (last.cpuSeconds - first!.cpuSeconds) / (durations.length - 1) : last.cpuSeconds;
    return { result, figures: { scrapeMs: median(durations.slice(1).length ? durations.slice(1) : durations), cpuSecondsPerScrape: cpu, peakRssMb: last.peakRssMb } };
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
}

/** Runs `powersite agent` with `sources` for `c.cycles` cycles; checks every cycle carried `c.devices` devices, all up. */
async function agentRun(mosquitto: MosquittoHandle, c: AgentCase, sources: unknown[], main: string | undefined, env: Record<string, string>): Promise<Omit<AgentResult, keyof AgentCase | 'nodeExporter'>> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-bench-agent-'));
  const host = `agent-${c.devices}`;
  const file = join(dir, 'agent.yaml');
  await mkdir(join(dir, 'state'));
  // No collector here to confirm: the broker's PUBACK releases the spool, as confirmations would.
  // (Left to `release: collector`, the 5,000-miner case outlives the 60 s confirm_timeout and
  // counts every resent message twice.)
  await writeFile(file, stringify({ site: 'benchagent', host, interval: `${c.intervalS}s`, state_dir: join(dir, 'state'), mqtt: { url: mosquitto.url }, spool: { release: 'broker' }, sources }));
  // Every device of every cycle, counted on the broker: up ones per sample time.
  const up = new Map<number, number>();
  const sub = await mqtt.connectAsync(mosquitto.url, { clientId: `bench-count-${host}` });
  sub.on('message', (_t, payload) => {
    const m = JSON.parse(payload.toString()) as { ts: number; devices: { up: boolean }[] };
    up.set(m.ts, (up.get(m.ts) ?? 0) + m.devices.filter((d) => d.up).length);
  });
  await sub.subscribeAsync(`powersite/v1/benchagent/${host}/telemetry`, { qos: 1 });
  const args = main ? [main, 'agent', '--config', file] : [join(ROOT, 'bin/powersite.js'), 'agent', '--config', file];
  // As the shipped unit runs it: its Environment= lines (the V8 flags) included.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...unitEnvironment('agent'), ...env, POWERSITE_LOG_LEVEL: 'debug' } });
  let log = '';
  const cycles: { ms: number; cpu: number }[] = [];
  let buffered = '';
  const done = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.includes('"cycle done"')) continue;
        const entry = JSON.parse(line) as { ts: number; time: number };
        // The CPU counter is read as the cycle ends; per-cycle CPU is the difference between cycles.
        void procFigures(child.pid!).then((p) => {
          cycles.push({ ms: entry.time - entry.ts, cpu: p.cpuSeconds });
          if (cycles.length === c.cycles) resolve();
        }, reject);
      }
    });
    child.on('exit', (code) => reject(new Error(`agent exited (${code}) after ${cycles.length} cycles: ${log.slice(-2000)}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGTERM'), (c.cycles + 2) * c.intervalS * 1000 + 180_000);
  try {
    await done;
    const figures = await procFigures(child.pid!);
    // The last cycle's messages may still be on their way.
    for (let i = 0; i < 300 && [...up.values()].filter((n) => n === c.devices).length < c.cycles; i++) await new Promise((r) => setTimeout(r, 100));
    const counts = [...up.values()];
    if (counts.length < c.cycles || counts.some((n) => n !== c.devices)) throw new Error(`${c.label}: devices up per cycle ${counts.join(', ')}, expected ${c.devices} each`);
    const ms = cycles.map((x) => x.ms);
    return { cycleMs: median(ms), cpuSecondsPerCycle: (cycles.at(-1)!.cpu - cycles[0]!.cpu) / Math.max(1, cycles.length - 1), peakRssMb: figures.peakRssMb };
  } finally {
    clearTimeout(timeout);
    child.kill('SIGTERM');
    await exited(child);
    await sub.endAsync();
    await rm(dir, { recursive: true, force: true });
  }
}

const ANTMINER = {
  replies: {
    version: '{"STATUS":[{"STATUS":"S","Code":22,"Description":"cgminer 1.0.0"}],"VERSION":[{"Type":"Antminer S19 Pro"}],"id":1}',
    summary: asicFixture('antminer-s19pro-bmminer-summary.json'),
    stats: asicFixture('antminer-s19pro-bmminer-stats.json'),
  },
};

export interface AgentBenchOptions {
  miners: { count: number; intervalS: number }[];
  gpuIntervalS: number;
  cycles: number;
  /** Run the compiled build (as deployed) rather than the sources through tsx. */
  built: boolean;
  log: (line: string) => void;
}

/** The issue's sizes: a 1,000-miner LAN at 10 s, a 5,000-miner one at the 30 s it must fit in, a GPU host at 10 s. */
export const AGENT_FULL: Omit<AgentBenchOptions, 'log'> = { miners: [{ count: 1000, intervalS: 10 }, { count: 5000, intervalS: 30 }], gpuIntervalS: 10, cycles: 4, built: true };
export const AGENT_SMOKE: Omit<AgentBenchOptions, 'log'> = { miners: [{ count: 50, intervalS: 3 }], gpuIntervalS: 5, cycles: 2, built: false };

export async function agentBench(options: AgentBenchOptions): Promise<AgentResult[]> {
  const mosquitto = await startMosquitto();
  const build = options.built ? await buildAgent() : undefined;
  const results: AgentResult[] = [];
  try {
    for (const { count, intervalS } of options.miners) {
      const fakes = new FakeMinerServer();
      try {
        const miners: string[] = [];
        for (let i = 0; i < count; i++) {
          const m = await fakes.listen(ANTMINER);
          miners.push(`${m.host}:${m.port}`);
        }
        const c = { label: `${count.toLocaleString('en-US')} miners (cgminer API, loopback)`, devices: count, intervalS, cycles: options.cycles };
        const { result, figures } = await nodeExporterBeside(intervalS, () => agentRun(mosquitto, c, [{ type: 'cgminer', miners }], build?.main, {}));
        results.push({ ...c, ...result, nodeExporter: figures });
        options.log(`${c.label}: cycle ${result.cycleMs.toFixed(0)} ms, ${result.cpuSecondsPerCycle.toFixed(2)} CPU s/cycle, peak RSS ${result.peakRssMb.toFixed(0)} MB`);
      } finally {
        await fakes.close();
      }
    }
    const nvidia = await installFakeNvidiaSmi();
    try {
      const gpus = Array.from({ length: 8 }, () => 'nvidia-h100-query-gpu.csv');
      // 8 GPUs and the host itself.
      const c = { label: 'GPU host: 8 GPUs (nvidia-smi) + host', devices: 9, intervalS: options.gpuIntervalS, cycles: options.cycles };
      const env = { PATH: nvidia.path, FAKE_NVIDIA_SMI_FIXTURES: fixtureList(...gpus) };
      const { result, figures } = await nodeExporterBeside(c.intervalS, () => agentRun(mosquitto, c, [{ type: 'nvidia', command: nvidia.command }, { type: 'host' }], build?.main, env));
      results.push({ ...c, ...result, nodeExporter: figures });
      options.log(`${c.label}: cycle ${result.cycleMs.toFixed(0)} ms, peak RSS ${result.peakRssMb.toFixed(0)} MB`);
    } finally {
      await nvidia.remove();
    }
  } finally {
    await build?.remove();
    await mosquitto.stop();
  }
  return results;
}

/** The node flags the shipped unit sets, as the table's heading names them. */
function shippedFlags(): string {
  const options = unitEnvironment('agent').NODE_OPTIONS;
  return options ? ` with the unit's \`NODE_OPTIONS=${options}\`` : '';
}

export function formatAgentTable(results: AgentResult[], built: boolean): string {
  return [
    `Agent ${built ? 'compiled by `npm run build`' : 'run from the sources through tsx'}${shippedFlags()}, each case beside \`prometheus-node-exporter\` (default collectors) scraped at the same interval; medians over the cycles after the first.`,
    '',
    '| case | interval | agent cycle | agent CPU per cycle | agent peak RSS | node_exporter scrape | its CPU per scrape | its peak RSS |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${r.intervalS} s | ${r.cycleMs.toFixed(0)} ms | ${(r.cpuSecondsPerCycle * 1000).toFixed(0)} ms | **${r.peakRssMb.toFixed(0)} MB** | ` +
        `${r.nodeExporter.scrapeMs.toFixed(0)} ms | ${(r.nodeExporter.cpuSecondsPerScrape * 1000).toFixed(0)} ms | ${r.nodeExporter.peakRssMb.toFixed(0)} MB |`,
    ),
    '',
  ].join('\n');
}
