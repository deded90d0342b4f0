import { describe, expect, it } from 'vitest';
import { foundSummary } from './found-summary.js';

describe('foundSummary', () => {
  it('counts devices by kind and model, most common first, with how many are down', () => {
    const h100 = { kind: 'gpu', model: 'NVIDIA H100 80GB HBM3', up: true } as const;
    expect(foundSummary('nvidia', [h100, h100])).toBe('nvidia: 2 GPUs (2× NVIDIA H100 80GB HBM3)');
    expect(
      foundSummary('cgminer(4 miners)', [
        { kind: 'asic', model: 'Antminer S19 Pro', up: true },
        { kind: 'asic', up: false },
        { kind: 'asic', model: 'Antminer S19 Pro', up: true },
        { kind: 'asic', model: 'Antminer S19 Pro', up: false },
      ]),
    ).toBe('cgminer(4 miners): 4 miners, 2 down (3× Antminer S19 Pro, 1× model unknown)');
    expect(foundSummary('host', [{ kind: 'host', model: 'AMD EPYC 9654', up: true }])).toBe('host: 1 host (1× AMD EPYC 9654)');
    expect(foundSummary('snmp', [])).toBe('snmp: no devices');
  });
});
