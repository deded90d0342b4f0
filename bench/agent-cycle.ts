/**
 * The agent's cost per cycle for a large mining LAN, against a baseline in the same process: the
 * baseline serialises the same readings once and publishes them at QoS 1 (what any agent must do at
 * least); the agent's cycle adds energy counters, sample checks, the on-disk spool, the state file
 * and message splitting. Reported as a ratio, with the heap the agent holds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { SimulatedConfig, simulate } from '../agent/sources/simulated/index.js';
import { silentLogger } from '../common/logger.js';
import { startMosquitto } from '../test/harness/index.js';

const DEVICES = Number(process.env.BENCH_AGENT_DEVICES ?? 5000);
const CYCLES = Number(process.env.BENCH_AGENT_CYCLES ?? 20);
const source = { type: 'simulated', workload: 'mining', kind: 'asic', devices: DEVICES, model: 'Antminer S19 Pro', power_w: 3250, hashrate_hs: 110e12, temp_c: 70, jitter: 0.05 } as const;

async function baseline(url: string): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId: 'bench-agent-baseline' });
  const config = SimulatedConfig.parse(source);
  const t0 = performance.now();
  for (let c = 0; c < CYCLES; c++) {
    const readings = simulate(config, Date.now()).map((r) => ({ ...r, workload: 'mining' }));
    // One message per 256 KiB, as the agent splits them.
    const json = readings.map((r) => JSON.stringify(r));
    const chunks: string[][] = [[]];
    let size = 0;
    for (const j of json) {
      if (size + j.length > 256 * 1024) {
        chunks.push([]);
        size = 0;
      }
      chunks.at(-1)!.push(j);
      size += j.length + 1;
    }
    await Promise.all(chunks.map((chunk, i) => client.publishAsync('powersite/v1/bench/base/telemetry', `{"seq":${c * 100 + i},"devices":[${chunk.join(',')}]}`, { qos: 1 })));
  }
  const ms = (performance.now() - t0) / CYCLES;
  await client.endAsync();
  return ms;
}

async function agentRun(url: string): Promise<{ ms: number; heapMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-bench-agent-'));
  const agent = new Agent(AgentConfig.parse({ site: 'bench', host: 'gw', interval: '1h', state_dir: dir, mqtt: { url }, sources: [source] }), { logger: silentLogger() });
  try {
    await agent.start();
    while (!(agent as unknown as { publisher: { connected: boolean } }).publisher.connected) await new Promise((r) => setTimeout(r, 20));
    let heap = 0;
    const t0 = performance.now();
    for (let c = 0; c < CYCLES; c++) {
      await agent.cycle(Date.now());
      while (agent.pendingMessages > 0) await new Promise((r) => setTimeout(r, 1));
      heap = Math.max(heap, process.memoryUsage().heapUsed);
    }
    return { ms: (performance.now() - t0) / CYCLES, heapMb: heap / 1e6 };
  } finally {
    await agent.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const mosquitto = await startMosquitto();
try {
  process.stdout.write(`powersite bench: agent cycle with ${DEVICES} miners, ${CYCLES} cycles, until the broker acknowledged every message\n`);
  const base = await baseline(mosquitto.url);
  const agent = await agentRun(mosquitto.url);
  process.stdout.write(
    [
      '',
      '| run | ms per cycle | ratio to baseline | peak heap (MB) |',
      '|---|---|---|---|',
      `| baseline: serialise and publish at QoS 1 | ${base.toFixed(1)} | 1.00 | |`,
      `| agent cycle: energy, checks, spool, state, publish | ${agent.ms.toFixed(1)} | ${(agent.ms / base).toFixed(2)} | ${agent.heapMb.toFixed(0)} |`,
      '',
    ].join('\n'),
  );
} finally {
  await mosquitto.stop();
}
