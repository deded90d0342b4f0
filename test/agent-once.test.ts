// `powersite agent --once` as a user runs it on a GPU host before any broker exists: every source
// read once through the real source code (nvidia-smi faked from a real H100 capture), the devices
// printed as the agent would publish them, and exit 0 only when every source answered.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureList, installFakeNvidiaSmi, type FakeNvidiaSmi } from './fakes/fake-nvidia-smi.js';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));
let fake: FakeNvidiaSmi;
let dir: string;
let config: string;

function once(args: string[], mode: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: fake.path, FAKE_NVIDIA_SMI_FIXTURES: fixtureList('nvidia-h100-query-gpu.csv'), FAKE_NVIDIA_SMI_MODE: mode };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'agent', '--once', '-c', config, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  fake = await installFakeNvidiaSmi();
  dir = await mkdtemp(join(tmpdir(), 'powersite-once-'));
  config = join(dir, 'agent.yaml');
  // No mqtt section, no state_dir that exists: --once needs neither.
  await writeFile(config, 'site: tx-1\nhost: gpu-01\nstate_dir: /nonexistent/powersite\ninterval: 10s\nsources:\n  - { type: nvidia, workload: hpc }\n  - { type: simulated, workload: hpc, kind: gpu, devices: 2, model: Sim GPU, power_w: 300, utilization: 0.5, jitter: 0 }\n');
});
afterAll(async () => {
  await fake.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('powersite agent --once', () => {
  it('prints every device as JSON, normalised as published, and exits 0', async () => {
    const r = await once(['--json'], 'ok');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { site: string; host: string; sources: { name: string; error?: string; devices: number }[]; devices: Record<string, unknown>[] };
    expect(out).toMatchObject({ site: 'tx-1', host: 'gpu-01' });
    expect(out.sources.map((s) => [s.devices, s.error])).toEqual([[1, undefined], [2, undefined]]);
    // The H100 capture: power.draw 631.95 W, utilization.gpu 100 %, temperature.gpu 59 °C; utilisation as a ratio.
    expect(out.devices[0]).toMatchObject({ kind: 'gpu', workload: 'hpc', model: 'NVIDIA H100 80GB HBM3', up: true, power_w: 631.95, power_source: 'reported', utilization: 1, temp_c: 59 });
    expect(out.devices.slice(1)).toMatchObject([{ model: 'Sim GPU', power_w: 300, utilization: 0.5 }, { model: 'Sim GPU', power_w: 300 }]);
  });

  it('prints a table, names a source that failed and exits 1, still showing the others', async () => {
    const r = await once([], 'fail');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^powersite: source nvidia did not answer: /);
    expect(r.stdout).toMatch(/^nvidia: FAILED: /m);
    expect(r.stdout).toMatch(/^simulated\(2 gpu\): 2 devices$/m);
    // Header, then one row per simulated GPU: 300 W reported, 50 % utilisation.
    const rows = r.stdout.split('\n\n')[1]!.trim().split('\n');
    expect(rows[0]).toMatch(/^DEVICE\s+KIND\s+WORKLOAD\s+MODEL\s+UP\s+POWER W\s+UTIL %$/);
    expect(rows.slice(1)).toHaveLength(2);
    for (const row of rows.slice(1)) expect(row).toMatch(/^\S+\s+gpu\s+hpc\s+Sim GPU\s+yes\s+300\.0 reported\s+50$/);
  });
});
