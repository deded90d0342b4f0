/**
 * One reading of every source of an agent config, without broker, spool or state: what
 * `powersite agent --once` prints (Telegraf users know it as `telegraf --test`). Each device is
 * normalised as the agent publishes it (workload added, values outside the wire contract dropped);
 * energy counters need two readings and are left out.
 */
import type { Logger } from '../common/logger.js';
import type { DeviceSample } from '../protocol/index.js';
import type { AgentConfig } from './config.js';
import { guardSample } from './sample-guard.js';
import { findSource } from './sources/registry.js';
import { untilAborted } from './until-aborted.js';

export interface SourceReading {
  /** The source's own name ("nvidia", "cgminer(40 miners)"). */
  name: string;
  type: string;
  /** Undefined when the source answered. */
  error?: string;
  devices: DeviceSample[];
}

/** Reads every source once, concurrently, under the same deadline as an agent cycle. */
export async function readOnce(config: AgentConfig, logger: Logger): Promise<SourceReading[]> {
  const ctx = { logger, intervalMs: config.interval, hostName: config.host };
  const sources = await Promise.all(config.sources.map(async (sc) => ({ source: await findSource(sc.type)!.create(sc, ctx), config: sc })));
  const deadline = AbortSignal.timeout(Math.max(50, Math.floor(config.interval * 0.8)));
  try {
    const results = await Promise.allSettled(sources.map(({ source }) => untilAborted(source.read(deadline), deadline, source.name)));
    return results.map((result, i): SourceReading => {
      const { source, config: sc } = sources[i]!;
      if (result.status === 'rejected') return { name: source.name, type: sc.type, error: (result.reason as Error)?.message ?? String(result.reason), devices: [] };
      const devices = result.value.map(({ device_energy_j: _counter, ...reading }) => guardSample({ ...reading, workload: sc.workload }).sample);
      return { name: source.name, type: sc.type, devices };
    });
  } finally {
    await Promise.allSettled(sources.map(({ source }) => source.close?.()));
  }
}
