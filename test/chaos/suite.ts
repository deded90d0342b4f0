/**
 * The chaos suite: a simulated site through real Mosquitto (persistent), real InfluxDB and real
 * collector processes, with one fault at a time. Each scenario counts the telemetry messages the
 * agents made (sent), the distinct ones stored in InfluxDB (written), redeliveries the collectors
 * committed again (duplicates, as counted by the collectors before they stopped), what is missing
 * (lost), what the agents' spools dropped because they were full (dropped), and the counter drift:
 * the billed energy the collectors' counters advanced by (from each collector's own stop line,
 * written after its last commit; scraped just before a kill -9) minus the truth, the sum of the
 * stored messages' own amounts.
 */
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../agent/agent.js';
import { AgentConfig } from '../../agent/config.js';
import { silentLogger } from '../../common/logger.js';
import { freePort, startInflux, startMosquitto, startRefusingProxy, type InfluxHandle, type MosquittoHandle, type RefusingProxy } from '../harness/index.js';
import { collectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { eventually, metricValue, scrape } from '../support/metrics.js';

export interface ChaosResult {
  scenario: string;
  fault: string;
  sent: number;
  written: number;
  duplicates: number;
  lost: number;
  dropped: number;
  /** Joules the collectors' energy counters advanced by beyond (or short of) the stored truth. */
  drift_j: number;
}

interface Context {
  mosquitto: MosquittoHandle;
  influx: InfluxHandle;
  /** In front of InfluxDB: passes through, or refuses every request. */
  proxy: RefusingProxy;
  dir: string;
  /** Scale for every wait: 1 for the short CI form, more for `npm run chaos`. */
  scale: number;
}

interface Scenario {
  name: string;
  fault: string;
  spoolBytes?: number;
  run(s: RunningScenario): Promise<void>;
}

class RunningScenario {
  agents: Agent[] = [];
  committed = 0;
  /** Billed energy the collector's counters showed, summed over its runs. */
  counted = 0;
  private generation = 0;

  constructor(
    readonly ctx: Context,
    readonly name: string,
    readonly collector: CollectorProcess,
    private readonly spoolBytes: number | undefined,
  ) {}

  wait(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms * this.ctx.scale));
  }

  private agentConfig(i: number) {
    return AgentConfig.parse({
      site: this.name,
      host: `host-${i}`,
      interval: '250ms',
      state_dir: join(this.ctx.dir, this.name, `host-${i}`),
      mqtt: { url: this.ctx.mosquitto.url, reconnect_period: '200ms' },
      // Unconfirmed messages go again after 1.5 s, so a scenario sees its resends before it ends.
      spool: { confirm_timeout: '1500ms', ...(this.spoolBytes ? { max_bytes: this.spoolBytes } : {}) },
      sources: [{ type: 'simulated', workload: i % 2 ? 'hpc' : 'mining', kind: i % 2 ? 'gpu' : 'asic', devices: 20, power_w: 3000, hashrate_hs: 1e14, jitter: 0.05 }],
    });
  }

  async startAgents(): Promise<void> {
    this.generation++;
    this.agents = [0, 1, 2].map((i) => new Agent(this.agentConfig(i), { logger: silentLogger() }));
    for (const a of this.agents) await a.start();
    for (const a of this.agents) a.run();
  }

  /** `drainMs`: let each spool empty first, so what is still on its way is not counted as lost. */
  async stopAgents(drainMs = 0): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop({ drainMs })));
  }

  /** Before a kill -9: adds what the collector has committed so far (what it commits after this scrape is missed). */
  async countCommitted(): Promise<void> {
    const text = await scrape(this.collector.metricsUrl).catch(() => '');
    this.committed += metricValue(text, 'powersite_collector_lag_seconds_count', {}) ?? 0;
    for (const workload of ['mining', 'hpc']) this.counted += metricValue(text, 'powersite_energy_joules_total', { site: this.name, workload }) ?? 0;
  }

  /** A graceful stop: adds the accounts of the collector's own stop line, written after its last commit. */
  async stopCollector(): Promise<void> {
    await this.collector.stop();
    const line = this.collector.stoppedLine();
    if (!line) throw new Error(`collector of ${this.name} left no 'collector stopped' line: ${this.collector.log().slice(-2000)}`);
    this.committed += line.messages_counted! + line.redeliveries_ignored!;
    this.counted += line.energy_j!;
  }

  /** A crash of the broker; `empty`: it comes back without its saved state, as a failover node would. */
  async killBroker(empty: boolean): Promise<void> {
    await this.ctx.mosquitto.kill9();
    if (empty) await unlink(join(this.ctx.mosquitto.dir, 'mosquitto.db')).catch(() => {});
    await this.ctx.mosquitto.start();
  }

  async restartCollector(kill: boolean): Promise<void> {
    if (kill) {
      await this.countCommitted();
      await this.collector.kill9();
    } else await this.stopCollector();
  }
}

const SCENARIOS: Scenario[] = [
  { name: 'baseline', fault: 'none', run: async (s) => s.wait(3000) },
  {
    name: 'broker-restart',
    fault: 'Mosquitto restarted (persistent sessions kept)',
    run: async (s) => {
      await s.wait(1500);
      await s.ctx.mosquitto.restart();
      await s.wait(2000);
    },
  },
  {
    name: 'collector-kill9',
    fault: 'collector killed with SIGKILL, restarted 2 s later',
    run: async (s) => {
      await s.wait(1500);
      await s.restartCollector(true);
      await s.wait(2000);
      await s.collector.start();
      await s.wait(1500);
    },
  },
  {
    name: 'influxdb-outage',
    fault: 'InfluxDB stopped for 4 s',
    run: async (s) => {
      await s.wait(1500);
      await s.ctx.influx.halt();
      await s.wait(4000);
      await s.ctx.influx.start();
      await s.wait(2000);
    },
  },
  {
    name: 'agent-restart-in-outage',
    fault: 'agents restarted while the broker was down',
    run: async (s) => {
      await s.wait(1500);
      await s.ctx.mosquitto.halt();
      await s.wait(1000);
      await s.stopAgents();
      await s.startAgents();
      await s.wait(1000);
      await s.ctx.mosquitto.start();
      await s.wait(2000);
    },
  },
  {
    name: 'broker-kill9',
    fault: 'Mosquitto killed with SIGKILL (shipped persistence, autosave 30 s) and restarted',
    run: async (s) => {
      await s.wait(1500);
      await s.killBroker(false);
      await s.wait(3000);
    },
  },
  {
    name: 'broker-kill9-backlog',
    fault: 'collector stopped, Mosquitto killed with SIGKILL while it queued the backlog, both restarted',
    run: async (s) => {
      await s.wait(1000);
      await s.restartCollector(false);
      await s.wait(1500);
      await s.killBroker(false);
      await s.collector.start();
      await s.wait(3000);
    },
  },
  {
    name: 'broker-failover-empty',
    fault: 'failover to an empty broker on the same address (no sessions, no queue)',
    run: async (s) => {
      await s.wait(1500);
      await s.killBroker(true);
      await s.wait(3000);
    },
  },
  {
    name: 'influxdb-refusing',
    fault: 'InfluxDB answering 401 to every request for 4 s',
    run: async (s) => {
      await s.wait(1500);
      s.ctx.proxy.refuse(401);
      await s.wait(4000);
      s.ctx.proxy.refuse(undefined);
      await s.wait(2500);
    },
  },
  {
    name: 'collector-restart-in-redelivery',
    fault: 'collector stopped with writes pending (InfluxDB down), restarted while the broker redelivers',
    run: async (s) => {
      await s.wait(1500);
      await s.ctx.influx.halt();
      await s.wait(1500);
      await s.restartCollector(false);
      await s.ctx.influx.start();
      await s.collector.start();
      await s.wait(3000);
    },
  },
  {
    name: 'spool-overflow',
    fault: 'broker down 4 s with a 64 KiB spool per agent',
    spoolBytes: 64 * 1024,
    run: async (s) => {
      await s.wait(1000);
      await s.ctx.mosquitto.halt();
      await s.wait(4000);
      await s.ctx.mosquitto.start();
      await s.wait(2000);
    },
  },
];

async function runScenario(ctx: Context, scenario: Scenario): Promise<ChaosResult> {
  const db = `chaos_${scenario.name.replace(/-/g, '_')}`;
  const collector = await collectorProcess(
    ctx.dir,
    `collector-${scenario.name}`,
    { mqtt: { url: ctx.mosquitto.url, client_id: `chaos-${scenario.name}`, reconnect_period: '200ms' }, influx: { url: ctx.proxy.url, database: db, flush_interval: '100ms' } },
    await freePort(),
    [],
    'info',
  );
  await collector.start();
  const s = new RunningScenario(ctx, scenario.name, collector, scenario.spoolBytes);
  try {
    await s.startAgents();
    await scenario.run(s);
    await s.stopAgents(15_000);
    const sent = s.agents.reduce((n, a) => n + (a as unknown as { seq: number }).seq, 0);
    const dropped = s.agents.reduce((n, a) => n + a.spool.dropped, 0);
    const count = async () => Number((await ctx.influx.rows(db, 'SELECT count(seq) FROM agent_message'))[0]?.count ?? 0);
    // Wait until everything that can arrive has arrived (or give up: then it shows as lost).
    await eventually(async () => (await count()) >= sent - dropped, 30_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const written = await count();
    await s.stopCollector();
    const truth = (await ctx.influx.rows(db, 'SELECT sum(mining_energy_j) AS m, sum(hpc_energy_j) AS h FROM agent_message'))[0] ?? {};
    const drift_j = Math.round(s.counted - (Number(truth.m ?? 0) + Number(truth.h ?? 0)));
    return { scenario: scenario.name, fault: scenario.fault, sent, written, duplicates: Math.max(0, s.committed - written), lost: sent - written, dropped, drift_j };
  } finally {
    await collector.stop();
  }
}

export async function runChaos(options: { scale?: number; only?: string[]; onResult?: (r: ChaosResult) => void } = {}): Promise<ChaosResult[]> {
  // The shipped persistence settings: what the broker acknowledged since its last autosave dies with a kill -9.
  const [mosquitto, influx] = await Promise.all([startMosquitto({ persistence: true, configExtra: 'autosave_interval 30' }), startInflux()]);
  const proxy = await startRefusingProxy(influx.url);
  const dir = await mkdtemp(join(tmpdir(), 'powersite-chaos-'));
  const ctx: Context = { mosquitto, influx, proxy, dir, scale: options.scale ?? 1 };
  const results: ChaosResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (options.only && !options.only.includes(scenario.name)) continue;
      const result = await runScenario(ctx, scenario);
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await proxy.stop();
    await Promise.all([mosquitto.stop(), influx.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

export function formatResult(r: ChaosResult): string {
  return `${r.scenario}: sent ${r.sent}, written ${r.written}, duplicates ${r.duplicates}, lost ${r.lost}, dropped by full spool ${r.dropped}, counter drift ${r.drift_j} J`;
}

export function markdownTable(results: ChaosResult[]): string {
  const rows = results.map((r) => `| ${r.scenario} | ${r.fault} | ${r.sent} | ${r.written} | ${r.duplicates} | ${r.lost} | ${r.dropped} | ${r.drift_j} |`);
  return ['| scenario | fault | sent | written | duplicates | lost | dropped (spool full) | counter drift (J) |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
