import { describe, expect, it } from 'vitest';
import { canonicalModel, MINER_MODELS, modelInfo, modelKey, wattsPerHs } from './models.js';

describe('miner model table', () => {
  it('carries a source on every row and a plausible nameplate efficiency for its algorithm', () => {
    for (const row of MINER_MODELS) {
      expect(row.source.length, row.model).toBeGreaterThan(10);
      if (row.power_w === undefined) continue;
      const jPerTh = row.power_w / (row.hashrate_hs / 1e12);
      // SHA-256 miners from 2017's S9 (~104 J/TH) to 2025's best (~13); scrypt ones are ~1.6e6 J/TH.
      if (row.algorithm === 'sha256') expect(jPerTh, row.model).toBeGreaterThan(10);
      if (row.algorithm === 'sha256') expect(jPerTh, row.model).toBeLessThan(150);
      else expect(jPerTh, row.model).toBeGreaterThan(1e5);
    }
    const names = MINER_MODELS.flatMap((r) => [r.model, ...(r.aliases ?? [])]).map(modelKey);
    expect(new Set(names).size).toBe(names.length);
  });

  it('matches model names across firmware spellings, never a neighbour', () => {
    expect(wattsPerHs('Antminer S19 Pro')! * 1e12).toBeCloseTo(29.5, 9);
    expect(wattsPerHs('Antminer S19JPRO Hiveon')! * 1e12).toBeCloseTo(30.5, 9);
    expect(wattsPerHs('Bitmain Antminer S21')! * 1e12).toBeCloseTo(17.5, 9);
    expect(wattsPerHs('Antminer S9')! * 1e12).toBeCloseTo(103.7, 1);
    expect(modelInfo('Antminer L3+')?.algorithm).toBe('scrypt');
    expect(modelInfo('Antminer L3')).toBeUndefined(); // the L3 (no plus) is another miner
    expect(wattsPerHs('Antminer S99')).toBeUndefined();
  });

  it('lets the config override a model (J/TH)', () => {
    expect(wattsPerHs('Antminer S19 Pro', { 'antminer s19 pro': 31.2 })! * 1e12).toBeCloseTo(31.2, 9);
    expect(wattsPerHs('Hammer D10', { 'Hammer D10': 680e3 })! * 5e9).toBeCloseTo(3400, 6); // 3,400 W at 5 GH/s = 680,000 J/TH
  });
});

describe('canonicalModel', () => {
  it.each([
    ['Antminer S9\nV1.3.58', 'Antminer S9'], // BMMiner 2.0.0 puts its firmware version on a second line
    ['Antminer S9 (vnish 3.8.6)', 'Antminer S9'],
    ['Antminer S9 Pro (v5.1) ', 'Antminer S9 Pro'], // MSKminer
    ['Antminer S19JPRO Hiveon', 'Antminer S19j Pro'], // table spelling wins
    ['Bitmain Antminer S21', 'Antminer S21'],
    ['M20S.V10', 'Whatsminer M20S'], // btminer devdetails: board revision after the dot
    ['Whatsminer M60S VK30', 'Whatsminer M60S'],
    ['AvalonMiner 15-194', 'AvalonMiner 1566'], // the controller's PROD for an A1566
    ['Hammer D10', 'Hammer D10'],
    ['Some New Miner X1', 'Some New Miner X1'], // unknown models keep their cleaned name
  ])('%j → %s', (raw, canonical) => {
    expect(canonicalModel(raw)).toBe(canonical);
  });

  it('gives nothing for a name that is all decoration', () => {
    expect(canonicalModel(' (hiveon) ')).toBeUndefined();
  });
});
