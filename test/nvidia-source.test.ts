// The nvidia source against a fake nvidia-smi on PATH that prints real captured output, including
// a hung tool, a failing driver, an old driver without power.draw.average/.instant, and garbage.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { NvidiaConfig } from '../agent/sources/nvidia/definition.js';
import { NvidiaSource } from '../agent/sources/nvidia/index.js';
import { fixtureList, installFakeNvidiaSmi, type FakeNvidiaSmi } from './fakes/fake-nvidia-smi.js';
import { eventually } from './support/metrics.js';

let fake: FakeNvidiaSmi;
const MIB = 1024 * 1024;

beforeAll(async () => {
  fake = await installFakeNvidiaSmi();
  process.env.PATH = fake.path;
});
afterAll(() => fake.remove());
beforeEach(() => {
  process.env.FAKE_NVIDIA_SMI_FIXTURES = fixtureList('nvidia-h100-query-gpu.csv', 'nvidia-h100-mig-query-gpu.csv', 'nvidia-tesla-p100-query-gpu-nounits.csv');
  process.env.FAKE_NVIDIA_SMI_MODE = 'ok';
});

const source = (timeout = '2s') => new NvidiaSource(NvidiaConfig.parse({ type: 'nvidia', timeout }), { logger: silentLogger(), intervalMs: 10_000, hostName: 'h' });
const read = (s: NvidiaSource) => s.read(AbortSignal.timeout(10_000));

describe('nvidia source with nvidia-smi on PATH', () => {
  it('reads every GPU, with [N/A] utilisation under MIG left out', async () => {
    expect(await read(source())).toEqual([
      { id: 'GPU-00000000-0000-0000-0000-000000000000', kind: 'gpu', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true, power_w: 631.95, power_source: 'reported', utilization: 1, temp_c: 59, mem_used_bytes: 19818 * MIB, mem_total_bytes: 81559 * MIB },
      { id: 'GPU-00000000-0000-0000-0000-000000000001', kind: 'gpu', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true, power_w: 433.78, power_source: 'reported', temp_c: 53, mem_used_bytes: 11125 * MIB, mem_total_bytes: 81559 * MIB },
      { id: 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6', kind: 'gpu', vendor: 'nvidia', model: 'Tesla P100-PCIE-16GB', up: true, power_w: 28.16, power_source: 'reported', utilization: 0, temp_c: 37, mem_used_bytes: 0 },
    ]);
  });

  it('falls back to the legacy field list on a driver that rejects power.draw.average', async () => {
    process.env.FAKE_NVIDIA_SMI_MODE = 'old-driver';
    const readings = await read(source());
    expect(readings.map((r) => r.power_w)).toEqual([631.95, 433.78, 28.16]);
  });

  it('kills a hung nvidia-smi at the timeout and reports the known GPUs down', async () => {
    const s = source('300ms');
    // A loaded machine may take longer than 300 ms to start even a healthy nvidia-smi: retry until the GPUs are known.
    await eventually(async () => (await read(s)).length === 3);
    process.env.FAKE_NVIDIA_SMI_MODE = 'hang';
    const readings = await read(s);
    expect(readings).toHaveLength(3);
    for (const r of readings) {
      expect(r.up).toBe(false);
      expect(r.error).toMatch(/did not answer within 300 ms/);
      expect(r.power_w).toBeUndefined();
    }
    process.env.FAKE_NVIDIA_SMI_MODE = 'ok';
    await eventually(async () => (await read(s)).every((r) => r.up));
  });

  it('a failing driver on first read rejects with the tool\'s own words', async () => {
    process.env.FAKE_NVIDIA_SMI_MODE = 'fail';
    await expect(read(source())).rejects.toThrow(/exited with 9: NVIDIA-SMI has failed/);
  });

  it('garbage output yields no readings and no crash', async () => {
    process.env.FAKE_NVIDIA_SMI_MODE = 'garbage';
    expect(await read(source())).toEqual([]);
  });

  it('a missing binary is a clear error', async () => {
    const s = new NvidiaSource(NvidiaConfig.parse({ type: 'nvidia', command: '/nonexistent/nvidia-smi' }), { logger: silentLogger(), intervalMs: 10_000, hostName: 'h' });
    await expect(read(s)).rejects.toThrow(/not found/);
  });
});
