/** Puts the fake nvidia-smi on PATH (as an executable named nvidia-smi in a temp dir). */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./nvidia-smi.mjs', import.meta.url));
export const NVIDIA_FIXTURES = fileURLToPath(new URL('../../agent/sources/nvidia/fixtures/', import.meta.url));

export interface FakeNvidiaSmi {
  dir: string;
  /** The executable's path, for a source's `command:`. */
  command: string;
  /** PATH with the fake first. */
  path: string;
  remove(): Promise<void>;
}

export async function installFakeNvidiaSmi(): Promise<FakeNvidiaSmi> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-nvidia-smi-'));
  const command = join(dir, 'nvidia-smi');
  await writeFile(command, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  await chmod(command, 0o755);
  return { dir, command, path: `${dir}:${process.env.PATH ?? ''}`, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function fixtureList(...names: string[]): string {
  return names.map((n) => join(NVIDIA_FIXTURES, n)).join(',');
}
