import { describe, expect, it } from 'vitest';
import { efficiencyOf, MODEL_EFFICIENCY, modelKey } from './models.js';

describe('model efficiency table', () => {
  it('carries a source note and a plausible J/TH on every row', () => {
    for (const row of MODEL_EFFICIENCY) {
      expect(row.source.length, row.model).toBeGreaterThan(10);
      expect(row.jPerTh, row.model).toBeGreaterThan(10);
      expect(row.jPerTh, row.model).toBeLessThan(150);
    }
    expect(new Set(MODEL_EFFICIENCY.map((r) => modelKey(r.model))).size).toBe(MODEL_EFFICIENCY.length);
  });

  it('matches model names across firmware spellings, never a neighbour', () => {
    expect(efficiencyOf('Antminer S19 Pro')).toBe(29.5);
    expect(efficiencyOf('Antminer S19JPRO Hiveon')).toBe(30.5);
    expect(efficiencyOf('Bitmain Antminer S21')).toBe(17.5);
    expect(efficiencyOf('antminer s19 xp')).toBe(21.5);
    expect(efficiencyOf('Antminer S9')).toBeCloseTo(103.7, 1);
    expect(efficiencyOf('Antminer S19k Pro')).toBeUndefined();
    expect(efficiencyOf('Whatsminer M30S')).toBeUndefined();
  });

  it('lets the config override a model', () => {
    expect(efficiencyOf('Antminer S19 Pro', { 'antminer s19 pro': 31.2 })).toBe(31.2);
    expect(efficiencyOf('Antminer S19k Pro', { 'Antminer S19k Pro': 23 })).toBe(23);
  });
});
