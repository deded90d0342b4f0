import { describe, expect, it } from 'vitest';
import { asicReplies, asicReply } from '../../../../test/fixtures/asic/index.js';
import { avalonFamily, avalonModel, parseMmTokens } from './avalon.js';
import { MinerError } from '../wire/errors.js';
import { splitMulti, type JsonRecord } from '../wire/reply.js';

const noSummary = new MinerError('api', 'summary: Invalid command (code 14)', 14);

describe('Avalon', () => {
  it('reads an AvalonMiner 1246 from its MM ID0 string alone', () => {
    const readout = avalonFamily.parse(asicReplies({ summary: noSummary, stats: 'avalon-1246-stats.json' }), { family: 'avalon' });
    expect(readout).toEqual({
      model: 'AvalonMiner 1246',
      hashrate_hs: 81072.68e9, // GHSspd
      reported_power_w: 3189, // PS[4]
      temp_c: 77, // TMax
      fan_rpm: 5392, // Fan1..4 = 5344 5392 5349 5309
      uptime_s: 24684,
      hw_errors: 2735,
      shares_accepted: undefined,
      shares_rejected: undefined,
    });
  });

  it('reads the 10xx multi-command reply: summary MH/s, no PSU telemetry', () => {
    const parts = splitMulti(asicReply('avalon-10xx-pools+summary+stats.json'), ['summary', 'stats']);
    const readout = avalonFamily.parse(parts, { family: 'avalon' });
    expect(readout).toEqual({
      model: 'AvalonMiner 1047',
      hashrate_hs: 32247416.81e6, // "MHS 30s"
      reported_power_w: undefined, // PS[0 0 0 0 0 0]
      temp_c: 64,
      fan_rpm: 2927,
      uptime_s: 155,
      hw_errors: 0,
      shares_accepted: 6,
      shares_rejected: 0,
    });
  });

  it('reads the 10xx reply sent with a bare nan right after start-up', () => {
    const parts = splitMulti(asicReply('avalon-10xx-pools+summary+stats.invalid-nan.txt'), ['summary', 'stats']);
    expect(avalonFamily.parse(parts, { family: 'avalon' })).toMatchObject({ hashrate_hs: 0, temp_c: 64, uptime_s: 155, shares_accepted: 6 });
  });

  it('reads an idle Avalon Q (newer "MM ID0:Summary" layout)', () => {
    const readout = avalonFamily.parse(asicReplies({ summary: noSummary, stats: 'avalon-q-stats.json' }), { family: 'avalon' });
    expect(readout).toEqual({
      model: 'Avalon Q',
      note: 'not hashing (Work: In Idle, Hash Board: 1)', // SYSTEMSTATU
      hashrate_hs: 0, // GHSspd[0.00]
      reported_power_w: undefined, // PS[4] = 0
      temp_c: 27, // TMax[0] while idle; HBOTemp/HBITemp 27
      fan_rpm: 0,
      uptime_s: 37819,
      hw_errors: 0,
      shares_accepted: undefined,
      shares_rejected: undefined,
    });
  });

  it('prefers WALLPOWER where the firmware reports it', () => {
    // Hand-written MM ID string in the A1566 layout pyasic reads WALLPOWER from.
    const stats = { STATUS: [{ STATUS: 'S' }], STATS: [{ ID: 'AVA100', Elapsed: 10, 'MM ID0': 'Ver[1566-x] GHSspd[185000] PS[0 1 2 3 3600 5 6] WALLPOWER[3731] TMax[70]' }] };
    const readout = avalonFamily.parse(new Map<string, JsonRecord | MinerError>([['summary', noSummary], ['stats', stats]]), { family: 'avalon' });
    expect(readout).toMatchObject({ model: 'AvalonMiner 1566', reported_power_w: 3731, hashrate_hs: 185000e9 });
  });

  it('parses Key[value] tokens and model names', () => {
    expect([...parseMmTokens('Ver[Q-1] PS[0 1222 4] SYSTEMSTATU[Work: In Idle, Hash Board: 1]')]).toEqual([
      ['Ver', 'Q-1'],
      ['PS', '0 1222 4'],
      ['SYSTEMSTATU', 'Work: In Idle, Hash Board: 1'],
    ]);
    expect(avalonModel('1246-83-21072802_4ec6bb0_211fc46')).toBe('AvalonMiner 1246');
    expect(avalonModel('Q-25052801_14a19a2')).toBe('Avalon Q');
    expect(avalonModel('9211809-b4b3d00')).toBe('AvalonMiner 921'); // model 921, then the build's YYMM
    expect(avalonModel('15-194-24102401_25462b2_9ddf522')).toBe('AvalonMiner 15-194'); // series-TH/s, as PROD names it
    expect(avalonModel(undefined)).toBeUndefined();
  });
});
