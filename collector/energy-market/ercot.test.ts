import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ercot, ercotDayAheadPrices, ercotRealtimePrices, ercotRows } from './ercot.js';
import type { MarketRequest } from './market.js';

// Fixtures and their provenance: fixtures/SOURCES.md.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/ercot/${name}`, import.meta.url), 'utf8');
const RT = fixture('np6-905-cd.spp_node_zone_hub.size1.tinyercot-capture.json');
const DAM = fixture('np4-190-cd.dam_stlmnt_pnt_prices.size1.tinyercot-capture.json');
const iso = (ms: number) => new Date(ms).toISOString();

/** The captured report with its data rows replaced: same fields, same envelope. */
function report(capture: string, data: unknown[][]): string {
  return JSON.stringify({ ...JSON.parse(capture), data });
}

describe('ERCOT reports', () => {
  it('maps the positional real-time row by its fields: 2026-09-06 hour ending 1, interval 1 is 00:00-00:15 CDT = 05:00Z', () => {
    const { rows, page, pages } = ercotRows(RT);
    expect(rows).toEqual([{ deliveryDate: '2026-09-06', deliveryHour: 1, deliveryInterval: 1, settlementPoint: 'DDPEC_ST1', settlementPointType: 'PCCRN', settlementPointPrice: 39.21, DSTFlag: false }]);
    expect([page, pages]).toEqual([1, 96_887_661]);
    const [i] = ercotRealtimePrices(rows, 'DDPEC_ST1');
    // September is daylight time, UTC−5.
    expect([iso(i!.start_ms), iso(i!.end_ms), i!.price]).toEqual(['2026-09-06T05:00:00.000Z', '2026-09-06T05:15:00.000Z', 39.21]);
    expect(ercotRealtimePrices(rows, 'HB_NORTH')).toEqual([]);
  });

  it('reads the day-ahead hour ending "01:00" of 2026-09-07 as 00:00-01:00 CDT = 05:00Z-06:00Z', () => {
    const [i] = ercotDayAheadPrices(ercotRows(DAM).rows, '7RNCHSLR_ALL');
    expect([iso(i!.start_ms), iso(i!.end_ms), i!.price]).toEqual(['2026-09-07T05:00:00.000Z', '2026-09-07T06:00:00.000Z', 45.04]);
  });

  it('fall-back day 2025-11-02: 25 hours, the DSTFlag row is the second 01:00, every interval contiguous from 05:00Z', () => {
    // Hours ending 1..24 plus a repeated hour ending 2 flagged DST, 4 intervals each; price = row number.
    const rows: unknown[][] = [];
    for (let he = 1; he <= 24; he++) {
      for (const flag of he === 2 ? [false, true] : [false]) for (let q = 1; q <= 4; q++) rows.push(['2025-11-02', he, q, 'HB_NORTH', 'HU', rows.length, flag]);
    }
    const prices = ercotRealtimePrices(ercotRows(report(RT, rows)).rows, 'HB_NORTH').sort((a, b) => a.start_ms - b.start_ms);
    expect(prices).toHaveLength(100);
    // Local midnight is 05:00Z (CDT); the day ends at midnight CST = 06:00Z next day: 25 h.
    prices.forEach((p, k) => {
      expect(p.start_ms).toBe(Date.parse('2025-11-02T05:00:00Z') + k * 900_000);
      expect(p.price).toBe(k); // rows were written in time order, so row k is the k-th quarter hour
    });
    // The unflagged 01:00 is CDT (06:00Z), the flagged one CST (07:00Z).
    expect(iso(prices[4]!.start_ms)).toBe('2025-11-02T06:00:00.000Z');
    expect(iso(prices[8]!.start_ms)).toBe('2025-11-02T07:00:00.000Z');
  });

  it('spring-forward day 2026-03-08: 23 hours, no hour ending 3, contiguous from 06:00Z', () => {
    const rows: unknown[][] = [];
    for (let he = 1; he <= 24; he++) if (he !== 3) for (let q = 1; q <= 4; q++) rows.push(['2026-03-08', he, q, 'HB_NORTH', 'HU', rows.length, false]);
    const prices = ercotRealtimePrices(ercotRows(report(RT, rows)).rows, 'HB_NORTH');
    expect(prices).toHaveLength(92);
    prices.forEach((p, k) => expect([p.start_ms, p.price]).toEqual([Date.parse('2026-03-08T06:00:00Z') + k * 900_000, k]));
    // Hour ending 3 (02:00-03:00 local) does not exist that night: a row for it is an error, not a guess.
    expect(() => ercotRealtimePrices(ercotRows(report(RT, [['2026-03-08', 3, 1, 'HB_NORTH', 'HU', 1, false]])).rows, 'HB_NORTH')).toThrow('ercot: 2026-03-08 02:00 Central does not exist');
    // Day-ahead on the fall-back day: the flagged "02:00" is the hour after the unflagged one.
    const dam = ercotDayAheadPrices(
      ercotRows(report(DAM, [['2025-11-02', '02:00', 'HB_NORTH', 30, false], ['2025-11-02', '02:00', 'HB_NORTH', 31, true], ['2025-11-02', '24:00', 'HB_NORTH', 32, false]])).rows,
      'HB_NORTH',
    );
    expect(dam.map((d) => [iso(d.start_ms), d.price])).toEqual([
      ['2025-11-02T06:00:00.000Z', 30],
      ['2025-11-02T07:00:00.000Z', 31],
      ['2025-11-03T05:00:00.000Z', 32], // hour ending 24:00 CST = 23:00-24:00 CST
    ]);
  });

  it('says what is wrong with garbage, a short row, a string price and the throttling answer', () => {
    expect(() => ercotRows('<html>502</html>')).toThrow('ercot: answer is not JSON; it starts "<html>502</html>"');
    expect(() => ercotRows(fixture('error-429-throttled.docs-example.json'))).toThrow(/^ercot: unexpected report shape at fields: /);
    expect(() => ercotRows(report(RT, [['2026-09-06', 1, 1]]))).toThrow('ercot: row 0 has 3 values for 7 fields');
    expect(() => ercotRealtimePrices(ercotRows(report(RT, [['2026-09-06', 1, 1, 'X', 'HU', '39.2', false]])).rows, 'X')).toThrow(/^ercot: real-time row 0: settlementPointPrice: /);
  });
});

describe('ERCOT requests', () => {
  const config = { type: 'ercot' as const, url: 'http://127.0.0.1:1/api/public-reports', settlement_point: 'HB_NORTH', subscription_key_file: '/k', token_file: '/t' };
  const secrets = { subscription_key_file: 'KEY', token_file: 'TOKEN' } as Record<string, string>;

  it('asks for yesterday..today real time and today..tomorrow day-ahead (Central dates), with the key and token', () => {
    // 2026-09-07T03:00Z is still 2026-09-06 in Chicago.
    const [rt, da] = ercot.requests(config, Date.parse('2026-09-07T03:00:00Z'), (key) => secrets[key]!);
    expect(rt!.url).toBe('http://127.0.0.1:1/api/public-reports/np6-905-cd/spp_node_zone_hub?settlementPoint=HB_NORTH&deliveryDateFrom=2026-09-05&deliveryDateTo=2026-09-06&size=1000&page=1');
    expect(da!.url).toBe('http://127.0.0.1:1/api/public-reports/np4-190-cd/dam_stlmnt_pnt_prices?settlementPoint=HB_NORTH&deliveryDateFrom=2026-09-06&deliveryDateTo=2026-09-07&size=1000&page=1');
    expect(rt!.headers).toEqual({ 'Ocp-Apim-Subscription-Key': 'KEY', Authorization: 'Bearer TOKEN' });
    expect(rt!.label).not.toContain('TOKEN');
  });

  it('follows further pages, up to a bound', () => {
    const [rt] = ercot.requests(config, 0, (key) => secrets[key]!);
    const page1 = JSON.parse(RT);
    page1._meta = { ...page1._meta, totalPages: 3, currentPage: 1 };
    const answer = ercot.parse(JSON.stringify(page1), rt as MarketRequest, config);
    expect(new URL(answer.next!.url).searchParams.get('page')).toBe('2');
    expect(ercot.parse(RT.replace('"currentPage": 1', '"currentPage": 5'), rt!, config).next).toBeUndefined();
  });
});
