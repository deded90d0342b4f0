import { describe, expect, it } from 'vitest';
import { addressesOf, parseCidr } from './cidr.js';

describe('parseCidr', () => {
  it('lists the host addresses of a subnet, without network and broadcast', () => {
    expect(addressesOf(parseCidr('10.0.3.0/29'))).toEqual(['10.0.3.1', '10.0.3.2', '10.0.3.3', '10.0.3.4', '10.0.3.5', '10.0.3.6']);
    expect(addressesOf(parseCidr('10.0.3.77/30'))).toEqual(['10.0.3.77', '10.0.3.78']);
    expect(parseCidr('10.0.0.0/16')).toEqual({ first: 0x0a000001, last: 0x0a00fffe, prefix: 16 });
  });

  it('takes /31, /32 and a bare address whole', () => {
    expect(addressesOf(parseCidr('127.0.0.2/31'))).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(addressesOf(parseCidr('127.0.0.1/32'))).toEqual(['127.0.0.1']);
    expect(addressesOf(parseCidr('192.168.1.20'))).toEqual(['192.168.1.20']);
  });

  it('refuses anything wider than a /16, saying why', () => {
    expect(() => parseCidr('10.0.0.0/8')).toThrow('refusing to scan 10.0.0.0/8: 16,777,216 addresses; the largest scan is a /16 (65,536). Scan it in /16 pieces.');
    expect(() => parseCidr('10.0.0.0/15')).toThrow(/131,072 addresses/);
  });

  it('rejects what is not an IPv4 range', () => {
    for (const bad of ['10.0.3/24', '10.0.3.256/24', '10.0.3.0/33', 'fe80::/64', 'rack-7', '']) {
      expect(() => parseCidr(bad), bad).toThrow(/not an IPv4 range/);
    }
  });
});
