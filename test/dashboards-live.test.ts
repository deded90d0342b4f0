// Queries proven, not assumed: a simulated site runs through the real agents, a real Mosquitto and
// two real collectors sharing one subscription into a real InfluxDB, scraped by a real Prometheus
// that loads the rule files. Every PromQL of every dashboard panel and variable, every recorded
// series and every alert expression must return data from Prometheus, and every InfluxQL query
// must return a series from InfluxDB at every resolution (raw, 1-minute and 1-hour tiers), the
// resolution the dashboards pick from the collectors' tier table included.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { backfillStatements, RETENTION_POLICIES, RetentionConfig, type RetentionSettings } from '../collector/store/retention.js';
import { dashboardQueries, type DashboardQuery } from '../dashboards/queries.js';
import { loadRules, nonFiltering, RULE_FILES } from '../dashboards/rules.js';
import { startInflux, startMosquitto, startPrometheus, type InfluxHandle, type MosquittoHandle, type PrometheusHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually } from './support/metrics.js';

const SITE = 'live-site';
const DB = 'powersite_dashboards';
/** The collectors' default retention, which they apply before their first write. */
const retention: RetentionSettings = { database: DB, ...RetentionConfig.parse({}) };
/** What the dashboards' variables hold while this site is selected. */
const VARIABLES = { site: SITE, host: '.*', energy_price: '45' };

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let prometheus: PrometheusHandle;
let stateRoot: string;
const collectors: Collector[] = [];
const agents: Agent[] = [];

/**
 * The site: a busy GPU host and an idle one (rented by utilisation, so idle GPUs cost money), and
 * two mining rows, one with reported and one with estimated power, each with miners down.
 */
function agentConfigs(brokerUrl: string): AgentConfig[] {
  const common = { site: SITE, interval: 1, mqtt: { url: brokerUrl } };
  const gpuHost = (host: string, devices: number, utilization: number, powerW: number) => ({
    ...common,
    host,
    state_dir: join(stateRoot, host),
    sources: [{ type: 'simulated', workload: 'hpc', kind: 'gpu', devices, id_prefix: `GPU-${host}`, vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', power_w: powerW, utilization, temp_c: 62, jitter: 0.05 }],
  });
  const miningRow = (host: string, model: string, powerW: number, hashrateHs: number, source: string, tempC: number, down: number) => ({
    ...common,
    host,
    state_dir: join(stateRoot, host),
    sources: [{ type: 'simulated', workload: 'mining', kind: 'asic', devices: 20, id_prefix: `10.0.${host}`, vendor: 'bitmain', model, power_w: powerW, power_source: source, hashrate_hs: hashrateHs, temp_c: tempC, jitter: 0.02, down }],
  });
  // The site meter: about 138 kW of IT power under it, so PUE and unaccounted power have figures.
  const siteMeter = { ...common, host: 'gw-meter', state_dir: join(stateRoot, 'gw-meter'), sources: [{ type: 'simulated', workload: 'mining', kind: 'meter', devices: 1, id_prefix: 'site-meter', model: 'PM5340', power_w: 160_000, power_source: 'measured', covers: 'site' }] };
  return [
    siteMeter,
    gpuHost('gpu-busy', 4, 0.86, 640),
    gpuHost('gpu-idle', 4, 0.03, 90),
    miningRow('gw-row1', 'Antminer S21', 3500, 200e12, 'reported', 71, 1),
    miningRow('gw-row2', 'Antminer S19 Pro', 3250, 110e12, 'estimated', 78, 2),
  ].map((c) => AgentConfig.parse(c));
}

function collectorConfig(n: number) {
  return {
    mqtt: { url: mosquitto.url, client_id: `dashboards-collector-${n}`, share_group: 'dashboards' },
    influx: { url: influx.url, database: DB, flush_interval: '200ms', economics_interval: '1s' },
    economics: {
      energy: { price_usd_per_mwh: 45 },
      bitcoin: { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03 },
      hpc: { billing: 'utilization', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    },
    // A contract the site exceeds and a floor both margins are under, so those alerts have work to do
    // (1 kW: a 5-minute rate over the test's few seconds of counters is a fraction of the power).
    sites: { [SITE]: { contracted_power_mw: 0.001, margin_floor_usd_per_mwh: 5000 } },
  };
}

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  stateRoot = await mkdtemp(join(tmpdir(), 'powersite-dashboards-'));
  for (const n of [1, 2]) collectors.push(await startCollector(collectorConfig(n)));
  prometheus = await startPrometheus({
    scrapeTargets: collectors.map((c) => new URL(c.metricsUrl).host),
    scrapeInterval: '1s',
    ruleFiles: RULE_FILES,
  });

  for (const config of agentConfigs(mosquitto.url)) {
    const agent = new Agent(config, { logger: silentLogger() });
    agents.push(agent);
    await agent.start();
    agent.run();
  }

  // Rates need two scrapes of both workloads' counters, and the recording rules a run on them;
  // ten seconds of scrapes also gives each collector a share of every host's messages.
  await prometheus.waitFor('count(count_over_time(powersite_energy_joules_total[1m]) >= 10)', (r) => r.length === 1, 60_000);
  await prometheus.waitFor('site_workload:powersite_power_watts:rate5m > 0', (r) => r.length === 2, 30_000);
  await eventually(async () => Number((await influx.rows(DB, 'SELECT count("power_w") FROM "raw"."asic"'))[0]?.count) >= 200, 30_000);
  // The continuous queries run at the end of each minute; do their work now for the coarser tiers.
  const now = Date.now();
  for (const statement of backfillStatements(retention, now - 2 * 3_600_000, now + 60_000)) await influx.query(DB, statement);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(agents.map((a) => a.stop()));
  await Promise.allSettled(collectors.map((c) => c.stop()));
  await Promise.allSettled([prometheus?.stop(), influx?.stop(), mosquitto?.stop()]);
  if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
}, 60_000);

const label = (q: DashboardQuery) => `${q.dashboard}: ${q.source} (${q.refId})`;
const promql = dashboardQueries(VARIABLES).filter((q) => q.language === 'promql');
const influxql = RETENTION_POLICIES.flatMap((rp) =>
  dashboardQueries({ ...VARIABLES, rp })
    .filter((q) => q.language === 'influxql')
    .map((q) => ({ ...q, rp })),
);
// Variable queries do not read a retention policy: once is enough.
const influxUnique = influxql.filter((q, i) => influxql.findIndex((o) => o.query === q.query) === i);
const rules = loadRules();

/** Polls briefly: a series that exists shows up within a couple of scrapes. */
async function expectPromData(query: string): Promise<void> {
  await prometheus.waitFor(query, (r) => r.length > 0, 3_000);
}

describe('every dashboard PromQL query returns data from Prometheus', () => {
  it.each(promql.map((q) => [label(q), q.query]))('%s', async (_name, query) => {
    await expectPromData(query);
  });
});

describe('every recording rule records a series', () => {
  it.each(rules.filter((r) => r.kind === 'record').map((r) => r.name))('%s', async (name) => {
    await expectPromData(name);
  });
});

describe('every alert expression has data to judge (comparisons made non-filtering)', () => {
  it.each(rules.filter((r) => r.kind === 'alert').map((r) => [r.name, nonFiltering(r.expr)]))('%s', async (_name, query) => {
    await expectPromData(query);
  });
});

describe('every dashboard InfluxQL query returns a series from InfluxDB', () => {
  it.each(influxUnique.map((q) => [`${label(q)} [${q.rp}]`, q.query]))('%s', async (_name, query) => {
    const series = await eventually(async () => {
      const [result] = await influx.query(DB, query);
      return result?.series?.length ? result.series : undefined;
    }, 3_000).catch(() => []);
    expect(series.length, query).toBeGreaterThan(0);
  });
});

describe('the collectors write the tier table the dashboards choose their resolution from', () => {
  const tierVariables = dashboardQueries(VARIABLES).filter((q) => q.source === 'variable rp');
  it.each(tierVariables.map((q) => [label(q), q.query]))('%s picks the raw tier for the last hour', async (_name, query) => {
    expect((await influx.rows(DB, query)).map((row) => row.rp)).toEqual(['raw']);
  });
});

describe('alert rules evaluate against the live site', () => {
  // The site has 3 of 40 miners down, idle GPUs rented by utilisation, more power than its
  // contract and margins under its floor: each of these alerts is pending (its "for" not yet met).
  it.each([
    ['PowersiteDevicesDown', 'workload="mining"'],
    ['PowersiteGpusIdleWhileBilledByUtilization', ''],
    ['PowersiteSitePowerOverContract', ''],
    ['PowersiteMarginBelowFloor', 'workload="hpc"'],
    ['PowersiteMarginBelowFloor', 'workload="mining"'],
  ])('%s {%s} is pending', async (alertname, matchers) => {
    const selector = `ALERTS{alertname="${alertname}", alertstate="pending", site="${SITE}"${matchers ? `, ${matchers}` : ''}}`;
    const result = await prometheus.waitFor(selector, (r) => r.length > 0, 10_000);
    expect(result).toHaveLength(1);
  });
});
