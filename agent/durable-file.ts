/**
 * The agent's file writes where "nothing lost" depends on them: data reaches the disk (fsync)
 * before the write counts as done, files are 0600 in 0700 directories (telemetry and seq are no
 * business of other local users on a shared host), and a replaced file is either old or new.
 */
import { chmod, mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates the directory (0700) or tightens an existing one to 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/** fsync of a directory, so a file created or renamed in it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes (flag 'a' appends, 'w' truncates) and fsyncs the data; a new file is created 0600. */
async function writeSynced(path: string, flag: 'a' | 'w', data: string): Promise<void> {
  const handle = await open(path, flag, PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Appends and fsyncs (a new file's directory entry needs `syncDir` too). */
export function appendDurably(path: string, data: string): Promise<void> {
  return writeSynced(path, 'a', data);
}

/** Replaces `path` atomically: temp file written and fsynced, renamed over, directory fsynced. */
export async function replaceDurably(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeSynced(tmp, 'w', data);
  await rename(tmp, path);
  await syncDir(dirname(path));
}
