import { describe, expect, it } from 'vitest';
import { parseJsonPrices } from './json.js';

describe('json prices', () => {
  it('reads the documented shape, offsets included', () => {
    const body = JSON.stringify([
      { start: '2026-07-01T00:00:00Z', end: '2026-07-01T01:00:00Z', price_per_mwh: 38.5 },
      { start: '2026-07-01T01:00:00+02:00', end: '2026-07-01T02:00:00+02:00', price_per_mwh: -4 },
    ]);
    expect(parseJsonPrices(body).intervals).toEqual([
      { start_ms: Date.parse('2026-07-01T00:00:00Z'), end_ms: Date.parse('2026-07-01T01:00:00Z'), price: 38.5 },
      { start_ms: Date.parse('2026-06-30T23:00:00Z'), end_ms: Date.parse('2026-07-01T00:00:00Z'), price: -4 },
    ]);
  });

  it('names what is wrong', () => {
    expect(() => parseJsonPrices('nope')).toThrow('json: answer is not JSON; it starts "nope"');
    expect(() => parseJsonPrices('[{"start":"2026-07-01T00:00:00Z","end":"2026-07-01T00:00:00Z","price_per_mwh":1}]')).toThrow(/at 0\.end: end must be after start/);
    expect(() => parseJsonPrices('[{"start":"yesterday","end":"2026-07-01T00:00:00Z","price_per_mwh":1}]')).toThrow(/at 0\.start: /);
    expect(() => parseJsonPrices('{"price": 3}')).toThrow(/^json: expected \[\{"start", "end", "price_per_mwh"\}\]/);
  });
});
