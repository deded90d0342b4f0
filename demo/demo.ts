/**
 * `powersite demo`: broker, simulated site, agents and collector in one process, on loopback.
 * Prints what runs, where the page and /metrics are, and a one-line summary every few seconds.
 * Whatever fails while starting, everything started so far is stopped and the temp dir removed,
 * so a taken port is one clear error and never a process left hanging.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { UnavailableError } from '../common/exit-codes.js';
import { createLogger, type Logger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { startFakeWhatsminers } from './fake-whatsminers.js';
import { startDemoMeters } from './meters.js';
import { DEMO_FLEET, DEMO_SITE, FAKE_WHATSMINERS, demoAgentConfigs, demoMeterLoads, describeDemoSite } from './site.js';
import { summaryLine } from './summary.js';

export interface DemoOptions {
  httpPort: number;
  mqttPort: number;
  /** When the MQTT port was not asked for and is taken, use any free one instead of failing. */
  mqttPortFallback?: boolean;
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

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const logger = options.logger ?? createLogger('powersite-demo', process.env.POWERSITE_LOG_LEVEL ?? 'warn');
  // Stops of what has started, run in reverse; on a failed start as on a clean stop.
  const started: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of started.splice(0).reverse()) {
      await stop().catch((err: unknown) => logger.warn({ err }, 'demo: error while stopping'));
    }
  };
  try {
    const stateRoot = await mkdtemp(join(tmpdir(), 'powersite-demo-'));
    started.push(() => rm(stateRoot, { recursive: true, force: true }));
    const broker = await startBroker(options);
    started.push(() => broker.close());
    const collector = new Collector(demoCollectorConfig(broker.url, options), logger);
    started.push(() => collector.stop());
    await collector.start().catch((err: unknown) => {
      throw portError(err, options.httpPort, '--port') ?? err;
    });
    const miners = await startFakeWhatsminers(FAKE_WHATSMINERS, DEMO_FLEET.whatsminer);
    started.push(() => miners.close());
    const meters = await startDemoMeters({ dir: stateRoot, gpuHosts: DEMO_FLEET.gpuHosts, ...demoMeterLoads() });
    started.push(() => meters.close());
    const agents = demoAgentConfigs(broker.url, stateRoot, options.intervalMs, miners.miners, meters).map((config) => new Agent(config, { logger }));
    started.push(() => Promise.all(agents.map((a) => a.stop())));
    await Promise.all(agents.map((a) => a.start()));
    for (const a of agents) a.run();

    options.out(`powersite demo: site "${DEMO_SITE}", ${agents.length} hosts, each a real agent publishing to the embedded broker at ${broker.url}:`);
    for (const line of describeDemoSite()) options.out(line);
    options.out(`page:     ${collector.pageUrl} (the live site page)`);
    options.out(`metrics:  ${collector.metricsUrl}`);
    options.out(`health:   ${collector.metricsUrl.replace(/\/metrics$/, '/healthz')}`);
    options.out(options.influxUrl ? `history:  InfluxDB ${options.influxUrl}, database powersite_demo` : 'history:  off (pass --influx http://127.0.0.1:8086 to write InfluxDB)');
    options.out('Ctrl-C stops everything.');

    const summary = setInterval(() => {
      const site = collector.siteSummaries.get(DEMO_SITE);
      options.out(site ? summaryLine(site, collector.siteEconomics.get(DEMO_SITE)) : 'waiting for the first telemetry…');
    }, options.summaryEveryMs);
    started.push(async () => clearInterval(summary));

    return { metricsUrl: collector.metricsUrl, brokerUrl: broker.url, collector, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startBroker(options: DemoOptions): Promise<EmbeddedBroker> {
  try {
    return await startEmbeddedBroker(options.mqttPort);
  } catch (err) {
    if (options.mqttPortFallback && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const broker = await startEmbeddedBroker(0);
      options.out(`port ${options.mqttPort} is taken; the embedded MQTT broker listens on ${broker.port} instead`);
      return broker;
    }
    throw portError(err, options.mqttPort, '--mqtt-port') ?? err;
  }
}

/** A taken or forbidden port, said as what to do about it (exit 69). */
function portError(err: unknown, port: number, flag: string): UnavailableError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UnavailableError(`port ${port} is taken by another program: pass ${flag} with a free port (${flag} 0 picks one)`);
  if (code === 'EACCES') return new UnavailableError(`port ${port} needs privileges this user lacks: pass ${flag} with a port above 1023 (${flag} 0 picks one)`);
  return undefined;
}

function demoCollectorConfig(brokerUrl: string, options: DemoOptions): CollectorConfig {
  return CollectorConfig.parse({
    mqtt: { url: brokerUrl, client_id: 'powersite-demo-collector' },
    http: { host: '127.0.0.1', port: options.httpPort },
    // An illustrative late-2025 market and terms, fixed so the demo is reproducible.
    economics: {
      // Only for the unaccounted power: the site meter measures the real overhead.
      overhead: { pue: 1.1 },
      energy: { price_usd_per_mwh: 45 },
      bitcoin: { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03, pool_fee: 0.02 },
      hpc: { billing: 'reserved', price_usd_per_gpu_hour: { default: 2.0, H100: 2.1 } },
    },
    sites: { [DEMO_SITE]: { contracted_power_mw: 0.5, margin_floor_usd_per_mwh: 10 } },
    ...(options.influxUrl ? { influx: { url: options.influxUrl, database: 'powersite_demo', flush_interval: '1s' } } : {}),
  });
}
