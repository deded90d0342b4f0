import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entsoe, parseEntsoe, resolutionMs } from './entsoe.js';

// Fixtures and their provenance: fixtures/SOURCES.md.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/entsoe/${name}`, import.meta.url), 'utf8');
const BE = fixture('BE-2024-10-08-A44-PT60M-A03.hass-entso-e.xml');
const DE = fixture('DE-LU-2024-10-06+07-A44-PT60M+PT15M-A03-gaps.hass-entso-e.xml');
const at = (iso: string) => Date.parse(iso);

/** Position -> price of each Period in a document, read with a regex (independent of the XML parser). */
function points(xml: string): { start: number; resolution: number; prices: Map<number, number> }[] {
  return xml.split('<Period>').slice(1).map((p) => ({
    start: at(/<start>(.*?)<\/start>/.exec(p)![1]!),
    resolution: /<resolution>PT(\d+)M</.exec(p)![1]! === '15' ? 900_000 : 3_600_000,
    prices: new Map([...p.matchAll(/<position>(\d+)<\/position>\s*<price\.amount>(.*?)<\/price\.amount>/g)].map((m) => [Number(m[1]), Number(m[2])])),
  }));
}

describe('ENTSO-E A44', () => {
  it('Belgium 2024-10-08: 24 hourly prices from 2024-10-07T22:00Z, as published', () => {
    const { intervals, currency } = parseEntsoe(BE);
    expect(currency).toBe('EUR');
    expect(intervals).toHaveLength(24);
    expect(intervals[0]).toEqual({ start_ms: at('2024-10-07T22:00Z'), end_ms: at('2024-10-07T23:00Z'), price: 64.98 });
    expect(intervals[23]).toEqual({ start_ms: at('2024-10-08T21:00Z'), end_ms: at('2024-10-08T22:00Z'), price: 50 });
    expect(Math.max(...intervals.map((i) => i.price))).toBe(115.47); // position 20, 17:00Z
  });

  it('DE-LU with two days, hourly and 15-minute series and gaps: the 15-minute series, every quarter hour right', () => {
    const { intervals } = parseEntsoe(DE);
    // Two days of quarter hours, contiguous: the hourly series is covered by the finer one everywhere.
    expect(intervals).toHaveLength(192);
    intervals.forEach((i, k) => expect([i.start_ms, i.end_ms]).toEqual([at('2024-10-05T22:00Z') + k * 900_000, at('2024-10-05T22:00Z') + (k + 1) * 900_000]));
    const quarterPeriods = points(DE).filter((p) => p.resolution === 900_000);
    for (const period of quarterPeriods) {
      let held = NaN;
      for (let position = 1; position <= 96; position++) {
        held = period.prices.get(position) ?? held; // A03: a missing position holds the previous price
        const i = intervals.find((x) => x.start_ms === period.start + (position - 1) * 900_000)!;
        expect(i.price).toBe(held);
      }
    }
    // The two gaps: day 1 position 23 (03:30Z) holds position 22's 68.2; day 2 position 6 (23:15Z) holds 64.91.
    expect(intervals.find((i) => i.start_ms === at('2024-10-06T03:30Z'))!.price).toBe(68.2);
    expect(intervals.find((i) => i.start_ms === at('2024-10-06T23:15Z'))!.price).toBe(64.91);
    // Negative prices stay negative.
    expect(Math.min(...intervals.map((i) => i.price))).toBe(-29.91);
  });

  it('the hourly series alone: 48 hours, position 15 of day 1 (12:00Z) holds position 14\'s -0.01', () => {
    // The document with its second (15-minute) TimeSeries cut out.
    const [head, first] = DE.split('<TimeSeries>');
    const hourly = `${head}<TimeSeries>${first}</Publication_MarketDocument>`;
    const { intervals } = parseEntsoe(hourly);
    expect(intervals).toHaveLength(48);
    expect(intervals.find((i) => i.start_ms === at('2024-10-06T11:00Z'))!.price).toBe(-0.01);
    expect(intervals.find((i) => i.start_ms === at('2024-10-06T12:00Z'))!.price).toBe(-0.01);
    expect(Math.max(...intervals.map((i) => i.price))).toBe(237.65);
  });

  it('"No matching data" (HTTP 200 acknowledgement) is no prices, not an error; another reason is an error', () => {
    const ack = fixture('acknowledgement-999-no-matching-data.guide-example.xml');
    expect(parseEntsoe(ack)).toEqual({ intervals: [] });
    expect(() => parseEntsoe(ack.replace('<code>999</code>', '<code>B11</code>').replace('No matching data found', 'Invalid token'))).toThrow('entsoe: request refused: reason B11 Invalid token');
  });

  it('explains garbage, a wrong unit, a period that is not whole slots and a missing first position', () => {
    expect(() => parseEntsoe('<html><body>Bad Gateway</body></html>')).toThrow('entsoe: expected a Publication_MarketDocument, got html');
    expect(() => parseEntsoe('{"not":"xml"}')).toThrow(/^entsoe: /);
    expect(() => parseEntsoe(BE.replace('<price_Measure_Unit.name>MWH', '<price_Measure_Unit.name>KWH'))).toThrow('entsoe: prices per KWH, expected per MWH');
    expect(() => parseEntsoe(BE.replace('<end>2024-10-08T22:00Z</end>\n            </timeInterval>', '<end>2024-10-08T22:30Z</end>\n            </timeInterval>'))).toThrow(/is not a whole number of PT60M/);
    expect(() => parseEntsoe(BE.replace('<position>1</position>', '<position>99</position>'))).toThrow('entsoe: period starting 2024-10-07T22:00Z has no position 1');
    expect(resolutionMs('PT15M')).toBe(900_000);
    expect(resolutionMs('PT1H')).toBe(3_600_000);
    expect(() => resolutionMs('P1D')).toThrow(/unsupported resolution/);
  });

  it('asks for A44 from yesterday to two days ahead and keeps the token out of the label', () => {
    const [r] = entsoe.requests({ type: 'entsoe', url: 'http://127.0.0.1:9/api', bidding_zone: '10YBE----------2', security_token_file: '/t' }, at('2024-10-07T14:00Z'), () => 'SECRET');
    const u = new URL(r!.url);
    expect(Object.fromEntries(u.searchParams)).toEqual({
      documentType: 'A44',
      in_Domain: '10YBE----------2',
      out_Domain: '10YBE----------2',
      periodStart: '202410060000',
      periodEnd: '202410090000',
      securityToken: 'SECRET',
    });
    expect(r!.label).not.toContain('SECRET');
  });
});
