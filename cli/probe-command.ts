/** `powersite probe <ip[:port]>`: detect one miner and print what the agent would publish for it. */
import { EXIT, UnavailableError } from '../common/exit-codes.js';
import { Workload } from '../protocol/index.js';
import { NotAMinerError, probeMiner, type ProbeResult, type ProbeStep } from '../agent/discovery/probe.js';
import { isValidHost, splitAddress } from '../agent/sources/cgminer/config.js';
import { UsageError } from './flags.js';
import { devicesTable } from './readings-table.js';

export interface ProbeCommandOptions {
  timeout: number;
  workload: string;
  json?: boolean;
}

export async function runProbe(address: string, opts: ProbeCommandOptions): Promise<void> {
  const { host, port } = splitAddress(address);
  if (!isValidHost(host) || (port !== undefined && (port < 1 || port > 65535))) throw new UsageError(`expected an address like 10.0.3.17 or 10.0.3.17:4028, got ${JSON.stringify(address)}`);
  const workload = Workload.safeParse(opts.workload);
  if (!workload.success) throw new UsageError(`--workload: expected mining or hpc, got ${JSON.stringify(opts.workload)}`);
  let result: ProbeResult;
  try {
    result = await probeMiner(host, { ...(port === undefined ? {} : { ports: [port] }), timeoutMs: opts.timeout, workload: workload.data });
  } catch (err) {
    if (!(err instanceof NotAMinerError)) throw err;
    if (opts.json) process.stdout.write(`${JSON.stringify({ host, found: false, error: err.message, detection: err.detection }, null, 2)}\n`);
    else if (err.detection.length > 0) process.stdout.write(`detection:\n${stepLines(err.detection)}`);
    throw new UnavailableError(err.message);
  }
  process.stdout.write(opts.json ? `${JSON.stringify({ found: true, ...result }, null, 2)}\n` : probeReport(result));
  process.exitCode = EXIT.OK;
}

/** The human report: who answered and how it was recognised, then the device as published. */
export function probeReport(r: ProbeResult): string {
  const id = r.identity;
  const model = id.model === undefined ? 'model not named by detection' : id.model_raw ? `${id.model} (firmware says ${JSON.stringify(id.model_raw)})` : id.model;
  return [
    `${r.host}:${r.port}: family ${id.family}, speaking the ${r.protocol} API`,
    `model:    ${model}`,
    `firmware: ${id.firmware ?? 'not named in its replies'}`,
    '',
    'detection:',
    stepLines(r.detection).trimEnd(),
    `reads each cycle: ${r.reads.join(', ')}`,
    '',
    'as the agent would publish it:',
    devicesTable([r.device]),
  ].join('\n');
}

function stepLines(steps: readonly ProbeStep[]): string {
  const width = Math.max(...steps.map((s) => `${s.port} ${s.command}`.length));
  return steps.map((s) => `  ${`${s.port} ${s.command}`.padEnd(width)}  ${s.outcome}\n`).join('');
}
