import { loadConfig } from '../common/config-file.js';
import { EXIT } from '../common/exit-codes.js';
import { createLogger, silentLogger } from '../common/logger.js';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { readOnce } from '../agent/read-once.js';
import { devicesTable } from './readings-table.js';
import { reloadOnHangup } from './reload-on-hangup.js';
import { stopOnSignal } from './run-until-signal.js';

export interface AgentCommandOptions {
  config?: string;
  /** Read every source once, print the devices, exit: no broker, no spool, no state written. */
  once?: boolean;
  json?: boolean;
}

export async function runAgent(opts: AgentCommandOptions): Promise<void> {
  const config = await loadConfig(AgentConfig, opts.config);
  if (opts.once) return printOnce(config, opts.json === true);
  const logger = createLogger('powersite-agent');
  const agent = new Agent(config, { logger });
  await agent.start();
  agent.run();
  reloadOnHangup(logger, opts.config, {
    load: () => loadConfig(AgentConfig, opts.config),
    current: () => agent.config,
    live: Agent.LIVE_KEYS,
    apply: (next) => agent.reload(next),
  });
  await stopOnSignal(logger, () => agent.stop());
}

/** Exit 0 only when every source answered; a source that failed is named on stderr (and in the JSON). */
async function printOnce(config: AgentConfig, json: boolean): Promise<void> {
  const readings = await readOnce(config, silentLogger());
  const devices = readings.flatMap((r) => r.devices);
  if (json) {
    process.stdout.write(`${JSON.stringify({ site: config.site, host: config.host, sources: readings.map(({ devices: d, ...r }) => ({ ...r, devices: d.length })), devices }, null, 2)}\n`);
  } else {
    for (const r of readings) process.stdout.write(`${r.name}: ${r.error ? `FAILED: ${r.error}` : `${r.devices.length} device${r.devices.length === 1 ? '' : 's'}`}\n`);
    if (devices.length > 0) process.stdout.write(`\n${devicesTable(devices)}`);
  }
  const failed = readings.filter((r) => r.error !== undefined);
  for (const r of failed) process.stderr.write(`powersite: source ${r.name} did not answer: ${r.error}\n`);
  if (failed.length > 0) process.exitCode = EXIT.FAILURE;
}
