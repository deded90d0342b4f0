import { describe, expect, it } from 'vitest';
import { asicReply } from '../../../../test/fixtures/asic/index.js';
import { FAMILIES } from '../families/registry.js';
import { cgminerApi } from '../wire/cgminer-api.js';
import { MinerError } from '../wire/errors.js';
import type { CommandSpec } from '../wire/protocol.js';
import type { JsonRecord } from '../wire/reply.js';
import { whatsminerV3Api } from '../wire/whatsminer-v3-api.js';
import { detect } from './detect.js';

const identify = (reply: JsonRecord) => FAMILIES.recognise(reply, 'cgminer');
/** Detection over the CGMiner API, with `answer` standing in for the miner. */
const detectCgminer = (answer: (command: string) => Promise<JsonRecord>) => detect(cgminerApi, FAMILIES, (spec: CommandSpec) => answer(spec.command));

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
    expect(identify(asicReply(fixture))).toMatchObject(expected);
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
    // The firmware is the daemon's Description unless the family knows better.
    expect(identify(version({ LUXminer: '2024.9.17', Type: 'Antminer S19' }))).toEqual({ family: 'luxos', model: 'Antminer S19', firmware: 'cgminer 4.11.1' });
    expect(identify(version({ BOSminer: '0.2.0', API: 3.7 }, 'BOSminer 0.2.0'))).toEqual({ family: 'braiins', firmware: 'BOSminer 0.2.0' });
    expect(identify(version({ PROD: 'AvalonMiner 1246', MODEL: 1246, VERSION: '21072802_4ec6bb0_61407fa' }))).toEqual({
      family: 'avalon',
      model: 'AvalonMiner 1246',
      firmware: '21072802_4ec6bb0_61407fa',
    });
    expect(identify(version({ Type: 'Antminer S19j Pro', BMMiner: '1.0.0' }, '4.11.1 rwglr'))).toEqual({ family: 'hiveon', model: 'Antminer S19j Pro', firmware: 'bmminer 1.0.0' });
  });
});

describe('detect', () => {
  const denied = asicReply('antminer-s19jpro-hiveon-devdetails.error-access-denied.json');

  it('walks past refused and denied commands to the first reply that tells', async () => {
    const asked: string[] = [];
    const identity = await detectCgminer(async (command) => {
      asked.push(command);
      if (command === 'version') throw new MinerError('malformed', 'unparseable reply');
      if (command === 'devdetails') return denied;
      return asicReply('antminer-s9-hiveon-stats.invalid-missing-comma.txt');
    });
    expect(identity).toMatchObject({ family: 'hiveon', model: 'Antminer S9' });
    expect(asked).toEqual(['version', 'devdetails', 'stats']);
  });

  it('gives up at once when the miner cannot be reached', async () => {
    const asked: string[] = [];
    const refused = new MinerError('refused', 'connection refused');
    await expect(
      detectCgminer(async (command) => {
        asked.push(command);
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(asked).toEqual(['version']);
  });

  it('calls a daemon that answers but says nothing recognisable generic cgminer', async () => {
    await expect(detectCgminer(async () => denied)).resolves.toEqual({ family: 'generic' });
  });

  it('fails when nothing it said could be parsed', async () => {
    await expect(detectCgminer(async () => Promise.reject(new MinerError('malformed', 'garbage')))).rejects.toThrow('garbage');
  });

  it('identifies a Whatsminer API v3 miner and its model from get.device.info, and fails on its error reply', async () => {
    await expect(detect(whatsminerV3Api, FAMILIES, async () => ({ code: 0, msg: { miner: { type: 'M60S_VK30' } } }))).resolves.toEqual({
      family: 'whatsminer-v3',
      model: 'Whatsminer M60S', // board revision VK30 kept as model_raw
      model_raw: 'Whatsminer M60S VK30',
    });
    await expect(detect(whatsminerV3Api, FAMILIES, async () => ({ code: -1, msg: 'invalid command' }))).rejects.toThrow('get.device.info: invalid command (code -1)');
  });
});
