/**
 * `powersite demo`: broker, simulated site, agents and collector in one process, on loopback.
 * Prints where /metrics is and a one-line summary every few seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { createLogger, type Logger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { startFakeWhatsminers } from './fake-whatsminers.js';
import { DEMO_SITE, demoAgentConfigs } from './site.js';

export interface DemoOptions {
  httpPort: number;
  mqttPort: number;
  influxUrl?: string;
  intervalMs: number;
  /** Print a summary line every this many ms. */
  summaryEveryMs: number;
  out: (line: string) => void;
  logger?: Logger;
}

export interface RunningDemo {
  metricsUrl: string;
  brokerUrl: string;
  collector: Collector;
  stop(): Promise<void>;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const logger = options.logger ?? createLogger('powersite-demo', process.env.POWERSITE_LOG_LEVEL ?? 'warn');
  const stateRoot = await mkdtemp(join(tmpdir(), 'powersite-demo-'));
  let broker: EmbeddedBroker;
  try {
    broker = await startEmbeddedBroker(options.mqttPort);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    broker = await startEmbeddedBroker(0);
    options.out(`port ${options.mqttPort} is taken; the embedded MQTT broker listens on ${broker.port} instead`);
  }
  const collectorConfig = CollectorConfig.parse({
    mqtt: { url: broker.url, client_id: 'powersite-demo-collector' },
    http: { host: '127.0.0.1', port: options.httpPort },
    // DESIGN.md's example market and terms: illustrative, fixed so the demo is reproducible.
    economics: {
      energy: { price_usd_per_mwh: 45 },
      bitcoin: { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03, pool_fee: 0.02 },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    },
    sites: { [DEMO_SITE]: { contracted_power_mw: 0.5, margin_floor_usd_per_mwh: 10 } },
    ...(options.influxUrl ? { influx: { url: options.influxUrl, database: 'powersite_demo', flush_interval: '1s' } } : {}),
  });
  const collector = new Collector(collectorConfig, logger);
  await collector.start();
  // Whatsminer M30S++ class: 112 TH/s at 3,472 W.
  const miners = await startFakeWhatsminers(39, { hashrateThs: 112, powerW: 3472 });
  const agents = demoAgentConfigs(broker.url, stateRoot, options.intervalMs, miners.addresses).map((config) => new Agent(config, { logger }));
  await Promise.all(agents.map((a) => a.start()));
  for (const a of agents) a.run();

  options.out(`powersite demo: ${agents.length} hosts of site "${DEMO_SITE}" (3 GPU hosts, 2 mining rows, one of ${miners.addresses.length} fake Whatsminers on loopback) publishing to the embedded broker at ${broker.url}`);
  options.out(`metrics:  ${collector.metricsUrl}`);
  options.out(`health:   ${collector.metricsUrl.replace(/\/metrics$/, '/healthz')}`);
  options.out(options.influxUrl ? `history:  InfluxDB ${options.influxUrl}, database powersite_demo` : 'history:  off (pass --influx http://127.0.0.1:8086 to write InfluxDB)');
  options.out('Ctrl-C stops everything.');

  const summary = setInterval(() => {
    const site = collector.siteSummaries.get(DEMO_SITE);
    if (!site) return options.out('waiting for the first telemetry…');
    const { mining, hpc } = site;
    const e = collector.siteEconomics.get(DEMO_SITE);
    const usd = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `$${fmt(v, 0)}`);
    options.out(
      `mining ${fmt(mining.power_w / 1000)} kW ${fmt(mining.hashrate_hs / 1e15, 2)} PH/s ${usd(e?.mining.revenue_usd_per_mwh)}/MWh margin ${usd(e?.mining.margin_usd_per_mwh)} ` +
        `(after halving ${usd(e?.next_halving?.mining_margin_usd_per_mwh)}) | ` +
        `hpc ${fmt(hpc.power_w / 1000)} kW util ${fmt((hpc.gpu_utilization ?? 0) * 100, 0)} % ${usd(e?.hpc.revenue_usd_per_mwh)}/MWh margin ${usd(e?.hpc.margin_usd_per_mwh)} | ` +
        `energy ${usd(e?.energy_price_usd_per_mwh)}/MWh`,
    );
  }, options.summaryEveryMs);

  return {
    metricsUrl: collector.metricsUrl,
    brokerUrl: broker.url,
    collector,
    async stop() {
      clearInterval(summary);
      await Promise.all(agents.map((a) => a.stop()));
      await miners.close();
      await collector.stop();
      await broker.close();
      await rm(stateRoot, { recursive: true, force: true });
    },
  };
}
