// Plain JS so that test/ensure-services.mjs can run before anything is compiled; the harness
// imports it too (types in binaries.d.mts), so both look for binaries the same way.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// Daemons such as mosquitto live in /usr/sbin, which is often missing from a user's PATH.
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable found on PATH or in the system bin dirs, or undefined. */
export function findBinary(name) {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of [...pathDirs, ...SYSTEM_DIRS]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
