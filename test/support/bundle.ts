/** The single-file build made in a temp dir (no node_modules above it, no sources beside it), and commands run to completion. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundle } from '../../build/bundle.mjs';

export interface BuiltBundle {
  dir: string;
  /** dist/powersite.mjs's twin, alone in `dir`. */
  file: string;
  remove(): Promise<void>;
}

export async function buildBundle(): Promise<BuiltBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-bundle-'));
  for (let up = dir; up !== dirname(up); up = dirname(up)) {
    if (existsSync(join(up, 'node_modules'))) throw new Error(`${up} has a node_modules: the bundle would not be tested alone`);
  }
  const file = await bundle(join(dir, 'powersite.mjs'));
  return { dir, file, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to standard input, which is then closed. */
  input?: string;
  uid?: number;
  gid?: number;
}

/** Runs a command to its end (killed after 60 s so a hang fails the test instead of stalling it). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, uid: options.uid, gid: options.gid, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
