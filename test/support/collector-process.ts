/** A collector as a separate `powersite collector` process, so a test can kill -9 it for real. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { eventually } from './metrics.js';

const bin = fileURLToPath(new URL('../../bin/powersite.js', import.meta.url));

export interface CollectorProcess {
  readonly metricsUrl: string;
  start(): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
  /** The accounts of the last run's 'collector stopped' line (needs logLevel 'info'). */
  stoppedLine(): Record<string, number> | undefined;
}

/** `nodeArgs` go before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
export async function collectorProcess(dir: string, name: string, config: Record<string, unknown>, port: number, nodeArgs: string[] = [], logLevel = 'warn'): Promise<CollectorProcess> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, stringify({ ...config, http: { host: '127.0.0.1', port } }));
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  let child: ChildProcess | undefined;
  let output = '';
  const exited = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
  return {
    metricsUrl,
    log: () => output,
    stoppedLine: () => {
      const line = output.split('\n').findLast((l) => l.includes('"msg":"collector stopped"'));
      return line ? (JSON.parse(line) as Record<string, number>) : undefined;
    },
    async start() {
      child = spawn(process.execPath, [...nodeArgs, bin, 'collector', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERSITE_LOG_LEVEL: logLevel } });
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      let health = 'no answer';
      await eventually(async () => {
        if (child!.exitCode !== null) throw new Error(`collector ${name} exited: ${output}`);
        const r = await fetch(metricsUrl.replace('/metrics', '/healthz'));
        health = `${r.status} ${await r.text()}`;
        return r.status === 200;
        // Through tsx a start compiles the sources: on a loaded machine that takes a while.
      }, 60_000).catch((err: Error) => {
        throw new Error(`collector ${name} not healthy: ${err.message}; last /healthz: ${health.trim()}; its output: ${output.slice(-2000)}`);
      });
    },
    async kill9() {
      child?.kill('SIGKILL');
      await exited();
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited();
    },
  };
}
