import { describe, expect, it } from 'vitest';
import { clockMinutes, energyPriceUsdPerMwh, isTimeZone, localClock, type TouSchedule } from './energy.js';

const ERCOT_PEAK: TouSchedule = {
  timezone: 'America/Chicago',
  default_usd_per_mwh: 45,
  periods: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '14:00', to: '19:00', usd_per_mwh: 120 },
    { days: ['sat', 'sun'], from: '00:00', to: '24:00', usd_per_mwh: 30 },
  ],
};

const at = (iso: string) => Date.parse(iso);

describe('flat energy price', () => {
  it('is the same at every instant', () => {
    expect(energyPriceUsdPerMwh({ price_usd_per_mwh: 45 }, 0)).toBe(45);
    expect(energyPriceUsdPerMwh({ price_usd_per_mwh: -3.5 }, at('2025-06-01T12:00:00Z'))).toBe(-3.5);
  });
});

describe('time-of-use schedule', () => {
  it('prices the weekday peak from its start (inclusive) to its end (exclusive), local time', () => {
    // Wednesday 2025-01-15, CST = UTC−6.
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2025-01-15T19:59:00Z'))).toBe(45); // 13:59
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2025-01-15T20:00:00Z'))).toBe(120); // 14:00
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2025-01-16T00:59:00Z'))).toBe(120); // 18:59
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2025-01-16T01:00:00Z'))).toBe(45); // 19:00
  });

  it('uses the local day, not the UTC day: Friday 23:30 in Chicago is Saturday in UTC', () => {
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2025-01-18T05:30:00Z'))).toBe(45); // Fri 23:30 CST
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2025-01-18T06:00:00Z'))).toBe(30); // Sat 00:00 CST
  });

  it('follows daylight saving time: 19:30 UTC is off-peak before 2024-03-10 and on-peak after', () => {
    // Friday 2024-03-08 19:30Z = 13:30 CST (UTC−6); Monday 2024-03-11 19:30Z = 14:30 CDT (UTC−5).
    expect(localClock('America/Chicago', at('2024-03-08T19:30:00Z'))).toEqual({ weekday: 'fri', minutes: 13 * 60 + 30 });
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2024-03-08T19:30:00Z'))).toBe(45);
    expect(localClock('America/Chicago', at('2024-03-11T19:30:00Z'))).toEqual({ weekday: 'mon', minutes: 14 * 60 + 30 });
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2024-03-11T19:30:00Z'))).toBe(120);
    // And back on 2024-11-03: Monday 2024-11-04 at 19:30Z is 13:30 CST again.
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2024-11-04T19:30:00Z'))).toBe(45);
    expect(energyPriceUsdPerMwh(ERCOT_PEAK, at('2024-11-04T20:30:00Z'))).toBe(120);
  });

  it('on the spring-forward night the local clock jumps from 01:59 to 03:00', () => {
    expect(localClock('America/Chicago', at('2024-03-10T07:59:00Z'))).toEqual({ weekday: 'sun', minutes: 1 * 60 + 59 });
    expect(localClock('America/Chicago', at('2024-03-10T08:00:00Z'))).toEqual({ weekday: 'sun', minutes: 3 * 60 });
  });

  it('the first matching period wins', () => {
    const overlapping: TouSchedule = {
      timezone: 'UTC',
      default_usd_per_mwh: 10,
      periods: [
        { days: ['mon'], from: '08:00', to: '12:00', usd_per_mwh: 50 },
        { days: ['mon'], from: '00:00', to: '24:00', usd_per_mwh: 20 },
      ],
    };
    expect(energyPriceUsdPerMwh(overlapping, at('2025-01-13T09:00:00Z'))).toBe(50);
    expect(energyPriceUsdPerMwh(overlapping, at('2025-01-13T13:00:00Z'))).toBe(20);
    expect(energyPriceUsdPerMwh(overlapping, at('2025-01-14T13:00:00Z'))).toBe(10);
  });
});

describe('clock and zone helpers', () => {
  it('reads HH:MM up to 24:00 and nothing else', () => {
    expect(clockMinutes('00:00')).toBe(0);
    expect(clockMinutes('14:30')).toBe(870);
    expect(clockMinutes('24:00')).toBe(1440);
    for (const bad of ['24:01', '25:00', '7:00', '14:60', '14h00', '']) expect(clockMinutes(bad)).toBeNull();
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('America/Chicago')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
