/**
 * InfluxDB line protocol, built by hand, pure: the hot path of every write. node-influx's generic
 * path sorted and coerced every point's fields through closures; here a point is one string
 * concatenation. Escaping follows the line-protocol reference (InfluxDB 1.x, also what
 * VictoriaMetrics' /write parses): measurements escape comma and space; tag keys, tag values and
 * field keys escape comma, equals sign and space; string field values are double-quoted with `"`
 * and `\` escaped. Numbers are written as floats (no `i` suffix), as node-influx wrote them, so the
 * field types of existing databases do not change.
 */

export type FieldValue = number | boolean | string;

export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Nanoseconds since the epoch, as a decimal string (exact beyond 2^53). */
  timestamp: string;
}

const MEASUREMENT_SPECIAL = /[, ]/;
const TAG_SPECIAL = /[,= ]/;

/** Only strings that need it are rewritten: names almost never do, so the test is the common path. */
export function escapeMeasurement(name: string): string {
  return MEASUREMENT_SPECIAL.test(name) ? name.replace(/[, ]/g, '\\$&') : name;
}

/**
 * Escaped forms of the tag values that need it: a few models and vendors ("Antminer S19 Pro") on
 * nearly every point, each escaped once rather than by a regex replace per point. Bounded: past it
 * the cache starts over.
 */
const escapedTags = new Map<string, string>();
const ESCAPED_TAGS_MAX = 10_000;

export function escapeTag(value: string): string {
  if (!TAG_SPECIAL.test(value)) return value;
  let escaped = escapedTags.get(value);
  if (escaped === undefined) {
    if (escapedTags.size >= ESCAPED_TAGS_MAX) escapedTags.clear();
    escaped = value.replace(/[,= ]/g, '\\$&');
    escapedTags.set(value, escaped);
  }
  return escaped;
}

export function quoteString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function fieldValue(value: FieldValue): string {
  return typeof value === 'string' ? quoteString(value) : String(value);
}

/**
 * One line per point, `\n`-separated. Empty tag values are left out (InfluxDB refuses them) and a
 * point without fields is refused here, naming it, as InfluxDB would refuse the whole batch.
 */
export function toLineProtocol(points: readonly Point[]): string {
  let out = '';
  for (const point of points) {
    let line = escapeMeasurement(point.measurement);
    for (const key in point.tags) {
      const value = point.tags[key]!;
      if (value !== '') line += `,${escapeTag(key)}=${escapeTag(value)}`;
    }
    let separator = ' ';
    for (const key in point.fields) {
      line += `${separator}${escapeTag(key)}=${fieldValue(point.fields[key]!)}`;
      separator = ',';
    }
    if (separator === ' ') throw new Error(`point of ${point.measurement} has no fields`);
    out += `${line} ${point.timestamp}\n`;
  }
  return out;
}
