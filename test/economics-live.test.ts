// Live economics end to end: simulated miners and GPUs at known power, hashrate and utilisation go
// through the real agent, a real Mosquitto and a real collector; /metrics must show the revenue,
// energy cost and margin per MWh that the formulas of docs/economics.md give, to the cent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, promtoolLint, scrape } from './support/metrics.js';

// Market and terms (static config): difficulty-based revenue, 2 % pool fee, $80/MWh flat energy.
const BTC_USD = 95_000;
const DIFFICULTY = 1.1e14;
const HEIGHT = 920_000; // subsidy 50 >> 4 = 3.125 BTC
const FEES = 0.03;
const POOL_FEE = 0.02;
const ENERGY = 80;
// Fleet: 10 × Antminer S19 Pro at 3,250 W and 110 TH/s; 8 × H100 at 700 W, 50 % busy, rented reserved at $2.10/GPU-hour.
const MINERS = 10;
const MINER_W = 3250;
const MINER_HS = 110e12;
const GPUS = 8;
const GPU_W = 700;

// Expected values, from DESIGN.md's formulas written out here.
const miningUsdPerHour = ((MINERS * MINER_HS * (3.125 + FEES) * (1 - POOL_FEE) * BTC_USD) / (DIFFICULTY * 2 ** 32)) * 3600;
const miningMw = (MINERS * MINER_W) / 1e6;
const hpcUsdPerHour = GPUS * 2.1;
const hpcMw = (GPUS * GPU_W) / 1e6;
const hashprice = (86_400e15 * (3.125 + FEES) * BTC_USD) / (DIFFICULTY * 2 ** 32);
const halvingUsdPerHour = ((MINERS * MINER_HS * (1.5625 + FEES) * (1 - POOL_FEE) * BTC_USD) / (DIFFICULTY * 2 ** 32)) * 3600;
const efficiency = MINER_W / (MINER_HS / 1e12); // J/TH
const breakeven = (hashprice * (1 - POOL_FEE) * 1000) / efficiency / 24;

let mosquitto: MosquittoHandle;
let collector: Collector;
let stateDir: string;
const agents: Agent[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-econ-'));
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'econ-collector' },
    economics: {
      energy: { price_usd_per_mwh: ENERGY },
      bitcoin: { btc_usd: BTC_USD, difficulty: DIFFICULTY, height: HEIGHT, fees_btc_per_block: FEES, pool_fee: POOL_FEE },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    },
    sites: { 'econ-site': { contracted_power_mw: 20, margin_floor_usd_per_mwh: 10 } },
  });
  const agent = (host: string, source: Record<string, unknown>) =>
    new Agent(AgentConfig.parse({ site: 'econ-site', host, interval: '10s', state_dir: join(stateDir, host), mqtt: { url: mosquitto.url }, sources: [source] }), { logger: silentLogger() });
  agents.push(
    agent('gw-row1', { type: 'simulated', workload: 'mining', kind: 'asic', devices: MINERS, model: 'Antminer S19 Pro', power_w: MINER_W, power_source: 'estimated', hashrate_hs: MINER_HS }),
    agent('gpu-01', { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: GPUS, model: 'NVIDIA H100 80GB HBM3', power_w: GPU_W, utilization: 0.5 }),
  );
  for (const a of agents) await a.start();
  const now = Date.now();
  for (const ts of [now - 10_000, now]) for (const a of agents) await a.cycle(ts);
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await collector?.stop();
  await mosquitto?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('economics on /metrics', () => {
  const mining = { site: 'econ-site', workload: 'mining' };
  const hpc = { site: 'econ-site', workload: 'hpc' };
  let text: string;

  beforeAll(async () => {
    text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' })! >= 6 ? t : undefined;
    });
  });

  it('revenue, cost and margin per MWh for mining and HPC, to the cent', () => {
    expect(metricValue(text, 'powersite_revenue_usd_per_hour', mining)).toBeCloseTo(miningUsdPerHour, 2);
    expect(metricValue(text, 'powersite_revenue_usd_per_mwh', mining)).toBeCloseTo(miningUsdPerHour / miningMw, 2);
    expect(metricValue(text, 'powersite_margin_usd_per_mwh', mining)).toBeCloseTo(miningUsdPerHour / miningMw - ENERGY, 2);
    expect(metricValue(text, 'powersite_revenue_usd_per_hour', hpc)).toBeCloseTo(16.8, 2);
    expect(metricValue(text, 'powersite_revenue_usd_per_mwh', hpc)).toBeCloseTo(3000, 2);
    expect(metricValue(text, 'powersite_margin_usd_per_mwh', hpc)).toBeCloseTo(2920, 2);
    expect(metricValue(text, 'powersite_energy_cost_usd_per_mwh', { site: 'econ-site' })).toBe(ENERGY);
    // Sanity of the expectation itself: S19 Pros at this market earn about $75.8/MWh.
    expect(miningUsdPerHour / miningMw).toBeCloseTo(75.75, 1);
  });

  it('the estimated share of mining power is visible', () => {
    expect(metricValue(text, 'powersite_estimated_power_ratio', mining)).toBe(1);
    expect(metricValue(text, 'powersite_estimated_power_ratio', hpc)).toBe(0);
  });

  it('hashprice, subsidy and the next-halving projection', () => {
    expect(metricValue(text, 'powersite_hashprice_usd_per_petahash_day', { source: 'config' })).toBeCloseTo(hashprice, 6);
    expect(metricValue(text, 'powersite_block_subsidy_btc', { source: 'config' })).toBe(3.125);
    expect(metricValue(text, 'powersite_block_subsidy_btc', { source: 'config', scenario: 'next_halving' })).toBe(1.5625);
    expect(metricValue(text, 'powersite_blocks_until_halving', { source: 'config' })).toBe(130_000);
    expect(metricValue(text, 'powersite_revenue_usd_per_mwh', { ...mining, scenario: 'next_halving' })).toBeCloseTo(halvingUsdPerHour / miningMw, 2);
    expect(metricValue(text, 'powersite_margin_usd_per_mwh', { ...mining, scenario: 'next_halving' })).toBeCloseTo(halvingUsdPerHour / miningMw - ENERGY, 2);
  });

  it('breakeven per miner model and a curtailment signal when energy costs more', () => {
    const model = { site: 'econ-site', model: 'Antminer S19 Pro' };
    expect(metricValue(text, 'powersite_miner_efficiency_joules_per_terahash', model)).toBeCloseTo(efficiency, 9);
    expect(metricValue(text, 'powersite_breakeven_energy_usd_per_mwh', model)).toBeCloseTo(breakeven, 2);
    expect(breakeven).toBeLessThan(ENERGY);
    expect(metricValue(text, 'powersite_curtailment_recommended', model)).toBe(1);
    expect(metricValue(text, 'powersite_curtailment_power_watts', model)).toBe(MINERS * MINER_W);
  });

  it('counters advance per message by rate × interval, so collectors add up', () => {
    // Two messages per host, 10 s each.
    expect(metricValue(text, 'powersite_revenue_usd_total', hpc)).toBeCloseTo(16.8 * (20 / 3600), 6);
    expect(metricValue(text, 'powersite_revenue_usd_total', mining)).toBeCloseTo(miningUsdPerHour * (20 / 3600), 6);
    expect(metricValue(text, 'powersite_energy_cost_usd_total', mining)).toBeCloseTo(((MINERS * MINER_W * 20) / 3.6e9) * ENERGY, 9);
    expect(metricValue(text, 'powersite_energy_joules_total', hpc)).toBe(GPUS * GPU_W * 20);
    expect(metricValue(text, 'powersite_hashes_total', mining)).toBe(MINERS * MINER_HS * 20);
    // Device counts and GPU utilisation as counters too, so they also sum across collectors.
    expect(metricValue(text, 'powersite_device_seconds_total', { ...mining, kind: 'asic', state: 'up' })).toBe(MINERS * 20);
    expect(metricValue(text, 'powersite_device_seconds_total', { ...hpc, kind: 'gpu', state: 'up' })).toBe(GPUS * 20);
    expect(metricValue(text, 'powersite_device_seconds_total', { ...hpc, kind: 'gpu', state: 'down' })).toBe(0);
    expect(metricValue(text, 'powersite_gpu_busy_seconds_total', hpc)).toBe(GPUS * 0.5 * 20);
    expect(metricValue(text, 'powersite_gpu_metered_seconds_total', hpc)).toBe(GPUS * 20);
  });

  it('site settings and billing for alerts, and market inputs with their age', () => {
    expect(metricValue(text, 'powersite_site_contracted_power_watts', { site: 'econ-site' })).toBe(20e6);
    expect(metricValue(text, 'powersite_site_margin_floor_usd_per_mwh', { site: 'econ-site' })).toBe(10);
    expect(metricValue(text, 'powersite_hpc_billing_info', { site: 'econ-site', billing: 'reserved' })).toBe(1);
    expect(metricValue(text, 'powersite_market_btc_usd', { source: 'config' })).toBe(BTC_USD);
    expect(metricValue(text, 'powersite_market_data_stale', {})).toBe(0);
    expect(metricValue(text, 'powersite_agents', { site: 'econ-site', state: 'online' })).toBe(2);
  });
});

describe('naming', () => {
  it('every powersite_* series passes promtool check metrics', async () => {
    const { code, out, lines } = await promtoolLint(await scrape(collector.metricsUrl));
    expect(lines).toBeGreaterThan(100);
    expect(out).toBe('');
    expect(code).toBe(0);
  });
});
