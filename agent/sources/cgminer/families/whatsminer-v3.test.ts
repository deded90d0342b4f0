import { describe, expect, it } from 'vitest';
import { MinerError } from '../wire/errors.js';
import { whatsminerV3Api } from '../wire/whatsminer-v3-api.js';
import { whatsminerV3Family } from './whatsminer-v3.js';

// No capture of a v3 reply has been published (see fixtures/SOURCES.md): these replies are hand-written
// with the field names of the Whatsminer API v3 documentation.
const status = {
  code: 0,
  when: 1735000000,
  msg: {
    summary: {
      elapsed: 86400,
      'hash-realtime': 181.2,
      'hash-1min': 180.5,
      'hash-average': 179.9,
      'factory-hash': 186,
      'power-realtime': 3390,
      'power-5min': 3385,
      'board-temperature': [61.5, 64.25, 63],
      'chip-temp-max': 82,
      'fan-speed-in': 4980,
      'fan-speed-out': 5010,
    },
  },
  desc: 'get.miner.status',
};

describe('Whatsminer API v3', () => {
  it('reads get.miner.status: TH/s → H/s, power-realtime, hottest board', () => {
    const readout = whatsminerV3Family.parse(new Map([['get.miner.status', status]]), { family: 'whatsminer-v3', model: 'Whatsminer M60S VK30' });
    expect(readout).toEqual({
      model: 'Whatsminer M60S VK30',
      hashrate_hs: 180.5e12,
      reported_power_w: 3390,
      temp_c: 64.25,
      fan_rpm: 5010,
      uptime_s: 86400,
    });
  });

  it('turns a non-zero code into an api error carrying the reason', () => {
    const reply = { code: -2, when: 1, msg: 'invalid param', desc: 'get.miner.status' };
    const replies = new Map([['get.miner.status', whatsminerV3Api.replyError('get.miner.status', reply) ?? reply]]);
    expect(() => whatsminerV3Family.parse(replies, { family: 'whatsminer-v3' })).toThrow('get.miner.status: invalid param (code -2)');
  });

  it('passes transport errors through', () => {
    const timeout = new MinerError('timeout', 'no complete reply');
    expect(() => whatsminerV3Family.parse(new Map([['get.miner.status', timeout]]), { family: 'whatsminer-v3' })).toThrow(timeout);
  });
});
