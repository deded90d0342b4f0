// Measured power end to end: a test site whose GPU host has a BMC (a real HTTPS Redfish server), whose
// mining row hangs off a metered PDU (a real SNMP agent replaying the APC AP8853 walk) and whose bill
// is a site meter (a real Modbus TCP server in the Eastron SDM630 map), plus a GPU host nothing
// measures. Four real agents read them through the real sources, publish through a real Mosquitto to
// a real collector writing a real InfluxDB; /metrics and InfluxDB must show billed power, PUE,
// unaccounted power and per-MWh figures as computed by hand below, to the cent.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { serverTree, startFakeBmc, type FakeBmc } from '../demo/fake-bmc.js';
import { registerFile, startFakeMeter, type FakeMeter } from '../demo/fake-meter.js';
import { parseSnmprec, startFakePdu, type FakePdu } from '../demo/fake-pdu.js';
import { createSelfSignedCertificate, startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, promtoolLint, scrape } from './support/metrics.js';

const SITE = 'metered-site';
const DB = 'measured';
// Market: $45/MWh; reserved H100s at $2.10/GPU-hour; the DESIGN.md chain (subsidy 3.125 BTC).
const ENERGY = 45;
const BTC_USD = 95_000;
const DIFFICULTY = 1.1e14;
const FEES = 0.03;
const POOL_FEE = 0.02;
// gpu-01: 8 H100 boards at 640 W (5,120 W reported) in a server whose BMC reads 10,200 W.
// gpu-02: the same boards, nothing measures the server: + 2,000 W per GPU server (estimated).
// gw-row1: 40 S19 Pros on nameplate, 3,250 W and 110 TH/s each (130,000 W estimated), on a PDU reading 136.00 kW.
// gw-site: the site meter, 180,000 W.
const BMC_W = 10_200;
const GPU_W = 640;
const SERVER_OVERHEAD_W = 2000;
const MINERS = 40;
const MINER_W = 3250;
const MINER_HS = 110e12;
const PDU_W = 136_000;
const SITE_W = 180_000;
const PUE = 1.15;
const UNACCOUNTED_ALERT_W = 3000;

// By hand: IT power = hpc (10,200 + 5,120 + 2,000 = 17,320) + mining (136,000) = 153,320 W.
const IT_HPC = BMC_W + 8 * GPU_W + SERVER_OVERHEAD_W;
const IT_MINING = PDU_W;
const IT = IT_HPC + IT_MINING;
// The site meter shared by IT power: hpc 180,000 × 17,320 / 153,320 = 20,333.94 W; mining 159,666.06 W.
const BILLED_HPC = (SITE_W * IT_HPC) / IT;
const BILLED_MINING = (SITE_W * IT_MINING) / IT;
const HPC_USD_PER_HOUR = 16 * 2.1; // $33.60
const MINING_USD_PER_HOUR = ((MINERS * MINER_HS * (3.125 + FEES) * (1 - POOL_FEE) * BTC_USD) / (DIFFICULTY * 2 ** 32)) * 3600;

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let collector: Collector;
let dir: string;
let bmc: FakeBmc;
let pdu: FakePdu;
let meter: FakeMeter;
const agents: Agent[] = [];

function float32Words(value: number): number[] {
  const buf = Buffer.alloc(4);
  buf.writeFloatBE(value);
  return [buf.readUInt16BE(0), buf.readUInt16BE(2)];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powersite-measured-'));
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  const certs = await createSelfSignedCertificate(dir);
  await writeFile(join(dir, 'bmc.pass'), 'bmc-secret\n', { mode: 0o600 });
  bmc = await startFakeBmc({
    resource: serverTree({ manufacturer: 'NVIDIA', model: 'DGX H100', watts: () => BMC_W }),
    cert: await readFile(certs.certFile),
    key: await readFile(certs.keyFile),
    username: 'powersite',
    password: 'bmc-secret',
  });
  // The APC AP8853 walk, its rPDU2DeviceStatusPower set to this row's 136.00 kW (hundredths of kW).
  const walk = parseSnmprec(await readFile(new URL('../agent/sources/snmp/fixtures/apc-ap8853-rpdu2-metered.snmprec', import.meta.url), 'utf8'));
  pdu = await startFakePdu(walk);
  pdu.set('1.3.6.1.4.1.318.1.1.26.4.3.1.5.1', '2', String(PDU_W / 10));
  meter = await startFakeMeter(registerFile([
    { table: 'input', address: 0x34, words: float32Words(SITE_W) },
    { table: 'input', address: 0x48, words: float32Words(2127.98388671875) },
  ]));

  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'measured-collector' },
    influx: { url: influx.url, database: DB, flush_interval: '200ms', economics_interval: '1s' },
    economics: {
      overhead: { pue: PUE, watts_per_gpu_server: SERVER_OVERHEAD_W, unaccounted_alert_watts: UNACCOUNTED_ALERT_W },
      energy: { price_usd_per_mwh: ENERGY },
      bitcoin: { btc_usd: BTC_USD, difficulty: DIFFICULTY, height: 920_000, fees_btc_per_block: FEES, pool_fee: POOL_FEE },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    },
  });
  const gpus = (n: number) => ({ type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 8, id_prefix: `GPU-${n}`, model: 'NVIDIA H100 80GB HBM3', power_w: GPU_W, utilization: 0.9 });
  const agent = (host: string, sources: Record<string, unknown>[]) =>
    new Agent(AgentConfig.parse({ site: SITE, host, interval: '10s', state_dir: join(dir, host), mqtt: { url: mosquitto.url }, sources }), { logger: silentLogger() });
  agents.push(
    agent('gpu-01', [gpus(1), { type: 'redfish', url: bmc.url, username: 'powersite', password_file: join(dir, 'bmc.pass'), ca: certs.certFile }]),
    agent('gpu-02', [gpus(2)]),
    agent('gw-row1', [
      { type: 'simulated', workload: 'mining', kind: 'asic', devices: MINERS, id_prefix: '10.0.1', model: 'Antminer S19 Pro', power_w: MINER_W, power_source: 'estimated', hashrate_hs: MINER_HS },
      { type: 'snmp', host: pdu.host, port: pdu.port, community: 'public', covers: ['gw-row1'] },
    ]),
    agent('gw-site', [{ type: 'modbus', host: meter.host, port: meter.port, meter: 'eastron-sdm630', covers: 'site' }]),
  );
  for (const a of agents) await a.start();
  const now = Date.now();
  for (const ts of [now - 10_000, now]) for (const a of agents) await a.cycle(ts);
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await collector?.stop();
  await Promise.all([bmc?.close(), pdu?.close(), meter?.close()]);
  await Promise.all([mosquitto?.stop(), influx?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('a metered site through the real pipeline', () => {
  const site = { site: SITE };
  const mining = { site: SITE, workload: 'mining' };
  const hpc = { site: SITE, workload: 'hpc' };
  let text: string;

  beforeAll(async () => {
    text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' })! >= 8 ? t : undefined;
    }, 60_000);
  });

  it('billed power per workload adds up to the site meter; the devices\' own sums stay visible', () => {
    expect(metricValue(text, 'powersite_power_watts', hpc)).toBeCloseTo(BILLED_HPC, 6); // 20,333.94 W
    expect(metricValue(text, 'powersite_power_watts', mining)).toBeCloseTo(BILLED_MINING, 6); // 159,666.06 W
    expect(BILLED_HPC + BILLED_MINING).toBeCloseTo(SITE_W, 9);
    expect(metricValue(text, 'powersite_device_power_watts', hpc)).toBe(16 * GPU_W);
    expect(metricValue(text, 'powersite_device_power_watts', mining)).toBe(MINERS * MINER_W);
  });

  it('site meter, IT power, PUE and unaccounted power, with the alert threshold', () => {
    expect(metricValue(text, 'powersite_site_power_watts', site)).toBe(SITE_W);
    expect(metricValue(text, 'powersite_site_it_power_watts', site)).toBe(IT); // 153,320 W
    expect(metricValue(text, 'powersite_site_pue', site)).toBeCloseTo(SITE_W / IT, 12); // 1.1740
    // 180,000 − 153,320 × 1.15 = 3,682 W beyond everything under the meter and the expected overhead.
    expect(metricValue(text, 'powersite_site_unaccounted_power_watts', site)).toBeCloseTo(3682, 6);
    expect(metricValue(text, 'powersite_site_unaccounted_power_alert_watts', site)).toBe(UNACCOUNTED_ALERT_W);
  });

  it('the new series pass promtool check metrics', async () => {
    const { code, out } = await promtoolLint(text);
    expect(text).toMatch(/^powersite_site_pue\{/m);
    expect(out).toBe('');
    expect(code).toBe(0);
  });

  it('how much of each figure is measured', () => {
    // hpc's share rests on the BMC (10,200), the boards of gpu-02 (5,120 reported) and its overhead (2,000 estimated).
    expect(metricValue(text, 'powersite_power_source_ratio', { ...hpc, source: 'measured' })).toBeCloseTo(BMC_W / IT_HPC, 12);
    expect(metricValue(text, 'powersite_power_source_ratio', { ...hpc, source: 'reported' })).toBeCloseTo(5120 / IT_HPC, 12);
    expect(metricValue(text, 'powersite_power_source_ratio', { ...hpc, source: 'estimated' })).toBeCloseTo(2000 / IT_HPC, 12);
    expect(metricValue(text, 'powersite_estimated_power_ratio', hpc)).toBeCloseTo(2000 / IT_HPC, 12);
    // The PDU replaces the nameplate estimates of the row.
    expect(metricValue(text, 'powersite_power_source_ratio', { ...mining, source: 'measured' })).toBe(1);
    expect(metricValue(text, 'powersite_estimated_power_ratio', mining)).toBe(0);
  });

  it('revenue, energy cost and margin per MWh rest on billed power, to the cent', () => {
    // $33.60/h over 20,333.94 W = $1,652.41/MWh (the GPU boards alone would say $3,281.25/MWh).
    expect(HPC_USD_PER_HOUR / (BILLED_HPC / 1e6)).toBeCloseTo(1652.41, 2);
    expect(metricValue(text, 'powersite_revenue_usd_per_mwh', hpc)).toBeCloseTo(HPC_USD_PER_HOUR / (BILLED_HPC / 1e6), 2);
    expect(metricValue(text, 'powersite_margin_usd_per_mwh', hpc)).toBeCloseTo(HPC_USD_PER_HOUR / (BILLED_HPC / 1e6) - ENERGY, 2);
    expect(metricValue(text, 'powersite_revenue_usd_per_mwh', mining)).toBeCloseTo(MINING_USD_PER_HOUR / (BILLED_MINING / 1e6), 2);
    expect(metricValue(text, 'powersite_margin_usd_per_mwh', mining)).toBeCloseTo(MINING_USD_PER_HOUR / (BILLED_MINING / 1e6) - ENERGY, 2);
    expect(metricValue(text, 'powersite_energy_cost_usd_per_mwh', site)).toBe(ENERGY);
  });

  it('the meters are devices of their hosts, with what they cover, in InfluxDB', async () => {
    const rows = await eventually(async () => {
      const r = await influx.rows(DB, 'SELECT * FROM meter ORDER BY time');
      return r.length >= 6 ? r : undefined;
    });
    const last = (host: string) => rows.filter((r) => r.host === host).at(-1)!;
    expect(last('gpu-01')).toMatchObject({ power_w: BMC_W, covers: 'gpu-01', power_source: 'measured', model: 'DGX H100', up: true });
    expect(last('gw-row1')).toMatchObject({ power_w: PDU_W, covers: 'gw-row1', model: 'apc-rpdu2' });
    expect(last('gw-site')).toMatchObject({ power_w: SITE_W, covers: 'site', model: 'eastron-sdm630' });
  });

  it('billed power, its sources, PUE and unaccounted power are history too', async () => {
    const power = await eventually(async () => (await influx.rows(DB, `SELECT * FROM power WHERE workload = 'hpc' AND power_w > 20000 ORDER BY time DESC LIMIT 1`))[0]);
    expect(power.power_w).toBeCloseTo(BILLED_HPC, 6);
    expect(power.device_power_w).toBe(16 * GPU_W);
    expect(power.measured_power_w).toBeCloseTo((BILLED_HPC * BMC_W) / IT_HPC, 6);
    const sitePower = await eventually(async () => (await influx.rows(DB, 'SELECT * FROM site_power WHERE site_meter_w > 0 ORDER BY time DESC LIMIT 1'))[0]);
    expect(sitePower).toMatchObject({ site: SITE, site_meter_w: SITE_W, it_power_w: IT });
    expect(sitePower.pue).toBeCloseTo(SITE_W / IT, 12);
    expect(sitePower.unaccounted_w).toBeCloseTo(3682, 6);
    const economics = await eventually(async () => (await influx.rows(DB, `SELECT * FROM economics WHERE workload = 'hpc' AND power_w > 20000 ORDER BY time DESC LIMIT 1`))[0]);
    expect(economics.revenue_usd_per_mwh).toBeCloseTo(HPC_USD_PER_HOUR / (BILLED_HPC / 1e6), 2);
  });
});
