import { describe, expect, it } from 'vitest';
import { billedShare, colocationUsdPerHour, gpuPricePerHour, gpuRentalUsdPerHour, HOURS_PER_MONTH } from './hpc.js';
import { usdPerMwh } from './margin.js';

const PRICES = { default: 2.0, H100: 2.1, 'H100 NVL': 2.4, a100: 1.2 };

describe('price per GPU-hour by model', () => {
  it('matches a key inside the model name, case-insensitively', () => {
    expect(gpuPricePerHour('NVIDIA H100 80GB HBM3', PRICES)).toBe(2.1);
    expect(gpuPricePerHour('NVIDIA A100-SXM4-80GB', PRICES)).toBe(1.2);
    expect(gpuPricePerHour('nvidia h100 pcie', PRICES)).toBe(2.1);
  });

  it('prefers the longest matching key', () => {
    expect(gpuPricePerHour('NVIDIA H100 NVL', PRICES)).toBe(2.4);
  });

  it('falls back to default for an unknown or missing model', () => {
    expect(gpuPricePerHour('AMD Instinct MI300X', PRICES)).toBe(2.0);
    expect(gpuPricePerHour(undefined, PRICES)).toBe(2.0);
    // "default" is never matched as a substring of a model name.
    expect(gpuPricePerHour('default GPU', { default: 3, H100: 1 })).toBe(3);
  });
});

describe('GPU rental revenue', () => {
  const gpus = [
    { model: 'NVIDIA H100 80GB HBM3', up: true, utilization: 0.5 },
    { model: 'NVIDIA H100 80GB HBM3', up: true },
    { model: 'NVIDIA A100-SXM4-80GB', up: false, utilization: 0.9 },
  ];

  it('reserved: every GPU that is up is billed the full hour, whatever its utilisation', () => {
    expect(gpuRentalUsdPerHour(gpus, 'reserved', PRICES)).toBeCloseTo(4.2, 12);
  });

  it('utilization: billed by utilisation; no reported utilisation and down GPUs bill nothing', () => {
    expect(gpuRentalUsdPerHour(gpus, 'utilization', PRICES)).toBeCloseTo(1.05, 12);
    expect(billedShare({ up: true }, 'utilization')).toBe(0);
    expect(billedShare({ up: false, utilization: 1 }, 'reserved')).toBe(0);
  });

  it('V8 (DGX H100 10.2 kW per 8 GPUs, NVIDIA spec via supercluster.blog): $2.00 at U = 1 is $1,568.6 per IT-MWh, $1,206.6 per facility MWh at PUE 1.3', () => {
    const server = Array.from({ length: 8 }, () => ({ model: 'NVIDIA H100 80GB HBM3', up: true, utilization: 1 }));
    const perHour = gpuRentalUsdPerHour(server, 'utilization', { default: 2.0 });
    expect(perHour).toBe(16);
    // 784.31 GPUs per IT-MW.
    expect((1e6 / 10_200) * 8).toBeCloseTo(784.31, 2);
    expect(usdPerMwh(perHour, 10_200)).toBeCloseTo(1568.6, 1);
    expect(usdPerMwh(perHour, 10_200 * 1.3)).toBeCloseTo(1206.6, 1);
  });
});

describe('colocation', () => {
  it('uses 730.5 hours per month, so twelve months are one 365.25-day year', () => {
    expect(HOURS_PER_MONTH * 12).toBe(365.25 * 24);
    expect(colocationUsdPerHour(120, 1000)).toBeCloseTo(120_000 / 730.5, 9);
  });

  it.each([
    // V9: Core Scientific SEC exhibit; Applied Digital and TeraWulf releases.
    [8.7e9, 12, 500, 1.45e6],
    [11e9, 15, 400, 1.833e6],
    [3.7e9, 10, 200, 1.85e6],
  ])('V9: $%d over %i years for %i MW is $%d per MW-year', (total, years, mw, perMwYear) => {
    // Expressed the way the config takes it: USD per kW-month of contracted capacity.
    const usdPerKwMonth = total / years / (mw * 1000) / 12;
    const perYear = colocationUsdPerHour(usdPerKwMonth, mw * 1000) * HOURS_PER_MONTH * 12;
    expect(Math.abs(perYear / mw - perMwYear)).toBeLessThanOrEqual(0.0005 * perMwYear);
  });
});
