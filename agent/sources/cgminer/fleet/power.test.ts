import { describe, expect, it } from 'vitest';
import { resolvePower } from './power.js';

describe('resolvePower', () => {
  it("uses the operator's per-miner figure as measured, over anything the miner says", () => {
    expect(resolvePower({ overrideW: 3200, reportedW: 3491, hashrateHs: 68e12, model: 'Antminer S19 Pro' })).toEqual({ power_w: 3200, power_source: 'measured' });
  });

  it("uses the miner's own report next", () => {
    expect(resolvePower({ reportedW: 3491, hashrateHs: 67.27e12 })).toEqual({ power_w: 3491, power_source: 'reported' });
  });

  it('estimates nameplate J/TH × measured hashrate for a stock Antminer', () => {
    // S19 Pro at 110.56689 TH/s × 29.5 J/TH
    const power = resolvePower({ hashrateHs: 110566.89e9, model: 'Antminer S19 Pro' });
    expect(power?.power_source).toBe('estimated');
    expect(power?.power_w).toBeCloseTo(3261.723, 3);
  });

  it('ignores an implausibly low report (Hiveon S9 start-up chain_power) and estimates instead', () => {
    const power = resolvePower({ reportedW: 34.65, hashrateHs: 11781.4e9, model: 'Antminer S9' });
    expect(power?.power_source).toBe('estimated');
    expect(power?.power_w).toBeCloseTo((1400 / 13.5) * 11.7814, 6); // 1221.78 W
  });

  it('keeps a low report when the miner is not hashing (idle, curtailed)', () => {
    expect(resolvePower({ reportedW: 12, hashrateHs: 0 })).toEqual({ power_w: 12, power_source: 'reported' });
  });

  it('applies per-model efficiency overrides', () => {
    expect(resolvePower({ hashrateHs: 100e12, model: 'Antminer S19j Pro', efficiency: { 'Antminer S19j Pro': 32 } })).toEqual({ power_w: 3200, power_source: 'estimated' });
  });

  it('gives no power rather than a guess when the model is unknown', () => {
    expect(resolvePower({ hashrateHs: 100e12, model: 'Antminer S99 Ultra' })).toBeUndefined();
    expect(resolvePower({ hashrateHs: 4.9e9, model: 'Hammer D10' })).toBeUndefined(); // in the table, but no nameplate power
    expect(resolvePower({ hashrateHs: 100e12 })).toBeUndefined();
    expect(resolvePower({})).toBeUndefined();
  });
});

describe('resolvePower for scrypt', () => {
  it('estimates an L3+ from its nameplate W per H/s (800 W at 504 MH/s)', () => {
    expect(resolvePower({ hashrateHs: 504.56e6, model: 'Antminer L3+' })?.power_w).toBeCloseTo((800 / 504e6) * 504.56e6, 9);
  });

  it('does not hold a scrypt report to the SHA-256 J/TH floor', () => {
    // 800 W at 504 MH/s is 1.6e6 J/TH; the floor is a SHA-256 figure. A (hypothetical) 5 TH/s scrypt
    // reading with a 20 W report would fail a SHA-256 floor, but is not judged by it.
    expect(resolvePower({ reportedW: 20, hashrateHs: 5e12, model: 'Antminer L3+' })).toEqual({ power_w: 20, power_source: 'reported' });
  });
});
