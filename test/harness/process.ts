import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary } from './binaries.mjs';

/**
 * How the harness knows a service is ready: an HTTP GET answers this status, or the service logs
 * this line. A TCP connect would not do: on a port clash the probe reaches whoever holds the port.
 */
export type ReadyProbe = { http: string; status: number } | { logLine: RegExp };

/** What to run; the process always runs in its own temp dir. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  ready: ReadyProbe;
  /** Total time allowed from spawn to ready. */
  readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  stopGraceMs?: number;
}

export interface ServiceSpec extends LaunchSpec {
  /** Short name, used in messages and for the log file. */
  name: string;
  /** Temp dir the process owns; removed by stop(). */
  dir: string;
}

/** The process ended before it became ready; `logTail` holds the end of its log. */
export class ServiceExitedError extends Error {
  constructor(
    readonly service: string,
    readonly status: string,
    readonly logTail: string,
  ) {
    super(`${service} exited (${status}) before it was ready; end of its log:\n${logTail}`);
    this.name = 'ServiceExitedError';
  }
}

/** Every process and dir not yet stopped for good, so a failing test file still leaves nothing behind. */
const live = new Set<ServiceProcess>();
function killAndRemoveAll(): void {
  for (const service of live) service.killAndRemoveNow();
}
process.on('exit', killAndRemoveAll);
// Vitest ends its worker processes with SIGTERM, which skips 'exit' handlers.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  const onSignal = (): void => {
    killAndRemoveAll();
    process.off(signal, onSignal);
    // Without our listener the signal does whatever it would have done had we never listened.
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

/** Absolute path of a service binary, or an error that says how to install it. */
export function requireBinary(name: string): string {
  const path = findBinary(name);
  if (path === undefined) {
    throw new Error(`${name} is not installed; run \`node test/ensure-services.mjs\` to see how to install it`);
  }
  return path;
}

export function makeTempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `powersite-${name}-`));
}

/** One service process: started, probed until ready, stopped, crashed and restarted on demand. */
export class ServiceProcess {
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitStatus: string | undefined;
  /** Where this run's output starts in the log, which restarts append to. */
  private logOffset = 0;
  private disposed = false;

  constructor(private readonly spec: ServiceSpec) {
    this.logFile = join(spec.dir, `${spec.name}.log`);
    live.add(this);
  }

  get name(): string {
    return this.spec.name;
  }

  get dir(): string {
    return this.spec.dir;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitStatus === undefined;
  }

  /** Spawns the process (output appended to `logFile`) and waits until it is ready. */
  async start(): Promise<void> {
    if (this.disposed) throw new Error(`${this.name} was stopped for good; start a new one`);
    if (this.running) return;
    const log = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      this.logOffset = fstatSync(log).size;
      child = spawn(this.spec.command, this.spec.args, {
        cwd: this.dir,
        env: { ...process.env, ...this.spec.env },
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.exitStatus = undefined;
    this.exited = new Promise((resolve) => {
      const done = (status: string): void => {
        this.exitStatus ??= status;
        resolve();
      };
      child.once('exit', (code, signal) => done(signal ?? `code ${code}`));
      child.once('error', (error) => done(error.message));
    });
    await this.waitReady();
  }

  /** Graceful stop (SIGTERM, then SIGKILL after the grace period); keeps the dir so start() brings it back. */
  async halt(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const grace = sleep(this.spec.stopGraceMs ?? 5_000, 'timeout' as const, { ref: false });
    if ((await Promise.race([this.exited, grace])) === 'timeout') this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Crash: SIGKILL, no chance to save anything; keeps the dir so start() brings it back. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.start();
  }

  /** Stops for good and removes the temp dir. Safe to call twice. */
  async stop(): Promise<void> {
    await this.halt();
    this.disposed = true;
    live.delete(this);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The last lines of the process's log, for error messages. */
  logTail(lines = 40): string {
    return this.readLog(0).trimEnd().split('\n').slice(-lines).join('\n') || '(empty log)';
  }

  private readLog(from: number): string {
    try {
      return readFileSync(this.logFile).subarray(from).toString('utf8');
    } catch {
      return '';
    }
  }

  /** Synchronous cleanup for the process 'exit' hook, where nothing async can run. */
  killAndRemoveNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async probe(): Promise<boolean> {
    const { ready } = this.spec;
    if ('logLine' in ready) return ready.logLine.test(this.readLog(this.logOffset));
    return httpAnswers(ready.http, ready.status);
  }

  private async waitReady(): Promise<void> {
    const timeoutMs = this.spec.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (!this.running) throw new ServiceExitedError(this.name, this.exitStatus ?? 'unknown', this.logTail());
      if (await this.probe()) return;
      if (Date.now() >= deadline) {
        await this.kill9();
        throw new Error(`${this.name} was not ready within ${timeoutMs} ms; end of its log:\n${this.logTail()}`);
      }
      await Promise.race([this.exited, sleep(Math.min(25 * 2 ** attempt, 250))]);
    }
  }
}

async function httpAnswers(url: string, status: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === status;
  } catch {
    return false;
  }
}

const PORT_CLASH = /address already in use|address in use/i;
const LAUNCH_ATTEMPTS = 3;

/**
 * Makes a temp dir, lets `setup` write its config and describe the launch, and starts the service.
 * A free port can be taken by someone else before the service binds it, so when the ports were
 * picked by `setup` (not fixed by the caller) a clash is retried with a fresh dir and fresh ports.
 * Nothing is left behind when it fails.
 */
export async function launch<T extends { spec: LaunchSpec }>(
  name: string,
  setup: (dir: string) => Promise<T>,
  { portsFixed }: { portsFixed: boolean },
): Promise<T & { service: ServiceProcess }> {
  for (let attempt = 1; ; attempt++) {
    const dir = await makeTempDir(name);
    let service: ServiceProcess | undefined;
    try {
      const setupResult = await setup(dir);
      service = new ServiceProcess({ ...setupResult.spec, name, dir });
      await service.start();
      return { ...setupResult, service };
    } catch (error) {
      await (service?.stop() ?? rm(dir, { recursive: true, force: true }));
      const clash = error instanceof ServiceExitedError && PORT_CLASH.test(error.logTail);
      if (!clash || portsFixed || attempt >= LAUNCH_ATTEMPTS) throw error;
    }
  }
}

/** The lifecycle controls every service handle offers. */
export interface ServiceControls {
  /** Temp dir holding the config, data and `logFile`. */
  readonly dir: string;
  readonly logFile: string;
  /** Starts it again after halt() or kill9(), on the same port with the same data. */
  start(): Promise<void>;
  /** Graceful stop that keeps the data; start() brings it back. */
  halt(): Promise<void>;
  /** Crash without a chance to save; start() brings it back. */
  kill9(): Promise<void>;
  /** halt() then start(). */
  restart(): Promise<void>;
  /** Stops for good and removes the temp dir: call it in afterAll. */
  stop(): Promise<void>;
}

export function controls(service: ServiceProcess): ServiceControls {
  return {
    dir: service.dir,
    logFile: service.logFile,
    start: () => service.start(),
    halt: () => service.halt(),
    kill9: () => service.kill9(),
    restart: () => service.restart(),
    stop: () => service.stop(),
  };
}
