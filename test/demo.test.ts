// `npm run demo` as a user runs it: within a few cycles /metrics shows power, revenue and margin per MWh
// for both workloads and the next-halving projection; Ctrl-C (SIGINT) stops everything cleanly.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { freePort, startInflux } from './harness/index.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));

it('the demo shows both workloads\' economics and stops on Ctrl-C', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--mqtt-port', '0', '--interval', '1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await eventually(() => out.includes(`metrics:  http://127.0.0.1:${port}/metrics`), 60_000);
    expect(out).toContain(`page:     http://127.0.0.1:${port}/ (the live site page)`);
    const text = await eventually(async () => {
      const t = await scrape(`http://127.0.0.1:${port}/metrics`);
      const ok = ['mining', 'hpc'].every((workload) => (metricValue(t, 'powersite_power_watts', { site: 'demo-site', workload }) ?? 0) > 0);
      return ok ? t : undefined;
    }, 60_000);
    for (const workload of ['mining', 'hpc']) {
      expect(metricValue(text, 'powersite_revenue_usd_per_mwh', { site: 'demo-site', workload })).toBeGreaterThan(0);
      expect(metricValue(text, 'powersite_margin_usd_per_mwh', { site: 'demo-site', workload })).toBeDefined();
    }
    expect(metricValue(text, 'powersite_margin_usd_per_mwh', { site: 'demo-site', workload: 'mining', scenario: 'next_halving' })).toBeDefined();
    expect(metricValue(text, 'powersite_blocks_until_halving', { source: 'config' })).toBe(130_000);
    // Row 1: 39 fake Whatsminers through the real cgminer source plus one unplugged; row 2: 40 simulated, 2 down;
    // and the mining meters: row 2's PDU and the site meter.
    const mining = await eventually(async () => {
      const t = await scrape(`http://127.0.0.1:${port}/metrics`);
      return metricValue(t, 'powersite_devices', { site: 'demo-site', workload: 'mining', kind: 'asic', state: 'up' }) === 77 ? t : undefined;
    }, 60_000);
    expect(metricValue(mining, 'powersite_devices', { site: 'demo-site', workload: 'mining', kind: 'asic', state: 'down' })).toBe(3);
    // The site page's JSON says the same, by reason.
    const page = (await (await fetch(`http://127.0.0.1:${port}/api/site`)).json()) as { sites: { site: string; down: unknown[] }[] };
    expect(page.sites.map((x) => x.site)).toEqual(['demo-site']);
    expect(page.sites[0]!.down).toContainEqual({ reason: 'fault', workload: 'mining', kind: 'asic', count: 3 });
    expect(metricValue(mining, 'powersite_devices', { site: 'demo-site', workload: 'mining', kind: 'meter', state: 'up' })).toBe(2);
    // Row 2's nameplate estimates are replaced by its PDU's measurement; row 1's Whatsminers report their own.
    expect(metricValue(mining, 'powersite_estimated_power_ratio', { site: 'demo-site', workload: 'mining' })).toBe(0);
    expect(metricValue(mining, 'powersite_power_source_ratio', { site: 'demo-site', workload: 'mining', source: 'measured' })).toBeGreaterThan(0.3);
    // HPC per MWh rests on the BMCs' whole-server power and the site meter's share, not on the GPU boards.
    const hpc = { site: 'demo-site', workload: 'hpc' };
    await eventually(async () => {
      const t = await scrape(`http://127.0.0.1:${port}/metrics`);
      return (metricValue(t, 'powersite_power_source_ratio', { ...hpc, source: 'measured' }) ?? 0) > 0.99 && metricValue(t, 'powersite_site_pue', { site: 'demo-site' }) !== undefined;
    }, 60_000);
    const billed = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(metricValue(billed, 'powersite_power_watts', hpc)!).toBeGreaterThan(1.9 * metricValue(billed, 'powersite_device_power_watts', hpc)!);
    // Every miner model is named in the per-model series: the Whatsminers' model comes from their config.
    for (const model of ['Whatsminer M30S++', 'Antminer S19 Pro']) {
      expect(metricValue(mining, 'powersite_breakeven_energy_usd_per_mwh', { site: 'demo-site', model })).toBeGreaterThan(0);
      expect(metricValue(mining, 'powersite_curtailment_recommended', { site: 'demo-site', model })).toBeDefined();
    }
    expect(mining).not.toMatch(/model="unknown"/);
    await eventually(() => /mining [\d.,]+ kW .* \| hpc [\d.,]+ kW/.test(out), 60_000);
    // Amounts print as people write them: -$8, never $-8.
    expect(out).not.toMatch(/\$-/);
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(out).toContain('demo stopped');
}, 180_000);

it('with --influx the demo writes history to InfluxDB', async () => {
  const influx = await startInflux();
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--mqtt-port', '0', '--interval', '1s', '--influx', influx.url], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const rows = await eventually(async () => {
      const r = await influx.rows('powersite_demo', 'SELECT count(power_w) FROM gpu');
      return (r[0]?.count as number) >= 24 ? r : undefined;
    }, 60_000);
    expect(rows[0]!.count).toBeGreaterThanOrEqual(24);
    expect((await influx.rows('powersite_demo', 'SELECT count(hashrate_hs) FROM asic'))[0]!.count).toBeGreaterThan(0);
  } finally {
    child.kill('SIGINT');
    await exited;
    await influx.stop();
  }
}, 180_000);
