/** A `powersite` part as systemd runs it (JSON log lines on stdout), with its log parsed for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unitEnvironment } from './unit-environment.js';

const bin = fileURLToPath(new URL('../../bin/powersite.js', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const INFO = 30;

export interface PartProcess {
  readonly child: ChildProcess;
  /** What it logged so far, parsed. */
  lines(): LogLine[];
  /** Info-level messages, in order. */
  infoMessages(): string[];
}

export function partProcess(args: string[], level: string, env: NodeJS.ProcessEnv = {}): PartProcess {
  let out = '';
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...unitEnvironment(args[0]!), ...env, POWERSITE_LOG_LEVEL: level, POWERSITE_LOG_FORMAT: 'json' } });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
  return { child, lines, infoMessages: () => lines().filter((l) => l.level === INFO).map((l) => l.msg) };
}
