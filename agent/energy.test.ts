import { describe, expect, it } from 'vitest';
import { EnergyMeter } from './energy.js';

describe('EnergyMeter', () => {
  it('integrates power with the trapezoid rule', () => {
    const m = new EnergyMeter(60_000);
    expect(m.update('gpu', 0, 100, undefined)).toEqual({ energy_j: 0 });
    expect(m.update('gpu', 10_000, 300, undefined)).toEqual({ energy_j: 2000 }); // (100+300)/2 W × 10 s
    expect(m.update('gpu', 20_000, 300, undefined)).toEqual({ energy_j: 5000 });
  });

  it('adds nothing across a gap longer than maxGap, then carries on', () => {
    const m = new EnergyMeter(30_000);
    m.update('gpu', 0, 100, undefined);
    expect(m.update('gpu', 120_000, 100, undefined).energy_j).toBe(0);
    expect(m.update('gpu', 130_000, 100, undefined).energy_j).toBe(1000);
  });

  it('a sample without power keeps the counter and does not integrate the next interval from nothing', () => {
    const m = new EnergyMeter(60_000);
    m.update('gpu', 0, 100, undefined);
    expect(m.update('gpu', 10_000, undefined, undefined).energy_j).toBe(0);
    expect(m.update('gpu', 20_000, 100, undefined).energy_j).toBe(0);
    expect(m.update('gpu', 30_000, 100, undefined).energy_j).toBe(1000);
  });

  it('uses a device counter\'s deltas and derives power from them', () => {
    const m = new EnergyMeter(60_000);
    m.update('amd', 0, undefined, 5_000);
    expect(m.update('amd', 10_000, undefined, 7_000)).toEqual({ energy_j: 2000, power_w: 200 });
  });

  it('survives a device counter reset without going backwards', () => {
    const m = new EnergyMeter(60_000);
    m.update('amd', 0, 50, 5_000);
    m.update('amd', 10_000, 50, 5_500);
    expect(m.update('amd', 20_000, 50, 100).energy_j).toBe(500); // reset: rebase, add nothing
    expect(m.update('amd', 30_000, 50, 600).energy_j).toBe(1000);
  });

  it('restores from a snapshot so the counter survives restarts', () => {
    const a = new EnergyMeter(60_000);
    a.update('gpu', 0, 100, undefined);
    a.update('gpu', 10_000, 100, undefined);
    const b = new EnergyMeter(60_000, structuredClone(a.snapshot()));
    expect(b.update('gpu', 20_000, 100, undefined).energy_j).toBe(2000);
  });

  it('ignores a clock that went backwards', () => {
    const m = new EnergyMeter(60_000);
    m.update('gpu', 10_000, 100, undefined);
    expect(m.update('gpu', 5_000, 100, undefined).energy_j).toBe(0);
  });
});
