import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nordpool, parseNordpool } from './nordpool.js';

// Fixtures and their provenance: fixtures/SOURCES.md.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/nordpool/${name}`, import.meta.url), 'utf8');
const AREAS = fixture('dataportal-dayahead-SE3-SE4-2024-11-05-PT60M.ha-core-fixture.json');
const INDICES = fixture('dataportal-dayahead-indices-SE3-2025-10-01-PT15M.ha-core-fixture.json');
const at = (iso: string) => Date.parse(iso);

describe('Nord Pool data portal', () => {
  it('DayAheadPrices SE3/SE4 2024-11-05: 24 hours from 23:00Z, SEK, the 16-17Z spike and the edited zero', () => {
    const se4 = parseNordpool(AREAS, 'SE4');
    expect(se4.currency).toBe('SEK');
    expect(se4.intervals).toHaveLength(24);
    expect(se4.intervals[0]).toEqual({ start_ms: at('2024-11-04T23:00:00Z'), end_ms: at('2024-11-05T00:00:00Z'), price: 283.79 });
    expect(se4.intervals.find((i) => i.start_ms === at('2024-11-05T16:00:00Z'))!.price).toBe(3533.03);
    // The publisher replaced SE4 at 18-19Z with 0.0: a real zero price, kept as 0.
    expect(se4.intervals.find((i) => i.start_ms === at('2024-11-05T18:00:00Z'))!.price).toBe(0);
    expect(parseNordpool(AREAS, 'SE3').intervals.find((i) => i.start_ms === at('2024-11-05T16:00:00Z'))!.price).toBe(2512.65);
  });

  it('DayAheadPriceIndices SE3 2025-10-01: 96 quarter hours from 22:00Z, peak 3828.03 at 17:00Z', () => {
    const { intervals, currency } = parseNordpool(INDICES, 'SE3');
    expect(currency).toBe('SEK');
    expect(intervals).toHaveLength(96);
    intervals.forEach((i, k) => expect([i.start_ms, i.end_ms]).toEqual([at('2025-09-30T22:00:00Z') + k * 900_000, at('2025-09-30T22:00:00Z') + (k + 1) * 900_000]));
    expect(intervals[0]!.price).toBe(556.68);
    const peak = intervals.reduce((a, b) => (b.price > a.price ? b : a));
    expect([new Date(peak.start_ms).toISOString(), peak.price]).toEqual(['2025-10-01T17:00:00.000Z', 3828.03]);
  });

  it('204 (empty) is no prices; an unknown area, garbage and a wrong shape are errors', () => {
    expect(parseNordpool('', 'SE3')).toEqual({ intervals: [] });
    expect(() => parseNordpool(AREAS, 'NO1')).toThrow('nordpool: entry 0 has no price for NO1 (areas: SE3, SE4)');
    expect(() => parseNordpool('<html>', 'SE3')).toThrow(/^nordpool: answer is not JSON/);
    expect(() => parseNordpool('{"multiAreaEntries": [{"deliveryStart": "x"}]}', 'SE3')).toThrow(/^nordpool: unexpected shape at multiAreaEntries\.0\./);
    expect(() => parseNordpool('{}', 'SE3')).toThrow('nordpool: neither multiAreaEntries nor multiIndexEntries in the answer');
  });

  it('asks for today and tomorrow (CET days) in the configured currency', () => {
    const requests = nordpool.requests({ type: 'nordpool', url: 'http://127.0.0.1:9/api', area: 'SE3', currency: 'SEK' }, at('2024-11-04T23:30:00Z'), () => '');
    expect(requests.map((r) => r.url)).toEqual([
      'http://127.0.0.1:9/api/DayAheadPrices?date=2024-11-05&market=DayAhead&deliveryArea=SE3&currency=SEK',
      'http://127.0.0.1:9/api/DayAheadPrices?date=2024-11-06&market=DayAhead&deliveryArea=SE3&currency=SEK',
    ]);
  });
});
