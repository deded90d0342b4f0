import { describe, expect, it } from 'vitest';
import { asicReply } from '../../../../test/fixtures/asic/index.js';
import { MinerError } from './errors.js';
import { checkReply, replyStatus, splitMulti } from './reply.js';

describe('replyStatus', () => {
  it('reads the cgminer STATUS array', () => {
    expect(replyStatus(asicReply('braiins-bosplus-s9-summary.json'))).toEqual({ ok: true, code: 11, message: 'Summary', description: 'BOSminer+ 0.2.0-36c56a9363' });
  });

  it("reads btminer's flat shape (STATUS a string, Msg an object)", () => {
    expect(replyStatus(asicReply('whatsminer-m20sv10-get_psu.json'))).toEqual({ ok: true, code: 131, description: 'whatsminer v1.4.0' });
    expect(replyStatus(asicReply('whatsminer-m31s-status.btmineroff.json'))).toEqual({ ok: true, code: 131, description: 'whatsminer v1.3' });
  });

  it('marks error replies as not ok', () => {
    expect(replyStatus(asicReply('antminer-s19jpro-hiveon-devdetails.error-access-denied.json'))).toEqual({
      ok: false,
      code: 45,
      message: "Access denied to 'devdetails' command",
      description: 'bmminer 1.0.0',
    });
  });
});

describe('checkReply', () => {
  it('turns an error reply into an api MinerError naming the command and code', () => {
    const reply = asicReply('whatsminer-m30s-error-missing-command.json');
    let error: unknown;
    try {
      checkReply('summary', reply);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MinerError);
    expect(error).toMatchObject({ kind: 'api', code: 24, message: "summary: Missing JSON 'command' (code 24)" });
  });
});

describe('splitMulti', () => {
  it('splits the Avalon pools+summary+stats reply into its sections', () => {
    const parts = splitMulti(asicReply('avalon-10xx-pools+summary+stats.json'), ['summary', 'stats']);
    expect((parts.get('summary') as any).SUMMARY[0]['MHS 30s']).toBe(32247416.81);
    expect((parts.get('stats') as any).STATS[0].ID).toBe('AVA100');
  });

  it('gives every command the error when the firmware rejected the joined request', () => {
    const error = asicReply('whatsminer-m30s-error-missing-command.json');
    const parts = splitMulti(error, ['summary', 'stats']);
    expect(parts.get('summary')).toBe(error);
    expect(parts.get('stats')).toBe(error);
  });

  it('reports a section missing from a multi-command reply', () => {
    const parts = splitMulti({ summary: [{ STATUS: [{ STATUS: 'S' }] }], id: 1 }, ['summary', 'stats']);
    expect(parts.get('stats')).toBeInstanceOf(MinerError);
  });
});
