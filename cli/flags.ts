/**
 * Command-line values checked where commander reads them, so a bad flag is one line naming the
 * flag and what was expected, and exit code 64 — never a stack or a raw zod issue list.
 */
import { InvalidArgumentError } from 'commander';
import { Duration } from '../common/units.js';

/** A TCP port; 0 lets the system choose a free one. */
export function portFlag(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a TCP port from 0 to 65535 (0: any free port).');
  return n;
}

/** A duration longer than zero, such as 30s, 500ms or 5m; yields milliseconds. */
export function durationFlag(value: string): number {
  const r = Duration.safeParse(value);
  if (!r.success || r.data <= 0) throw new InvalidArgumentError('expected a duration like 30s, 500ms or 5m.');
  return r.data;
}

/** An http(s) URL, such as http://127.0.0.1:8086. */
export function httpUrlFlag(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new InvalidArgumentError('expected an http:// or https:// URL, such as http://127.0.0.1:8086.');
  return value;
}

/** A bad command-line value found after parsing: exit code 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}
