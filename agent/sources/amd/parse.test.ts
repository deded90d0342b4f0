import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRocmSmiJson } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseRocmSmiJson', () => {
  it('reads the MI250 `rocm-smi -a --json` line, energy counter in joules', () => {
    const [gpu, ...rest] = parseRocmSmiJson(fixture('amd-mi250-rocm-smi-a.json'));
    expect(rest).toEqual([]);
    expect(gpu).toEqual({
      id: '0x719d230578348e8c',
      kind: 'gpu',
      vendor: 'amd',
      model: 'AMD INSTINCT MI250 (MCM) OAM AC MBA',
      up: true,
      power_w: 89,
      power_source: 'reported',
      utilization: 0,
      temp_c: 32, // edge sensor
      device_energy_j: expect.closeTo(962825096.2974429, 6), // "Accumulated Energy (uJ)": "962825096297442.9"
    });
  });

  it('reads four MI100s in card order, with VRAM and no energy keys', () => {
    const gpus = parseRocmSmiJson(fixture('amd-mi100-x4-rocm-smi.json'));
    expect(gpus.map((g) => [g.id, g.power_w, g.temp_c])).toEqual([
      ['0x79ccd55167a2124a', 36, 53],
      ['0x4edfb117a17a07d', 44, 55],
      ['0xd4a9ec48d03d261d', 43, 54],
      ['0x1b9dd972253c3736', 39, 51],
    ]);
    expect(gpus[0]).toEqual({
      id: '0x79ccd55167a2124a',
      kind: 'gpu',
      vendor: 'amd',
      model: 'Arcturus GL-XL [Instinct MI100]',
      up: true,
      power_w: 36,
      power_source: 'reported',
      utilization: 0,
      temp_c: 53,
      mem_used_bytes: 6750208,
      mem_total_bytes: 34342961152,
    });
  });

  it('gives an RX 6700 XT reporting "N/A (Secondary die)" no power, and falls back to its PCI address for an id', () => {
    expect(parseRocmSmiJson(fixture('amd-rx6700xt-rocm-smi.json'))).toEqual([
      {
        id: '0000:07:00.0', // "Unique ID": "N/A"
        kind: 'gpu',
        vendor: 'amd',
        model: 'Navi 22 [Radeon RX 6700/6700 XT / 6800M]',
        up: true,
        utilization: 0,
        temp_c: 45,
        mem_used_bytes: 1572757504,
        mem_total_bytes: 12868124672,
      },
    ]);
  });

  it('reads GPU use as a ratio and the newer socket power key', () => {
    const [gpu] = parseRocmSmiJson('{"card3": {"GPU use (%)": "87", "Current Socket Graphics Package Power (W)": "612.0"}}');
    expect(gpu).toMatchObject({ id: 'card3', utilization: 0.87, power_w: 612, power_source: 'reported' });
  });

  it('skips warnings printed around the JSON and rejects output without any', () => {
    const noisy = `WARNING: AMD GPU device(s) is/are in a low-power state. Check power control/runtime_status\n${fixture('amd-rx6700xt-rocm-smi.json')}\n`;
    expect(parseRocmSmiJson(noisy)).toHaveLength(1);
    expect(() => parseRocmSmiJson('ERROR: GPU[0] : Unable to read\n')).toThrow(/rocm-smi printed no JSON object/);
    expect(parseRocmSmiJson('{"system": {"Driver version": "6.3.6"}}')).toEqual([]);
  });
});
