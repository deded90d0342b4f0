// Two machines configured with the same host name (same client id, same user): on a real
// Mosquitto they take turns, and the collector names the host on /metrics instead of silently
// merging their devices. One agent restarting is not flagged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

let mosquitto: MosquittoHandle;
let collector: Collector;
const dirs: string[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
  collector = await startCollector({ mqtt: { url: mosquitto.url, client_id: 'dup-collector' } });
});
afterAll(async () => {
  await collector?.stop();
  await mosquitto?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function agent(host: string): Promise<Agent> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-dup-'));
  dirs.push(dir);
  const a = new Agent(
    AgentConfig.parse({
      site: 'dup-site',
      host,
      interval: '1h',
      state_dir: dir,
      mqtt: { url: mosquitto.url, reconnect_period: '200ms' },
      sources: [{ type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 1, power_w: 700 }],
    }),
    { logger: silentLogger() },
  );
  await a.start();
  return a;
}

const flagged = async (host: string) => metricValue(await scrape(collector.metricsUrl), 'powersite_duplicate_hosts', { site: 'dup-site', host });

it('names a host two machines share, and not one that restarted', async () => {
  // A restart: a new instance once.
  const first = await agent('gpu-restarted');
  await eventually(() => collector.state.activity().get('dup-site')?.online === 1);
  await first.stop();
  const second = await agent('gpu-restarted');
  // Two machines as gpu-twin: each connect closes the other, and each birth names its instance.
  const twins = [await agent('gpu-twin'), await agent('gpu-twin')];
  try {
    await eventually(async () => (await flagged('gpu-twin')) === 1, 30_000);
    expect(await flagged('gpu-restarted')).toBe(0);
  } finally {
    await Promise.all([second.stop(), ...twins.map((t) => t.stop())]);
  }
}, 60_000);
