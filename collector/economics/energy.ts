/**
 * Energy price in USD per MWh: flat, or a time-of-use schedule evaluated on the site's wall clock
 * (an IANA time zone, so daylight-saving changes move the peak with local time, as tariffs do).
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A priced window on the listed local days, from `from` (inclusive) to `to` (exclusive), "HH:MM"; `to` may be "24:00". */
export interface TouPeriod {
  days: readonly Weekday[];
  from: string;
  to: string;
  usd_per_mwh: number;
}

export interface TouSchedule {
  timezone: string;
  default_usd_per_mwh: number;
  /** The first period that covers the local time sets the price. */
  periods: readonly TouPeriod[];
}

export type EnergyPricing = { price_usd_per_mwh: number } | TouSchedule;

/** "HH:MM" -> minutes after midnight (00:00..24:00), or null when it is not a clock time. */
export function clockMinutes(text: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

/** Whether the runtime knows an IANA time zone name. */
export function isTimeZone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The local weekday and minutes after midnight at an instant in a time zone. */
export function localClock(timezone: string, atMs: number): { weekday: Weekday; minutes: number } {
  let weekday = '';
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timezone).formatToParts(atMs)) {
    if (part.type === 'weekday') weekday = part.value.toLowerCase();
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday: weekday as Weekday, minutes: hour * 60 + minute };
}

export function energyPriceUsdPerMwh(pricing: EnergyPricing, atMs: number): number {
  if ('price_usd_per_mwh' in pricing) return pricing.price_usd_per_mwh;
  const { weekday, minutes } = localClock(pricing.timezone, atMs);
  for (const period of pricing.periods) {
    if (period.days.includes(weekday) && minutes >= clockMinutes(period.from)! && minutes < clockMinutes(period.to)!) return period.usd_per_mwh;
  }
  return pricing.default_usd_per_mwh;
}
