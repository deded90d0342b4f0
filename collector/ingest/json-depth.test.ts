import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or after escapes', () => {
    expect(nestsDeeperThan(bytes('{"devices":[{"id":"a"}]}'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('{"devices":[{"id":"a"}]}'), 2)).toBe(true);
    expect(nestsDeeperThan(bytes('{"id":"[[[[{{{{"}'), 1)).toBe(false);
    // An escaped quote does not end the string, so the brackets after it are still inside it.
    expect(nestsDeeperThan(bytes('{"id":"\\"[[[["}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"id":"\\\\"}'), 1)).toBe(false);
  });

  it('finds 400,000 levels without parsing them', () => {
    const deep = '['.repeat(400_000) + ']'.repeat(400_000);
    expect(nestsDeeperThan(bytes(deep), 16)).toBe(true);
  });
});
