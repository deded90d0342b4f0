// `npm run bundle`'s single file, run where nothing else is: no node_modules, no package.json, no
// sources. It must start every part that loads code lazily (agent, check-config, the demo with its
// broker, collector, site page, miners, meters and PDUs), log readably on request and know its version.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, INLINED_TEXT_MODULES } from '../build/bundle.mjs';
import { DEPLOY_FILES } from '../cli/install/deploy-files.js';
import { buildBundle, run, type BuiltBundle } from './support/bundle.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };

let built: BuiltBundle;
const powersite = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [built.file, ...args], { cwd: built.dir, env });

beforeAll(async () => {
  built = await buildBundle();
});
afterAll(async () => {
  await built?.remove();
});

describe('the single-file build', () => {
  it('is one executable ES module with a shebang, and knows its version', async () => {
    expect(readFileSync(built.file, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const r = await powersite(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    const help = await powersite(['--help']);
    for (const command of ['agent', 'collector', 'demo', 'check-config', 'install', 'uninstall']) expect(help.stdout).toContain(command);
  });

  it('reads a simulated source once and checks the shipped configs', async () => {
    const config = join(built.dir, 'agent.yaml');
    await writeFile(config, 'site: tx-1\nhost: gpu-01\nsources:\n  - { type: simulated, workload: hpc, kind: gpu, devices: 2, model: Sim GPU, power_w: 300, jitter: 0 }\n');
    const once = await powersite(['agent', '--once', '--json', '-c', config]);
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    const { devices } = JSON.parse(once.stdout) as { devices: { id: string; power_w: number }[] };
    expect(devices.map((d) => [d.id, d.power_w])).toEqual([
      ['sim-0', 300],
      ['sim-1', 300],
    ]);
    for (const part of ['agent', 'collector']) {
      const check = await powersite(['check-config', '--schema-only', join(repo, 'deploy', `${part}.yaml`)]);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain(`valid ${part} configuration`);
    }
  });

  it('runs the demo end to end, serves the site page with its files inlined, and logs readable lines when asked', async () => {
    // The demo starts the embedded broker, fake miners, BMCs, PDU (net-snmp) and meter, agents and a
    // collector with deferred acks and the site page: every dependency that once broke in a bundle.
    // 6 s: the demo prints its first summary after 5.
    const child = spawn(process.execPath, [built.file, 'demo', '--port', '0', '--mqtt-port', '0', '--duration', '6s'], {
      cwd: built.dir,
      env: { ...process.env, POWERSITE_LOG_FORMAT: 'pretty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const url = /^metrics: +(http:\/\/[\d.:]+)\/metrics$/m.exec(stdout)?.[1];
        if (url) resolve(url);
      });
      child.on('exit', () => reject(new Error(`the demo ended before printing its URL:\n${stdout}${stderr}`)));
    });
    const page = await (await fetch(`${base}/`)).text();
    for (const file of ['collector/site-page/static/site.css', 'node_modules/uplot/dist/uPlot.min.css']) {
      expect(page).toContain(readFileSync(join(repo, file), 'utf8').trim());
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/^powersite: /m);
    expect(stdout).toMatch(/^mining [\d.]+ kW .* \| hpc [\d.]+ kW/m);
    expect(stdout).toContain('demo stopped');
    expect(stdout + stderr).toMatch(/WARN.*\(powersite-demo\): .*market data is constant/);
    expect(stdout + stderr).not.toContain('"level":');
  });
});

describe('inlining files a module reads at run time', () => {
  it('replaces the module with one returning the texts read at build time, and fails the build for one it never meets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'powersite-inline-'));
    try {
      await writeFile(join(dir, 'page.html'), '<h1>site</h1>\n');
      await writeFile(join(dir, 'assets.ts'), "import { readFile } from 'node:fs/promises';\nexport async function loadAssets() { return { html: await readFile(new URL('./page.html', import.meta.url), 'utf8') }; }\n");
      await writeFile(join(dir, 'main.ts'), "import { loadAssets } from './assets.ts';\nconsole.log(JSON.stringify(await loadAssets()));\n");
      const out = join(dir, 'out', 'main.mjs');
      const assets = { 'assets.ts': { export: 'loadAssets', files: { html: './page.html' } } };
      // A listed module the build never meets (moved, renamed) fails it, rather than bundling a reader of missing files.
      await expect(bundle(out, { entry: join(dir, 'main.ts'), root: dir, modules: { ...assets, 'moved.ts': { export: 'loadAssets', files: {} } } })).rejects.toThrow(
        /listed but not in the bundle \(moved or renamed\?\): .*moved\.ts/,
      );
      await bundle(out, { entry: join(dir, 'main.ts'), root: dir, modules: assets });
      await rm(join(dir, 'page.html'));
      const r = await run(process.execPath, [out]);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ html: '<h1>site</h1>\n' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('inlines exactly the deploy files install reads from the sources', () => {
    expect(INLINED_TEXT_MODULES['cli/install/deploy-files.ts']).toEqual({ export: 'loadDeployFiles', files: DEPLOY_FILES });
  });
});
