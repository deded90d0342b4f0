import { describe, expect, it } from 'vitest';
import { asicReply } from '../../../test/fixtures/asic/index.js';
import { detect, identify } from './detect.js';
import { MinerError } from './errors.js';
import type { JsonRecord } from './reply.js';

describe('identify', () => {
  it.each([
    ['antminer-s19pro-bmminer-stats.json', { family: 'antminer', model: 'Antminer S19 Pro' }],
    ['antminer-s9-hiveon-stats.invalid-missing-comma.txt', { family: 'hiveon', model: 'Antminer S9' }],
    ['antminer-s9k-version.invalid-trailing-garbage.txt', { family: 'antminer', model: 'Antminer S9k' }],
    ['whatsminer-m20sv10-get_psu.json', { family: 'whatsminer' }], // Description "whatsminer v1.4.0"
    ['whatsminer-m31s-status.btmineroff.json', { family: 'whatsminer' }],
    ['whatsminer-m31s-summary.json', { family: 'whatsminer' }], // Description "btminer"
    ['whatsminer-m31s-edevs.json', { family: 'whatsminer' }],
    ['whatsminer-m20s-summary.invalid-escape.txt', { family: 'whatsminer' }], // "cgminer 4.9.2", but Power_RT
    ['braiins-bosplus-s9-summary.json', { family: 'braiins' }],
    ['braiins-bosplus-s9-temps.json', { family: 'braiins' }],
    ['braiins-bosplus-s9-tunerstatus.json', { family: 'braiins' }],
    ['luxos-s19kpro-summary.json', { family: 'luxos' }],
    ['luxos-s19kpro-power.json', { family: 'luxos' }],
    ['avalon-1246-stats.json', { family: 'avalon', model: 'AvalonMiner 1246' }],
    ['avalon-q-stats.json', { family: 'avalon', model: 'Avalon Q' }],
  ])('%s → %o', (fixture, expected) => {
    expect(identify(asicReply(fixture))).toEqual(expected);
  });

  it.each([
    'antminer-s19pro-bmminer-summary.json', // "cgminer 1.0.0" and nothing family-specific
    'antminer-s19jpro-hiveon-devdetails.error-access-denied.json',
    'whatsminer-m30s-error-missing-command.json',
  ])('%s tells nothing', (fixture) => {
    expect(identify(asicReply(fixture))).toBeUndefined();
  });

  it('reads version replies of LuxOS, bosminer, Avalon and Hiveon builds', () => {
    const version = (row: JsonRecord, description = 'cgminer 4.11.1'): JsonRecord => ({ STATUS: [{ STATUS: 'S', Description: description }], VERSION: [row] });
    expect(identify(version({ LUXminer: '2024.9.17', Type: 'Antminer S19' }))).toEqual({ family: 'luxos', model: 'Antminer S19' });
    expect(identify(version({ BOSminer: '0.2.0', API: 3.7 }))).toEqual({ family: 'braiins' });
    expect(identify(version({ PROD: 'AvalonMiner 1246', MODEL: 1246 }))).toEqual({ family: 'avalon', model: 'AvalonMiner 1246' });
    expect(identify(version({ Type: 'Antminer S19j Pro', BMMiner: '1.0.0' }, '4.11.1 rwglr'))).toEqual({ family: 'hiveon', model: 'Antminer S19j Pro' });
  });
});

describe('detect', () => {
  const denied = asicReply('antminer-s19jpro-hiveon-devdetails.error-access-denied.json');

  it('walks past refused and denied commands to the first reply that tells', async () => {
    const asked: string[] = [];
    const identity = await detect(async (command) => {
      asked.push(command);
      if (command === 'version') throw new MinerError('malformed', 'unparseable reply');
      if (command === 'devdetails') return denied;
      return asicReply('antminer-s9-hiveon-stats.invalid-missing-comma.txt');
    });
    expect(identity).toEqual({ family: 'hiveon', model: 'Antminer S9' });
    expect(asked).toEqual(['version', 'devdetails', 'stats']);
  });

  it('gives up at once when the miner cannot be reached', async () => {
    const asked: string[] = [];
    const refused = new MinerError('refused', 'connection refused');
    await expect(
      detect(async (command) => {
        asked.push(command);
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(asked).toEqual(['version']);
  });

  it('calls a daemon that answers but says nothing recognisable generic cgminer', async () => {
    await expect(detect(async () => denied)).resolves.toEqual({ family: 'generic' });
  });

  it('fails when nothing it said could be parsed', async () => {
    await expect(detect(async () => Promise.reject(new MinerError('malformed', 'garbage')))).rejects.toThrow('garbage');
  });
});
