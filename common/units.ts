/** Human units in config files ("10s", "512MiB") as zod types that yield base units. */
import { z } from 'zod';

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BYTES: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** A duration such as "10s", "500ms", "5m" or a number of seconds; yields milliseconds. */
export const Duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value * 1000;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (m) return Number(m[1]) * DURATION_MS[m[2]!]!;
  }
  ctx.addIssue({ code: 'custom', message: `expected a duration like "10s", "500ms", "5m" or a number of seconds, got ${JSON.stringify(value)}` });
  return z.NEVER;
});

/** A size such as "512MiB", "1GB" or a number of bytes; yields bytes. */
export const Bytes = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.floor(value);
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(value);
    if (m) return Math.floor(Number(m[1]) * BYTES[(m[2] ?? 'b').toLowerCase()]!);
  }
  ctx.addIssue({ code: 'custom', message: `expected a size like "512MiB", "1GB" or a number of bytes, got ${JSON.stringify(value)}` });
  return z.NEVER;
});
