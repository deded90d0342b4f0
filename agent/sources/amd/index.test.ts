import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AmdConfig } from './definition.js';
import { AmdSource } from './index.js';

// A stand-in for rocm-smi: node printing a recorded rocm-smi output.
const fixture = fileURLToPath(new URL('./fixtures/amd-mi100-x4-rocm-smi.json', import.meta.url));
const printFixture = ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(fixture)}, 'utf8'))`];

function source(args: string[], timeout: string | number = 5) {
  return new AmdSource(AmdConfig.parse({ type: 'amd', command: process.execPath, args, timeout }));
}

describe('amd source', () => {
  it('runs the configured command and parses its output', async () => {
    const gpus = await source(printFixture).read(new AbortController().signal);
    expect(gpus.map((g) => g.id)).toEqual(['0x79ccd55167a2124a', '0x4edfb117a17a07d', '0xd4a9ec48d03d261d', '0x1b9dd972253c3736']);
  });

  it('fails the whole source when rocm-smi never worked', async () => {
    const missing = new AmdSource(AmdConfig.parse({ type: 'amd', command: '/nonexistent/rocm-smi' }));
    await expect(missing.read(new AbortController().signal)).rejects.toThrow('/nonexistent/rocm-smi not found');
  });

  it('kills a hung rocm-smi at the timeout', async () => {
    await expect(source(['-e', 'setTimeout(() => {}, 60000)'], '200ms').read(new AbortController().signal)).rejects.toThrow(/did not answer within 200 ms/);
  });

  it('reports GPUs it knew as down, with the reason, when rocm-smi later fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amd-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const output = join(dir, 'rocm-smi.out');
    copyFileSync(fixture, output);
    const amd = source(['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(output)}, 'utf8'))`]);
    await amd.read(new AbortController().signal);
    writeFileSync(output, 'ERROR: driver not loaded\n');
    const down = await amd.read(new AbortController().signal);
    expect(down).toHaveLength(4);
    expect(down[0]).toEqual({ id: '0x79ccd55167a2124a', kind: 'gpu', vendor: 'amd', model: 'Arcturus GL-XL [Instinct MI100]', up: false, error: expect.stringMatching(/rocm-smi printed no JSON object/) });
  });

  it('defaults to the hpc workload and the documented rocm-smi call', () => {
    const config = AmdConfig.parse({ type: 'amd' });
    expect(config).toMatchObject({ workload: 'hpc', command: 'rocm-smi', timeout: 5000 });
    expect(config.args.at(-1)).toBe('--json');
    expect(AmdConfig.safeParse({ type: 'amd', timeout: 0 }).success).toBe(false);
  });
});
