import { describe, expect, it } from 'vitest';
import { CgminerConfig, minerId, splitAddress } from './config.js';

function issues(input: unknown): string[] {
  const result = CgminerConfig.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('cgminer source config', () => {
  it('accepts the documented forms and fills in defaults (durations in ms)', () => {
    const config = CgminerConfig.parse({
      type: 'cgminer',
      miners: ['10.0.3.17', '10.0.3.18:4028', '10.0.3.20:4029', { host: '10.0.3.19', port: 4028, power_w: 3200, family: 'whatsminer' }, { host: 'rack1-m7', family: 'whatsminer-v3' }],
      concurrency: 64,
      timeout: '3s',
    });
    expect(config.workload).toBe('mining');
    expect(config.miners).toEqual([
      { id: '10.0.3.17', host: '10.0.3.17', port: 4028 },
      { id: '10.0.3.18', host: '10.0.3.18', port: 4028 },
      { id: '10.0.3.20:4029', host: '10.0.3.20', port: 4029 },
      { id: '10.0.3.19', host: '10.0.3.19', port: 4028, power_w: 3200, family: 'whatsminer' },
      { id: 'rack1-m7:4433', host: 'rack1-m7', port: 4433, family: 'whatsminer-v3' },
    ]);
    expect(config).toMatchObject({ concurrency: 64, timeout: 3000, connect_timeout: 1000, jitter: 250, max_backoff: 300_000, max_reply_bytes: 1024 * 1024, redetect_after: 3, efficiency: {} });
  });

  it('names the bad key and says what was expected', () => {
    expect(issues({ type: 'cgminer', miners: ['10.0.3.300'] })).toEqual(['miners.0.host: not an IP address or host name: "10.0.3.300"']);
    expect(issues({ type: 'cgminer', miners: ['10.0.3.17:99999'] })).toEqual(['miners.0.port: Too big: expected number to be <=65535']);
    expect(issues({ type: 'cgminer', miners: [{ host: '10.0.3.17', powr_w: 3200 }] })).toEqual(['miners.0: Unrecognized key: "powr_w"']);
    expect(issues({ type: 'cgminer', miners: [4028] })).toEqual(['miners.0: expected "host", "host:port" or { host, port, family, model, power_w }']);
    expect(issues({ type: 'cgminer', miners: [{ host: '10.0.3.17', family: 'bitmain' }] })[0]).toMatch(/^miners\.0\.family: unknown family "bitmain"; one of: whatsminer, braiins/);
    expect(issues({ type: 'cgminer', miners: [] })).toEqual(['miners: list at least one miner, e.g. miners: [10.0.3.17]']);
    expect(issues({ type: 'cgminer', miners: ['10.0.3.17', '10.0.3.17:4028'] })).toEqual(['miners.1: duplicate miner 10.0.3.17 (also miners[0])']);
    expect(issues({ type: 'cgminer', miners: ['10.0.3.17'], timeout: '1s', connect_timeout: '2s' })).toEqual(['connect_timeout: must not exceed timeout']);
    expect(issues({ type: 'cgminer', miners: ['10.0.3.17'], timeout: 'soon' })[0]).toMatch(/^timeout: expected a duration/);
    expect(issues({ type: 'cgminer', miners: ['10.0.3.17'], concurrency: 0 })[0]).toMatch(/^concurrency: /);
  });

  it('splits addresses, IPv6 included, and derives consistent device ids', () => {
    expect(splitAddress('[fe80::1]:4029')).toEqual({ host: 'fe80::1', port: 4029 });
    expect(splitAddress('fe80::1')).toEqual({ host: 'fe80::1' });
    expect(splitAddress(' miner-7.lan:4028 ')).toEqual({ host: 'miner-7.lan', port: 4028 });
    expect(minerId('fe80::1', 4029)).toBe('[fe80::1]:4029');
    expect(minerId('fe80::1', 4028)).toBe('fe80::1');
  });
});
