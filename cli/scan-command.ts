/** `powersite scan <cidr>`: finds CGMiner-API miners on a LAN and prints a `sources:` block for agent.yaml. */
import { Duration } from '../common/units.js';
import { Workload } from '../protocol/index.js';
import { parseCidr } from '../agent/discovery/cidr.js';
import { scan } from '../agent/discovery/scan.js';
import { ProgressRedraw } from '../agent/discovery/scan-progress.js';
import { describeMiner, sourcesYaml } from '../agent/discovery/sources-yaml.js';
import { UsageError } from './flags.js';

export interface ScanCommandOptions {
  ports: string;
  timeout: string;
  concurrency: string;
  workload: string;
}

export async function runScan(cidr: string, opts: ScanCommandOptions): Promise<void> {
  const ports = opts.ports.split(',').map((p) => Number(p.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new UsageError(`--ports: expected ports like 4028,4433, got ${JSON.stringify(opts.ports)}`);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency: expected a whole number, got ${JSON.stringify(opts.concurrency)}`);
  const workload = Workload.safeParse(opts.workload);
  if (!workload.success) throw new UsageError(`--workload: expected mining or hpc, got ${JSON.stringify(opts.workload)}`);
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  try {
    parseCidr(cidr);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  process.stderr.write(`scanning ${cidr} on port${ports.length > 1 ? 's' : ''} ${ports.join(', ')} (timeout ${timeoutMs} ms, ${concurrency} at a time)…\n`);
  const started = Date.now();
  // The redrawn progress line only where someone watches; a pipe or a log gets the summary alone.
  const progress = process.stderr.isTTY ? new ProgressRedraw((text) => process.stderr.write(text), Date.now) : undefined;
  const found = await scan(cidr, { ports, timeoutMs, concurrency, onProgress: (done, total, miners) => progress?.update({ done, total, found: miners, elapsedMs: Date.now() - started }) });
  progress?.finish();
  for (const miner of found) process.stderr.write(`  ${miner.host}:${miner.port}  ${describeMiner(miner)}\n`);
  process.stderr.write(`found ${found.length} miner${found.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(sourcesYaml(found, { workload: workload.data, scanned: cidr }));
}

function parseDuration(value: string, flag: string): number {
  const r = Duration.safeParse(value);
  if (!r.success) throw new UsageError(`${flag}: expected a duration like 1s or 500ms, got ${JSON.stringify(value)}`);
  return r.data;
}
