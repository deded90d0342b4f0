/**
 * Which keys differ between two parsed configs, as dotted paths ("mqtt.url", "sources"), for a
 * reload to apply what it can and name the rest. Lists (and records of lists) compare whole; only
 * key names come out, never values, so a changed password is named but not shown. Pure.
 */
export function changedKeys(before: unknown, after: unknown, path: string[] = []): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changedKeys(before[key], after[key], [...path, key]));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path.join('.') || '(whole config)'];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
