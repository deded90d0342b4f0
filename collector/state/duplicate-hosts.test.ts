import { describe, expect, it } from 'vitest';
import { DuplicateHosts } from './duplicate-hosts.js';

describe('DuplicateHosts', () => {
  it('flags a host whose instances alternate, not one that restarted', () => {
    const d = new DuplicateHosts(600_000);
    d.observe('s', 'restarted', 'a', 0);
    d.observe('s', 'restarted', 'b', 1000);
    d.observe('s', 'restarted', 'b', 2000);
    d.observe('s', 'twin', 'a', 0);
    d.observe('s', 'twin', 'b', 1000);
    expect(d.flagged(1000)).toEqual([]);
    d.observe('s', 'twin', 'a', 2000);
    expect(d.flagged(2000)).toEqual([['s', 'twin']]);
    // Ten minutes after the last alternation (one machine renamed), the flag clears.
    expect(d.flagged(602_001)).toEqual([]);
  });
});
