/**
 * The demo's simulated site: GPU hosts renting H100s and two mining rows, each host an agent of
 * its own going through the real agent code (sources, energy counters, seq, MQTT publishing).
 */
import type { AgentConfig } from '../agent/config.js';
import { AgentConfig as AgentConfigSchema } from '../agent/config.js';

export const DEMO_SITE = 'demo-site';

export function demoAgentConfigs(brokerUrl: string, stateRoot: string, intervalMs: number): AgentConfig[] {
  const common = { site: DEMO_SITE, interval: intervalMs / 1000, mqtt: { url: brokerUrl } };
  const gpuHost = (n: number) => ({
    ...common,
    host: `gpu-${String(n).padStart(2, '0')}`,
    state_dir: `${stateRoot}/gpu-${n}`,
    sources: [
      { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: 8, id_prefix: `GPU-${n}`, vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', power_w: 640, utilization: 0.86, temp_c: 62, jitter: 0.05 },
    ],
  });
  const miningRow = (row: number, model: string, powerW: number, hashrateHs: number, source: 'reported' | 'estimated', down: number) => ({
    ...common,
    host: `gw-row${row}`,
    state_dir: `${stateRoot}/gw-row${row}`,
    sources: [
      { type: 'simulated', workload: 'mining', kind: 'asic', devices: 40, id_prefix: `10.0.${row}`, vendor: 'bitmain', model, power_w: powerW, power_source: source, hashrate_hs: hashrateHs, temp_c: 71, jitter: 0.02, down },
    ],
  });
  return [
    gpuHost(1),
    gpuHost(2),
    gpuHost(3),
    miningRow(1, 'Antminer S21', 3500, 200e12, 'reported', 1),
    miningRow(2, 'Antminer S19 Pro', 3250, 110e12, 'estimated', 2),
  ].map((c) => AgentConfigSchema.parse(c));
}
