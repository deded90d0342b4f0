import { describe, expect, it } from 'vitest';
import { progressLine, ProgressRedraw } from './scan-progress.js';

describe('progressLine', () => {
  it('counts addresses and miners, with an estimate once there is something to go on', () => {
    expect(progressLine({ done: 0, total: 65_536, found: 0, elapsedMs: 0 })).toBe('0/65,536 addresses (0.0 %), 0 miners found');
    // 1,024 addresses in 4 s: 64,512 more take 252 s.
    expect(progressLine({ done: 1024, total: 65_536, found: 1, elapsedMs: 4000 })).toBe('1,024/65,536 addresses (1.6 %), 1 miner found, about 4m 12s left');
    expect(progressLine({ done: 1024, total: 65_536, found: 3, elapsedMs: 1000 })).toBe('1,024/65,536 addresses (1.6 %), 3 miners found');
    expect(progressLine({ done: 254, total: 254, found: 12, elapsedMs: 9000 })).toBe('254/254 addresses (100.0 %), 12 miners found');
  });
});

describe('ProgressRedraw', () => {
  it('redraws at most every 200 ms, always the final state, pads over a longer line and clears at the end', () => {
    let now = 0;
    const out: string[] = [];
    const redraw = new ProgressRedraw((t) => out.push(t), () => now);
    redraw.update({ done: 1, total: 100, found: 10, elapsedMs: 0 });
    now = 100;
    redraw.update({ done: 2, total: 100, found: 10, elapsedMs: 100 }); // too soon
    now = 250;
    redraw.update({ done: 3, total: 100, found: 0, elapsedMs: 250 });
    now = 260;
    redraw.update({ done: 100, total: 100, found: 0, elapsedMs: 260 }); // the last one is always drawn
    redraw.finish();
    expect(out).toEqual([
      '\r1/100 addresses (1.0 %), 10 miners found',
      '\r3/100 addresses (3.0 %), 0 miners found ',
      '\r100/100 addresses (100.0 %), 0 miners found',
      `\r${' '.repeat('100/100 addresses (100.0 %), 0 miners found'.length)}\r`,
    ]);
  });
});
