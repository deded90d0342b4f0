/**
 * Wall-clock time in an IANA zone to UTC, for markets that publish local delivery times (ERCOT:
 * Central time with a flag on the repeated fall-back hour). Intl knows the zone's rules.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall clock at an instant, read as if it were UTC (so wall − instant = the zone's offset then). */
function wallAsUtc(timezone: string, atMs: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(atMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/**
 * The UTC instants at which the zone's clock reads `date` (YYYY-MM-DD) + `minutes` after midnight:
 * none in a spring-forward gap, two in the repeated fall-back hour (earlier first), else one.
 */
export function localToUtc(timezone: string, date: string, minutes: number): number[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return [];
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + minutes * 60_000;
  // A zone changes offset at most once a day: the offsets a day before and after are the candidates.
  const offsets = new Set([wallAsUtc(timezone, wall - 86_400_000) - (wall - 86_400_000), wallAsUtc(timezone, wall + 86_400_000) - (wall + 86_400_000)]);
  return [...offsets]
    .map((offset) => wall - offset)
    .filter((utc) => wallAsUtc(timezone, utc) === wall)
    .sort((a, b) => a - b);
}

/** The zone's calendar date (YYYY-MM-DD) at an instant. */
export function localDate(timezone: string, atMs: number): string {
  return new Date(wallAsUtc(timezone, atMs)).toISOString().slice(0, 10);
}
