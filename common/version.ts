/** The package version, reported in agent status messages and the collector's metrics. */
import { readFileSync } from 'node:fs';

// Set by build/bundle.mjs: the single-file bundle has no package.json beside it.
declare const POWERSITE_BUNDLED_VERSION: string | undefined;

function readVersion(): string {
  // Same answer from the sources (common/) and from the build (dist/common/).
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'powersite' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

/** Whether this is the single-file build (what `powersite install` copies). */
export const BUNDLED = typeof POWERSITE_BUNDLED_VERSION === 'string';

export const VERSION = BUNDLED ? POWERSITE_BUNDLED_VERSION! : readVersion();
