// The core proof of live energy prices: a fake ERCOT API (replaying the recorded report envelopes)
// publishes settled 15-minute prices that spike from $30 to $5,000/MWh and fall back, and a real
// Mosquitto, a real collector, a real InfluxDB and a real Prometheus loaded with the shipped rules
// must show the energy cost, the cash and opportunity margins, the curtailment advice after N
// intervals and the resume after M, the alert firing and resolving, and the advice events with their
// reasons. Three sites on one collector: tx-1 buys at ERCOT spot, tx-ppa has a $40 PPA and could
// sell back at spot, eu-1 reads its own JSON price endpoint: each gets its own figures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { pino } from 'pino';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { ERCOT_DAY_AHEAD, ERCOT_REALTIME } from '../collector/energy-market/ercot.js';
import { RULE_FILES } from '../dashboards/rules.js';
import { ercotRealtimeRow, FAKE_ERCOT_KEY, FAKE_ERCOT_TOKEN, startFakePriceServer, type FakePriceServer } from './fakes/energy-market-server.js';
import { startInflux, startMosquitto, startPrometheus, type InfluxHandle, type MosquittoHandle, type PrometheusHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

// Market (static): 10 Antminer S19 Pro at 3,250 W and 110 TH/s earn (difficulty-based, 2 % pool fee) R per MWh.
const BTC_USD = 95_000;
const DIFFICULTY = 1.1e14;
const MINERS = 10;
const MINER_W = 3250;
const MINER_HS = 110e12;
const REVENUE = ((MINERS * MINER_HS * (3.125 + 0.03) * 0.98 * BTC_USD) / (DIFFICULTY * 2 ** 32)) * 3600 / ((MINERS * MINER_W) / 1e6);
// 8 H100 at 700 W, 50 % busy, rented by utilisation at $2.10/GPU-hour: 8.4 $/h over 5.6 kW.
const HPC_REVENUE = (8 * 0.5 * 2.1) / ((8 * 700) / 1e6);
const TRANSMISSION = 5;
const Q = 900_000;
const DB = 'spike';
const DAM_HOUR = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 2 * 3_600_000;

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let prices: FakePriceServer;
let prometheus: PrometheusHandle;
let collector: Collector;
let dir: string;
const agents: Agent[] = [];
const logLines: string[] = [];
const slot = Math.floor(Date.now() / Q) * Q;
/** Settled intervals published so far (opportunity prices at HB_NORTH), the k-th starting 8 − k quarters before `slot`. */
const published: number[] = [];

function publish(price: number): void {
  published.push(price);
  prices.ercotRows(ERCOT_REALTIME, published.map((p, k) => ercotRealtimeRow(slot - (8 - k) * Q, 'HB_NORTH', p)));
}

const text = () => scrape(collector.metricsUrl);
const tx1 = { site: 'tx-1', workload: 'mining', model: 'Antminer S19 Pro' };
const ppa = { site: 'tx-ppa', workload: 'mining', model: 'Antminer S19 Pro' };

/** Waits until the collector has read the latest published interval (its spot price is that one's). */
async function seen(price: number): Promise<string> {
  return eventually(async () => {
    const t = await text();
    return metricValue(t, 'powersite_energy_spot_usd_per_mwh', { site: 'tx-1' }) === price && metricValue(t, 'powersite_energy_spot_usd_per_mwh', { site: 'tx-ppa' }) === price ? t : undefined;
  }, 30_000);
}

beforeAll(async () => {
  [mosquitto, influx, prices] = await Promise.all([startMosquitto(), startInflux(), startFakePriceServer()]);
  dir = await mkdtemp(join(tmpdir(), 'powersite-spike-'));
  await writeFile(join(dir, 'key'), FAKE_ERCOT_KEY);
  await writeFile(join(dir, 'token'), FAKE_ERCOT_TOKEN);
  // Day-ahead at HB_NORTH: $120 for the hour starting two hours after the current quarter (row in ERCOT's DAM shape: hour ending).
  const [date, hourEnding] = ercotRealtimeRow(DAM_HOUR, 'HB_NORTH', 0) as [string, number];
  prices.ercotRows(ERCOT_DAY_AHEAD, [[date, `${String(hourEnding).padStart(2, '0')}:00`, 'HB_NORTH', 120, false]]);
  // eu-1's own endpoint: $20 now, $500 from an hour after the current quarter (a forecast spike).
  const iso = (ms: number) => new Date(ms).toISOString();
  prices.respond('/eu-1/prices.json', JSON.stringify([
    { start: iso(slot - 3_600_000), end: iso(slot + 3_600_000), price_per_mwh: 20 },
    { start: iso(slot + 3_600_000), end: iso(slot + 7_200_000), price_per_mwh: 500 },
  ]));
  publish(30);
  publish(30);

  const ercot = {
    type: 'ercot',
    url: `${prices.url}/api/public-reports`,
    settlement_point: 'HB_NORTH',
    subscription_key_file: join(dir, 'key'),
    token_file: join(dir, 'token'),
    refresh: '1s',
    timeout: '2s',
    hold: '3h', // the published intervals end up to two hours back
  };
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'spike-collector' },
    influx: { url: influx.url, database: DB, flush_interval: '200ms', economics_interval: '1s', retention: false },
    economics: {
      energy: { price_usd_per_mwh: 45 },
      bitcoin: { btc_usd: BTC_USD, difficulty: DIFFICULTY, height: 920_000, fees_btc_per_block: 0.03, pool_fee: 0.02 },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
      curtailment: { after_intervals: 2, resume_after_intervals: 2, hard_cap_usd_per_mwh: 9000 },
    },
    sites: {
      'tx-1': {
        economics: {
          energy: { price_usd_per_mwh: 45, adders_usd_per_mwh: { transmission: TRANSMISSION }, feed: ercot },
          hpc: { billing: 'utilization', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
        },
      },
      'tx-ppa': { economics: { energy: { price_usd_per_mwh: 40, adders_usd_per_mwh: { transmission: TRANSMISSION }, sell_back: true, feed: ercot } } },
      'eu-1': { economics: { energy: { price_usd_per_mwh: 45, feed: { type: 'json', url: `${prices.url}/eu-1/prices.json`, refresh: '1s' } } } },
    },
  }, pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }));
  prometheus = await startPrometheus({ scrapeTargets: [new URL(collector.metricsUrl).host], ruleFiles: RULE_FILES });

  const agent = (site: string, host: string, source: Record<string, unknown>) =>
    new Agent(AgentConfig.parse({ site, host, interval: '2s', state_dir: join(dir, host), mqtt: { url: mosquitto.url }, sources: [source] }), { logger: silentLogger() });
  const miners = { type: 'simulated', workload: 'mining', kind: 'asic', devices: MINERS, model: 'Antminer S19 Pro', power_w: MINER_W, power_source: 'estimated', hashrate_hs: MINER_HS };
  const gpus = { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 8, model: 'NVIDIA H100 80GB HBM3', power_w: 700, utilization: 0.5 };
  agents.push(agent('tx-1', 'tx1-row1', miners), agent('tx-1', 'tx1-gpu', gpus), agent('tx-ppa', 'ppa-row1', miners), agent('tx-ppa', 'ppa-gpu', gpus), agent('eu-1', 'eu1-row1', miners));
  for (const a of agents) await a.start();
  for (const a of agents) a.run();
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(agents.map((a) => a.stop()));
  await collector?.stop();
  await Promise.allSettled([prometheus?.stop(), influx?.stop(), mosquitto?.stop(), prices?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

const firing = (alertname: string, matchers: string) => `ALERTS{alertname="${alertname}", alertstate="firing", ${matchers}}`;

describe('an ERCOT price spike', () => {
  it('before it: $30 settled, nothing advised, each site on its own price', async () => {
    const t = await eventually(async () => {
      const s = await text();
      return metricValue(s, 'powersite_curtailment_advice', tx1) !== undefined && metricValue(s, 'powersite_energy_spot_usd_per_mwh', { site: 'tx-1' }) === 30 && metricValue(s, 'powersite_energy_spot_usd_per_mwh', { site: 'eu-1' }) === 20 ? s : undefined;
    }, 60_000);
    expect(metricValue(t, 'powersite_energy_cost_usd_per_mwh', { site: 'tx-1' })).toBe(30 + TRANSMISSION);
    expect(metricValue(t, 'powersite_energy_cost_usd_per_mwh', { site: 'tx-ppa' })).toBe(40 + TRANSMISSION);
    expect(metricValue(t, 'powersite_energy_opportunity_cost_usd_per_mwh', { site: 'tx-ppa' })).toBe(30);
    expect(metricValue(t, 'powersite_energy_cost_usd_per_mwh', { site: 'eu-1' })).toBe(20);
    expect(metricValue(t, 'powersite_energy_price_source', { site: 'tx-1', source: 'feed' })).toBe(1);
    expect(metricValue(t, 'powersite_curtailment_advice', tx1)).toBe(0);
    expect(metricValue(t, 'powersite_curtailment_recommended', { site: 'tx-1', model: 'Antminer S19 Pro' })).toBe(0);
    // The sanity of the expectation: S19 Pros earn about $75.75/MWh at this market.
    expect(REVENUE).toBeCloseTo(75.75, 1);
  });

  it('first $5,000 interval: the raw signal is up, the advice waits for the second (N = 2)', async () => {
    publish(5000);
    const t = await seen(5000);
    expect(metricValue(t, 'powersite_curtailment_recommended', { site: 'tx-1', model: 'Antminer S19 Pro' })).toBe(1);
    expect(metricValue(t, 'powersite_curtailment_advice', tx1)).toBe(0);
    expect(metricValue(t, 'powersite_curtailment_advice', ppa)).toBe(0);
  });

  it('second $5,000 interval: cost, cash and opportunity margins, advice for the models and utilisation HPC, never reserved HPC', async () => {
    publish(5000);
    const t = await seen(5000).then(() => eventually(async () => {
      const s = await text();
      return metricValue(s, 'powersite_curtailment_advice', tx1) === 1 ? s : undefined;
    }));
    // tx-1 buys at spot: it pays 5,000 + 5 and that is also what a MWh burned forgoes.
    expect(metricValue(t, 'powersite_energy_cost_usd_per_mwh', { site: 'tx-1' })).toBe(5005);
    expect(metricValue(t, 'powersite_margin_usd_per_mwh', { site: 'tx-1', workload: 'mining' })).toBeCloseTo(REVENUE - 5005, 6);
    expect(metricValue(t, 'powersite_opportunity_margin_usd_per_mwh', { site: 'tx-1', workload: 'mining' })).toBeCloseTo(REVENUE - 5005, 6);
    expect(metricValue(t, 'powersite_curtailment_advice_power_watts', tx1)).toBe(MINERS * MINER_W);
    // Its GPUs are billed by utilisation and earn $1,500/MWh < $5,005: advised like a miner model.
    expect(metricValue(t, 'powersite_curtailment_advice', { site: 'tx-1', workload: 'hpc' })).toBe(1);
    expect(metricValue(t, 'powersite_curtailment_advice_power_watts', { site: 'tx-1', workload: 'hpc' })).toBe(8 * 700);
    expect(HPC_REVENUE).toBeCloseTo(1500, 9);
    // tx-ppa pays its PPA (40 + 5) in cash, a healthy margin; but each MWh could be sold at 5,000.
    expect(metricValue(t, 'powersite_energy_cost_usd_per_mwh', { site: 'tx-ppa' })).toBe(45);
    expect(metricValue(t, 'powersite_margin_usd_per_mwh', { site: 'tx-ppa', workload: 'mining' })).toBeCloseTo(REVENUE - 45, 6);
    expect(metricValue(t, 'powersite_opportunity_margin_usd_per_mwh', { site: 'tx-ppa', workload: 'mining' })).toBeCloseTo(REVENUE - 5000, 6);
    expect(metricValue(t, 'powersite_curtailment_advice', ppa)).toBe(1);
    // Its GPUs are reserved (take-or-pay): never a curtailment target.
    expect(t).not.toMatch(/powersite_curtailment_advice\{[^}]*site="tx-ppa"[^}]*workload="hpc"/);
    // eu-1 is on its own market and untouched by the spike.
    expect(metricValue(t, 'powersite_energy_cost_usd_per_mwh', { site: 'eu-1' })).toBe(20);
    expect(metricValue(t, 'powersite_margin_usd_per_mwh', { site: 'eu-1', workload: 'mining' })).toBeCloseTo(REVENUE - 20, 6);
    expect(metricValue(t, 'powersite_curtailment_advice', { site: 'eu-1', workload: 'mining', model: 'Antminer S19 Pro' })).toBe(0);
  });

  it('the energy cost counter advances at the spike price: Δcost / Δenergy = 5,005 USD/MWh', async () => {
    const read = async () => {
      const t = await text();
      return { cost: metricValue(t, 'powersite_energy_cost_usd_total', { site: 'tx-1', workload: 'mining' })!, joules: metricValue(t, 'powersite_energy_joules_total', { site: 'tx-1', workload: 'mining' })! };
    };
    const a = await read();
    const b = await eventually(async () => {
      const r = await read();
      return r.joules > a.joules ? r : undefined;
    });
    expect(((b.cost - a.cost) / (b.joules - a.joules)) * 3.6e9).toBeCloseTo(5005, 6);
  });

  it('Prometheus fires the curtailment alert with the shipped rules', async () => {
    const result = await prometheus.waitFor(firing('PowersiteCurtailmentAdvised', 'site="tx-1", workload="mining"'), (r) => r.length === 1, 60_000);
    expect(result[0]!.metric.model).toBe('Antminer S19 Pro');
    await prometheus.waitFor(firing('PowersiteCurtailmentAdvised', 'site="tx-ppa"'), (r) => r.length === 1, 30_000);
  });

  it('first $20 interval: still advised (M = 2); second: resumed, and the alert resolves', async () => {
    publish(20);
    let t = await seen(20);
    expect(metricValue(t, 'powersite_curtailment_recommended', { site: 'tx-1', model: 'Antminer S19 Pro' })).toBe(0);
    expect(metricValue(t, 'powersite_curtailment_advice', tx1)).toBe(1);
    publish(20);
    t = await seen(20).then(() => eventually(async () => {
      const s = await text();
      return metricValue(s, 'powersite_curtailment_advice', tx1) === 0 ? s : undefined;
    }));
    expect(metricValue(t, 'powersite_curtailment_advice_power_watts', tx1)).toBe(0);
    expect(metricValue(t, 'powersite_curtailment_advice', ppa)).toBe(0);
    await prometheus.waitFor(firing('PowersiteCurtailmentAdvised', 'site="tx-1"'), (r) => r.length === 0, 60_000);
  });

  it('InfluxDB holds each change of advice as an event with its reason', async () => {
    const rows = await eventually(async () => {
      const r = await influx.rows(DB, `SELECT "curtail", "reason", "power_w" FROM "curtailment" WHERE "site" = 'tx-1' AND "workload" = 'mining'`);
      return r.length >= 2 ? r : undefined;
    }, 30_000);
    expect(rows.map((r) => [r.curtail, r.reason])).toEqual([
      [true, `2 consecutive intervals above the breakeven of ${REVENUE.toFixed(2)} USD/MWh (last 5005.00)`],
      [false, `2 consecutive intervals at or below the breakeven of ${REVENUE.toFixed(2)} USD/MWh (last 25.00): resume`],
    ]);
    expect(rows[0]!.power_w).toBe(MINERS * MINER_W);
  });
});

describe('the forward view', () => {
  it('tx-1\'s ERCOT day-ahead hour at $120 (+ $5 transmission) is forecast in its hour ahead', async () => {
    const hoursAhead = String(Math.max(0, Math.floor((DAM_HOUR - Date.now()) / 3_600_000))).padStart(2, '0');
    const t = await eventually(async () => {
      const s = await text();
      return metricValue(s, 'powersite_forecast_margin_usd_per_mwh', { site: 'tx-1', workload: 'mining', hours_ahead: hoursAhead }) !== undefined ? s : undefined;
    }, 30_000);
    expect(metricValue(t, 'powersite_forecast_margin_usd_per_mwh', { site: 'tx-1', workload: 'mining', hours_ahead: hoursAhead })).toBeCloseTo(REVENUE - 125, 6);
    expect(metricValue(t, 'powersite_forecast_margin_usd_per_mwh', { site: 'tx-1', workload: 'hpc', hours_ahead: hoursAhead })).toBeCloseTo(HPC_REVENUE - 125, 6);
    expect(metricValue(t, 'powersite_forecast_negative_margin_eta_seconds', { site: 'tx-1', workload: 'mining' })).toBeCloseTo((DAM_HOUR - Date.now()) / 1000, -2);
  });

  it('eu-1\'s own endpoint forecasts $500 within two hours: a negative mining margin, the alert and InfluxDB points', async () => {
    const t = await text();
    const eta = metricValue(t, 'powersite_forecast_negative_margin_eta_seconds', { site: 'eu-1', workload: 'mining' })!;
    // The $500 hour starts at slot + 1 h, less than an hour and a quarter from now.
    expect(eta).toBeGreaterThan(0);
    expect(eta).toBeLessThanOrEqual(3600);
    const ahead = [0, 1, 2].map((h) => metricValue(t, 'powersite_forecast_margin_usd_per_mwh', { site: 'eu-1', workload: 'mining', hours_ahead: `0${h}` }));
    expect(ahead.some((m) => m !== undefined && Math.abs(m - (REVENUE - 500)) < 1e-6)).toBe(true);
    expect(ahead[0]).toBeDefined();
    await prometheus.waitFor(firing('PowersiteMiningMarginForecastNegative', 'site="eu-1"'), (r) => r.length === 1, 60_000);
    const rows = await eventually(async () => {
      const r = await influx.rows(DB, `SELECT "price_usd_per_mwh", "margin_usd_per_mwh" FROM "energy_forecast" WHERE "site" = 'eu-1' AND "workload" = 'mining' AND time >= ${slot + 3_600_000}ms`);
      return r.length > 0 ? r : undefined;
    }, 30_000);
    expect(rows[0]).toMatchObject({ price_usd_per_mwh: 500 });
    expect(rows[0]!.margin_usd_per_mwh as number).toBeCloseTo(REVENUE - 500, 6);
  });
});

describe('constant market data is visible', () => {
  it('a warning at start names the constants, and their age on /metrics grows from the start', async () => {
    const warning = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith('market data is constant'));
    expect(warning).toMatchObject({ level: 40, constants: ['economics.bitcoin.btc_usd', 'economics.bitcoin.difficulty', 'economics.bitcoin.height', 'economics.bitcoin.fees_btc_per_block'], defaults: [] });
    expect(metricValue(await text(), 'powersite_market_data_age_seconds', { source: 'config' })).toBeGreaterThan(1);
    // Each change of advice is logged with its reason.
    expect(logLines.filter((l) => l.includes('curtailment advice changed') && l.includes('"site":"tx-1"') && l.includes('Antminer S19 Pro'))).toHaveLength(2);
    // The feeds are named in the log too, and no secret is.
    expect(logLines.some((l) => l.includes('energy price feed configured') && l.includes('ercot:HB_NORTH'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(FAKE_ERCOT_TOKEN);
  });
});
