import { describe, expect, it } from 'vitest';
import { changedKeys } from './config-changes.js';

describe('changedKeys', () => {
  it('names changed, added and removed leaf keys by path; lists whole', () => {
    const before = { site: 'a', mqtt: { url: 'mqtt://x', password: 's1' }, sources: [{ type: 'host' }], interval: 10_000 };
    const after = { site: 'a', mqtt: { url: 'mqtt://y', password: 's2', ca: '/ca.pem' }, sources: [{ type: 'host' }, { type: 'nvidia' }], interval: 10_000 };
    expect(changedKeys(before, after)).toEqual(['mqtt.ca', 'mqtt.password', 'mqtt.url', 'sources']);
    expect(changedKeys(before, structuredClone(before))).toEqual([]);
  });
});
