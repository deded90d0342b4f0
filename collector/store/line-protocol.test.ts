// Hand-built line protocol: exact strings for the escaping rules, and hostile names written to a
// real InfluxDB 1.x and read back unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInflux, type InfluxHandle } from '../../test/harness/index.js';
import { toLineProtocol } from './line-protocol.js';

describe('toLineProtocol', () => {
  it('escapes per the line-protocol reference and writes numbers as floats', () => {
    const line = toLineProtocol([
      { measurement: 'gpu load,x', tags: { site: 's', 'de vice': 'a=b,c d' }, fields: { power_w: 700, up: false, error: 'say "hi" \\o/' }, timestamp: '1764000000000000000' },
    ]);
    // Measurement: comma and space; tag keys and values: comma, equals, space; strings: quote and backslash.
    expect(line).toBe('gpu\\ load\\,x,site=s,de\\ vice=a\\=b\\,c\\ d power_w=700,up=false,error="say \\"hi\\" \\\\o/" 1764000000000000000\n');
  });

  it('escapes a tag value the same on every point, past the bound of escaped values kept', () => {
    const line = (model: string) => toLineProtocol([{ measurement: 'asic', tags: { model }, fields: { v: 1 }, timestamp: '1' }]);
    expect(line('Antminer S19 Pro')).toBe('asic,model=Antminer\\ S19\\ Pro v=1 1\n');
    for (let i = 0; i < 10_001; i++) expect(line(`m ${i}`)).toBe(`asic,model=m\\ ${i} v=1 1\n`);
    expect(line('Antminer S19 Pro')).toBe('asic,model=Antminer\\ S19\\ Pro v=1 1\n');
    expect(line('m 5')).toBe('asic,model=m\\ 5 v=1 1\n');
  });

  it('leaves out empty tag values and refuses a point without fields', () => {
    expect(toLineProtocol([{ measurement: 'm', tags: { a: '', b: 'x' }, fields: { v: 1.5e21 }, timestamp: '1' }])).toBe('m,b=x v=1.5e+21 1\n');
    expect(() => toLineProtocol([{ measurement: 'asic', tags: {}, fields: {}, timestamp: '1' }])).toThrow('point of asic has no fields');
  });
});

describe('toLineProtocol against InfluxDB 1.x', () => {
  let influx: InfluxHandle;
  beforeAll(async () => {
    influx = await startInflux();
    await influx.createDatabase('lp');
  });
  afterAll(() => influx?.stop());

  // Every value the wire schema lets through as a tag (no control characters, no trailing backslash).
  const hostile = ['a b', 'a,b', 'a=b', 'a\\b', 'a\\ b', 'a\\,b', 'a\\=b', 'x"y', "o'k", 'ü 漢 🙂', ' lead', '=,= ,'];

  it('round-trips hostile tag values, string fields and measurement names exactly', async () => {
    const points = hostile.map((value, i) => ({
      measurement: 'asic fleet,v2',
      tags: { device: value, idx: String(i) },
      fields: { error: `${value} "quoted" \\ back\nline`, power_w: 3250.5 + i, up: i % 2 === 0 },
      timestamp: String(1_764_000_000_000 + i),
    }));
    await influx.write('lp', toLineProtocol(points));
    const rows = await influx.rows('lp', 'SELECT * FROM "asic fleet,v2" GROUP BY *');
    const byIdx = new Map(rows.map((r) => [Number(r.idx), r]));
    expect(byIdx.size).toBe(hostile.length);
    for (const [i, value] of hostile.entries()) {
      expect(byIdx.get(i)).toMatchObject({ device: value, error: `${value} "quoted" \\ back\nline`, power_w: 3250.5 + i, up: i % 2 === 0 });
    }
  });
});
