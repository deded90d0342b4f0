/**
 * The demo's simulated site: GPU hosts renting H100s and two mining rows, each host an agent of
 * its own going through the real agent code (sources, energy counters, seq, MQTT publishing).
 * Row 1 is a LAN of fake Whatsminers polled by the real `cgminer` source (one of them unplugged);
 * row 2 and the GPUs come from the `simulated` source. The words the demo prints are made from
 * the same figures, so they always say what runs.
 */
import type { AgentConfig } from '../agent/config.js';
import { AgentConfig as AgentConfigSchema } from '../agent/config.js';
import { DEMO_BMC, DEMO_METERS, type DemoMeterEndpoints } from './meters.js';

export const DEMO_SITE = 'demo-site';

/** What the demo runs; every count the demo prints and tests check comes from here. */
export const DEMO_FLEET = {
  gpuHosts: 3,
  gpusPerHost: 8,
  gpuModel: 'NVIDIA H100 80GB HBM3',
  /** Row 1: fake Whatsminers on loopback, the last one unplugged (nothing listens on its port). */
  whatsminers: 40,
  whatsminerModel: 'Whatsminer M30S++',
  /** Whatsminer M30S++ class: 112 TH/s at 3,472 W. */
  whatsminer: { hashrateThs: 112, powerW: 3472 },
  /** Row 2: simulated Antminers whose power is a nameplate estimate, some reporting a fault. */
  antminers: 40,
  antminerModel: 'Antminer S19 Pro',
  antminersDown: 2,
} as const;

/** Port 9 (discard) on loopback: nothing listens there, so row 1's last miner is down. */
const UNPLUGGED = { host: '127.0.0.1', port: 9 };

/** Power the demo's meters must show, from the fleet: the nameplate row's PDU and the IT power under the site meter. */
export function demoMeterLoads(): { pduWatts: number; itWatts: number } {
  const f = DEMO_FLEET;
  const pduWatts = (f.antminers - f.antminersDown) * 3250 * DEMO_METERS.pduOverNameplate;
  const itWatts = f.gpuHosts * DEMO_METERS.bmcWatts + FAKE_WHATSMINERS * f.whatsminer.powerW + pduWatts;
  return { pduWatts, itWatts };
}

export function demoAgentConfigs(
  brokerUrl: string,
  stateRoot: string,
  intervalMs: number,
  whatsminers: readonly { host: string; port: number }[],
  meters: DemoMeterEndpoints,
): AgentConfig[] {
  const f = DEMO_FLEET;
  const common = { site: DEMO_SITE, interval: intervalMs / 1000, mqtt: { url: brokerUrl } };
  const gpuHost = (n: number) => ({
    ...common,
    host: `gpu-${String(n).padStart(2, '0')}`,
    state_dir: `${stateRoot}/gpu-${n}`,
    sources: [
      { type: 'simulated', workload: 'hpc', kind: 'gpu', devices: f.gpusPerHost, id_prefix: `GPU-${n}`, vendor: 'nvidia', model: f.gpuModel, power_w: 640, utilization: 0.86, temp_c: 62, jitter: 0.05 },
      // The server's BMC: whole-server power (CPUs, memory, fans, NICs and the GPUs).
      { type: 'redfish', workload: 'hpc', url: meters.bmcs[n - 1]!.url, username: DEMO_BMC.username, password_file: meters.passwordFile, ca: meters.caFile },
    ],
  });
  const minerTimeout = `${Math.min(1000, intervalMs * 0.4)}ms`;
  const whatsminerRow = {
    ...common,
    host: 'gw-row1',
    state_dir: `${stateRoot}/gw-row1`,
    // The model is given per miner, as an operator does for firmware that does not name it. The
    // timeouts stay within the source's per-miner budget (40% of the interval), so they are used as set.
    sources: [
      { type: 'cgminer', workload: 'mining', timeout: minerTimeout, connect_timeout: minerTimeout, miners: [...whatsminers, UNPLUGGED].map((miner) => ({ ...miner, model: f.whatsminerModel })) },
      // The site's billing meter on the incomer, read over Modbus TCP from this gateway.
      { type: 'modbus', workload: 'mining', ...meters.siteMeter, meter: 'eastron-sdm630', covers: 'site', id: 'site-meter' },
    ],
  };
  const antminerRow = {
    ...common,
    host: 'gw-row2',
    state_dir: `${stateRoot}/gw-row2`,
    sources: [
      { type: 'simulated', workload: 'mining', kind: 'asic', devices: f.antminers, id_prefix: '10.0.2', vendor: 'bitmain', model: f.antminerModel, power_w: 3250, power_source: 'estimated', hashrate_hs: 110e12, temp_c: 71, jitter: 0.02, down: f.antminersDown },
      // The row's PDU measures what the nameplates only estimate.
      { type: 'snmp', workload: 'mining', ...meters.pdu, community: 'public', covers: ['gw-row2'], id: 'pdu-row2' },
    ],
  };
  const gpuHosts = Array.from({ length: f.gpuHosts }, (_, i) => gpuHost(i + 1));
  return [...gpuHosts, whatsminerRow, antminerRow].map((c) => AgentConfigSchema.parse(c));
}

/** The fake Whatsminers to start: all of row 1 but the unplugged one. */
export const FAKE_WHATSMINERS = DEMO_FLEET.whatsminers - 1;

/** What runs, in words, one line per kind of host. */
export function describeDemoSite(): string[] {
  const f = DEMO_FLEET;
  return [
    `  gpu-01..gpu-${String(f.gpuHosts).padStart(2, '0')}  ${f.gpuHosts} GPU hosts × ${f.gpusPerHost} simulated ${f.gpuModel} (hpc)`,
    `  gw-row1        ${f.whatsminers} ${f.whatsminerModel} (mining): ${FAKE_WHATSMINERS} fake ones answering the CGMiner API on loopback, read by the real cgminer source, and 1 unplugged, shown as down`,
    `  gw-row2        ${f.antminers} simulated ${f.antminerModel} (mining), power estimated from nameplate J/TH; ${f.antminersDown} of them report a fault, shown as down`,
    `  meters         a fake BMC per GPU host (Redfish/HTTPS), a PDU on gw-row2 (SNMP) and the site meter (Modbus TCP, read from gw-row1): per-MWh figures use the billed power`,
  ];
}
