import { describe, expect, it } from 'vitest';
import { asicFixture } from '../../../../test/fixtures/asic/index.js';
import { MinerError } from './errors.js';
import { newRepairStats, parseMinerJson } from './repair.js';

type Rec = Record<string, any>;

describe('parseMinerJson on the recorded firmware quirks', () => {
  it('fixes bmminer/Hiveon "}{" between STATS rows and reads the string "GHS 5s" as a number', () => {
    const stats = newRepairStats();
    const reply: Rec = parseMinerJson(asicFixture('antminer-s9-hiveon-stats.invalid-missing-comma.txt'), stats);
    expect(reply.STATS).toHaveLength(2);
    expect(reply.STATS[0].Type).toBe('Antminer S9 Hiveon');
    expect(reply.STATS[1]['GHS 5s']).toBe(11781.4);
    expect(reply.STATS[1].chain_power).toBe('34.65 (AB)');
    expect(stats).toMatchObject({ missing_comma: 1, numeric_string: 1, unrepairable: 0, generic: 0 });
  });

  it('keeps the first object of the S9k version reply and drops the stray `"}`', () => {
    const stats = newRepairStats();
    const reply: Rec = parseMinerJson(asicFixture('antminer-s9k-version.invalid-trailing-garbage.txt'), stats);
    expect(reply.VERSION[0]).toMatchObject({ Type: 'Antminer S9k', CGMiner: '4.9.0', Miner: '13.10.1.3' });
    expect(stats.trailing_bytes).toBe(1);
  });

  it("reads btminer's \\' as a quote", () => {
    const stats = newRepairStats();
    const reply: Rec = parseMinerJson(asicFixture('whatsminer-m20s-summary.invalid-escape.txt'), stats);
    expect(reply.SUMMARY[0]['Firmware Version']).toBe("'20200917.22.REL'");
    expect(reply.SUMMARY[0].Power).toBe(3491);
    expect(stats.invalid_escape).toBe(1);
  });

  it('reads Avalon bare nan as null (missing, not zero) and drops the trailing quote', () => {
    const stats = newRepairStats();
    const reply: Rec = parseMinerJson(asicFixture('avalon-10xx-pools+summary+stats.invalid-nan.txt'), stats);
    expect(reply.summary[0].SUMMARY[0]['MHS av']).toBeNull();
    expect(reply.summary[0].SUMMARY[0]['MHS 30s']).toBe(0);
    expect(reply.pools[0].POOLS).toHaveLength(3);
    expect(stats).toMatchObject({ non_finite: 1, trailing_bytes: 1, unrepairable: 0 });
  });

  it('also repairs -inf and Infinity', () => {
    expect(parseMinerJson('{"a":-inf,"b":Infinity,"c":[nan]}')).toEqual({ a: null, b: null, c: [null] });
  });

  it('parses the strict fixtures with no JSON repair at all', () => {
    for (const name of ['braiins-bosplus-s9-summary.json', 'luxos-s19kpro-power.json', 'whatsminer-m31s-edevs.json', 'avalon-q-stats.json']) {
      const stats = newRepairStats();
      parseMinerJson(asicFixture(name), stats);
      expect({ name, ...stats }).toEqual({ name, ...newRepairStats() });
    }
  });

  it('turns numeric strings into numbers but leaves versions, serials and words alone', () => {
    const reply: Rec = parseMinerJson(asicFixture('antminer-s19pro-bmminer-stats.json'));
    expect(reply.STATS[1].chain_rate1).toBe(37603.3);
    expect(reply.STATS[1].chain_rate4).toBe('');
    expect(reply.STATS[0].Miner).toBe('49.0.1.3');
    expect(reply.STATS[1].miner_id).toBe('8144d5ca79104814');
    expect(parseMinerJson('{"DNA":"0201000012345678","btmineroff":"true"}')).toEqual({ DNA: '0201000012345678', btmineroff: 'true' });
  });

  it('strips NUL bytes and counts them', () => {
    const stats = newRepairStats();
    expect(parseMinerJson('{"id":1}\0\0', stats)).toEqual({ id: 1 });
    expect(stats.nul).toBe(1);
  });

  it('completes a reply cut between values', () => {
    const full = asicFixture('braiins-bosplus-s9-summary.json');
    const cut = full.slice(0, full.lastIndexOf('}],"id"') + 1); // ends after the SUMMARY row
    const stats = newRepairStats();
    const reply: Rec = parseMinerJson(cut, stats);
    expect(reply.SUMMARY[0]['MHS 5s']).toBe(15740915.842676325);
    expect(stats.truncated).toBe(1);
  });

  it('refuses a reply cut inside a value rather than guess it', () => {
    const full = asicFixture('braiins-bosplus-s9-summary.json');
    const cut = full.slice(0, full.indexOf('"MHS 5s":') + '"MHS 5s":15740'.length);
    const stats = newRepairStats();
    expect(() => parseMinerJson(cut, stats)).toThrow(/cut inside a value/);
    expect(stats.unrepairable).toBe(1);
  });

  it('hands other breakage to jsonrepair and counts it as generic', () => {
    const stats = newRepairStats();
    expect(parseMinerJson('{STATUS:[{STATUS:"S",Code:11}],id:1}', stats)).toEqual({ STATUS: [{ STATUS: 'S', Code: 11 }], id: 1 });
    expect(stats.generic).toBe(1);
  });

  it('rejects garbage, empty replies and non-objects with a malformed MinerError', () => {
    const stats = newRepairStats();
    for (const text of ['\x16\x03\x01\xff', '', '   ', '[1,2]']) {
      const error = (() => {
        try {
          parseMinerJson(text, stats);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(MinerError);
      expect((error as MinerError).kind).toBe('malformed');
    }
    expect(stats.unrepairable).toBe(4);
  });
});
