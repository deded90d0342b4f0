/**
 * The demo's simulated site: GPU hosts renting H100s and two mining rows, each host an agent of
 * its own going through the real agent code (sources, energy counters, seq, MQTT publishing).
 * Row 1 is a LAN of fake Whatsminers polled by the real `cgminer` source (one of them unplugged);
 * row 2 and the GPUs come from the `simulated` source.
 */
import type { AgentConfig } from '../agent/config.js';
import { AgentConfig as AgentConfigSchema } from '../agent/config.js';

export const DEMO_SITE = 'demo-site';

export function demoAgentConfigs(brokerUrl: string, stateRoot: string, intervalMs: number, whatsminers: readonly string[]): AgentConfig[] {
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
  const whatsminerRow = {
    ...common,
    host: 'gw-row1',
    state_dir: `${stateRoot}/gw-row1`,
    // The last address has nothing listening: a dead miner, published as down.
    sources: [{ type: 'cgminer', workload: 'mining', miners: [...whatsminers, '127.0.0.1:9'], timeout: '1s' }],
  };
  return [gpuHost(1), gpuHost(2), gpuHost(3), whatsminerRow, miningRow(2, 'Antminer S19 Pro', 3250, 110e12, 'estimated', 2)].map((c) =>
    AgentConfigSchema.parse(c),
  );
}
