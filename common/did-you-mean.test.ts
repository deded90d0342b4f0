import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './did-you-mean.js';

describe('closest', () => {
  it('finds a typo, a swap and a wrong case', () => {
    expect(closest('hots', ['host', 'site', 'interval'])).toBe('host'); // one swap
    expect(closest('pasword_file', ['password', 'password_file', 'ca'])).toBe('password_file'); // one letter missing
    expect(closest('Interval', ['interval'])).toBe('interval');
  });
  it('suggests nothing far off', () => {
    expect(closest('frobnicate', ['host', 'site'])).toBeUndefined();
  });
  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});
