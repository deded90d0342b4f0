/**
 * The deepest nesting of arrays and objects in JSON text, found by one pass over the bytes without
 * parsing: a payload nested 400,000 levels deep inside a field the schema would strip is refused
 * before JSON.parse builds it. Brackets inside strings do not count. Pure.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// Compared directly, not through a Set: this runs once per byte of every message.
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** True when `bytes` nests deeper than `max` (stops scanning as soon as it does). */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return false;
}
