import { describe, expect, it } from 'vitest';
import { billedPower, emptyBySource, type HostPower, type MeterPower } from './billed-power.js';
import { EconomicsConfig } from './config.js';
import { computeEconomics } from './site.js';

function host(name: string, parts: { mining?: Partial<Record<'measured' | 'reported' | 'estimated', number>>; hpc?: Partial<Record<'measured' | 'reported' | 'estimated', number>> }, gpu?: 'hpc' | 'mining'): HostPower {
  return {
    host: name,
    devices: { mining: { ...emptyBySource(), ...parts.mining }, hpc: { ...emptyBySource(), ...parts.hpc } },
    gpu_workload: gpu,
  };
}
const meter = (id: string, covers: MeterPower['covers'], power_w: number, workload: MeterPower['workload'] = 'mining', on = 'gw'): MeterPower => ({ id, host: on, workload, covers, power_w });

// 8 H100 boards at 640 W = 5,120 W reported; a DGX-class server draws 10,200 W at the wall.
const gpu01 = host('gpu-01', { hpc: { reported: 5120 } }, 'hpc');
const gpu02 = host('gpu-02', { hpc: { reported: 5120 } }, 'hpc');
// 40 S19 Pros on nameplate: 40 × 3,250 W = 130,000 W estimated.
const row = host('gw-row2', { mining: { estimated: 130_000 } });

describe('billedPower', () => {
  it('is the devices\' own power when nothing measures and no overhead is configured', () => {
    const b = billedPower([gpu01, row], [], {});
    expect(b.workloads.hpc).toEqual({ power_w: 5120, by_source: { measured: 0, reported: 5120, estimated: 0 }, device_power_w: 5120 });
    expect(b.workloads.mining.power_w).toBe(130_000);
    expect(b).toMatchObject({ it_power_w: 135_120, site_meter_w: null, pue: null, unaccounted_w: null });
  });

  it('counts a host on its BMC with the BMC\'s power, keeping the GPU boards as detail', () => {
    const b = billedPower([gpu01], [meter('bmc', ['gpu-01'], 10_200, 'hpc', 'gpu-01')], { watts_per_gpu_server: 2000 });
    // Measured: the per-server overhead is for servers nothing measures.
    expect(b.workloads.hpc).toEqual({ power_w: 10_200, by_source: { measured: 10_200, reported: 0, estimated: 0 }, device_power_w: 5120 });
  });

  it('adds watts per GPU server and the PUE to what nothing measures, as estimated', () => {
    const b = billedPower([gpu01, row], [], { watts_per_gpu_server: 2000, pue: 1.25 });
    // hpc: (5,120 + 2,000) × 1.25 = 8,900, of which 5,120 reported and 3,780 estimated.
    expect(b.workloads.hpc.power_w).toBeCloseTo(8900, 9);
    expect(b.workloads.hpc.by_source).toEqual({ measured: 0, reported: 5120, estimated: 3780 });
    // mining has no GPU server: 130,000 × 1.25.
    expect(b.workloads.mining.power_w).toBeCloseTo(162_500, 9);
  });

  it('shares a PDU among the workloads of its hosts by their device power', () => {
    // A PDU over a mining row and a GPU host: 150,000 W split 130,000 : 5,120.
    const b = billedPower([gpu01, row], [meter('pdu', ['gw-row2', 'gpu-01'], 150_000)], {});
    expect(b.workloads.mining.by_source.measured).toBeCloseTo((150_000 * 130_000) / 135_120, 9);
    expect(b.workloads.hpc.by_source.measured).toBeCloseTo((150_000 * 5120) / 135_120, 9);
    expect(b.workloads.mining.power_w + b.workloads.hpc.power_w).toBeCloseTo(150_000, 9);
  });

  it('nests meters: a PDU over two servers counts only what the inner BMC does not show', () => {
    const b = billedPower([gpu01, gpu02], [meter('pdu', ['gpu-01', 'gpu-02'], 21_000, 'hpc'), meter('bmc1', ['gpu-01'], 10_200, 'hpc', 'gpu-01')], { watts_per_gpu_server: 2000 });
    // gpu-01 10,200 from its BMC + gpu-02 21,000 − 10,200 = 10,800 from the PDU: 21,000, all measured.
    expect(b.workloads.hpc.by_source).toEqual({ measured: 21_000, reported: 0, estimated: 0 });
  });

  it('adds meters that cover the same hosts (A and B feeds)', () => {
    const b = billedPower([gpu01], [meter('psu-a', ['gpu-01'], 5100, 'hpc'), meter('psu-b', ['gpu-01'], 5100, 'hpc')], {});
    expect(b.workloads.hpc.power_w).toBe(10_200);
  });

  it('gives a meter whose hosts are silent to its own workload', () => {
    const b = billedPower([], [meter('pdu', ['gw-row9'], 40_000, 'mining')], {});
    expect(b.workloads.mining.by_source.measured).toBe(40_000);
    expect(b.workloads.hpc.power_w).toBe(0);
  });

  it('shares the site meter by IT power, so billed power adds up to the meter, and gives PUE and unaccounted power', () => {
    const hosts = [gpu01, gpu02, host('gw-row1', { mining: { estimated: 128_000 } })];
    const meters = [meter('bmc1', ['gpu-01'], 10_200, 'hpc', 'gpu-01'), meter('pdu1', ['gw-row1'], 130_000), meter('site', 'site', 180_000)];
    const b = billedPower(hosts, meters, { watts_per_gpu_server: 2000, pue: 1.2 });
    // IT: hpc = 10,200 (BMC) + 5,120 + 2,000 (gpu-02, nothing measures it) = 17,320; mining = 130,000 (PDU).
    expect(b.it_power_w).toBe(147_320);
    expect(b.workloads.hpc.power_w).toBeCloseTo((180_000 * 17_320) / 147_320, 9); // 21,161.55
    expect(b.workloads.mining.power_w).toBeCloseTo((180_000 * 130_000) / 147_320, 9);
    expect(b.workloads.hpc.power_w + b.workloads.mining.power_w).toBeCloseTo(180_000, 9);
    // hpc's share rests on 10,200 measured, 5,120 reported, 2,000 estimated of 17,320.
    expect(b.workloads.hpc.by_source.measured / b.workloads.hpc.power_w).toBeCloseTo(10_200 / 17_320, 12);
    expect(b.workloads.hpc.by_source.estimated / b.workloads.hpc.power_w).toBeCloseTo(2000 / 17_320, 12);
    expect(b.pue).toBeCloseTo(180_000 / 147_320, 12); // 1.2218
    // 180,000 − 147,320 × 1.2 = 3,216 W nobody accounts for.
    expect(b.unaccounted_w).toBeCloseTo(3216, 9);
    expect(b.workloads.hpc.device_power_w).toBe(10_240);
  });

  it('reports a site meter with nothing under it as all unaccounted', () => {
    const b = billedPower([], [meter('site', 'site', 5000)], {});
    expect(b).toMatchObject({ site_meter_w: 5000, pue: null, unaccounted_w: 5000, it_power_w: 0 });
    expect(b.workloads.mining.power_w + b.workloads.hpc.power_w).toBe(0);
  });
});

describe('the worked example of docs/economics.md#billed-power', () => {
  // One DGX H100 on its BMC, a row of 40 S19 Pros on a PDU, a site meter; DESIGN.md's market at $45/MWh.
  const dgx = host('gpu-01', { hpc: { reported: 8 * 640 } }, 'hpc');
  const row = host('gw-row1', { mining: { estimated: 40 * 3250 } });
  const meters = [meter('bmc', ['gpu-01'], 10_200, 'hpc', 'gpu-01'), meter('pdu', ['gw-row1'], 136_000), meter('site', 'site', 165_000)];
  const b = billedPower([dgx, row], meters, { pue: 1.1 });
  const config = EconomicsConfig.parse({ hpc: { price_usd_per_gpu_hour: { default: 2.1 } } });
  const market = { btc_usd: 95_000, difficulty: 1.1e14, height: 920_000, fees_btc_per_block: 0.03, tip_time_ms: null };
  const gpus = Array.from({ length: 8 }, () => ({ model: 'NVIDIA H100 80GB HBM3', up: true, utilization: 0.9 }));
  const economics = computeEconomics(
    {
      mining: { power_w: b.workloads.mining.power_w, estimated_power_w: b.workloads.mining.by_source.estimated, hashrate_hs: 40 * 110e12, by_model: {} },
      hpc: { power_w: b.workloads.hpc.power_w, estimated_power_w: 0, gpus },
    },
    config,
    market,
    Date.UTC(2025, 10, 1),
  );

  it('bills 11,511.63 W to HPC and 153,488.37 W to mining, PUE 1.1286, 4,180 W unaccounted', () => {
    expect(b.workloads.hpc.power_w).toBeCloseTo(11_511.63, 2);
    expect(b.workloads.mining.power_w).toBeCloseTo(153_488.37, 2);
    expect(b.pue).toBeCloseTo(1.1286, 4);
    expect(b.unaccounted_w).toBeCloseTo(4180, 9);
  });

  it('HPC earns $1,459.39/MWh and mining $64.16/MWh on billed power', () => {
    expect(economics.hpc.revenue_usd_per_hour).toBeCloseTo(16.8, 9);
    expect(economics.hpc.revenue_usd_per_mwh).toBeCloseTo(1459.39, 2);
    expect(economics.hpc.margin_usd_per_mwh).toBeCloseTo(1414.39, 2);
    expect(economics.mining.revenue_usd_per_hour).toBeCloseTo(9.85, 2);
    expect(economics.mining.revenue_usd_per_mwh).toBeCloseTo(64.16, 2);
    expect(economics.mining.margin_usd_per_mwh).toBeCloseTo(19.16, 2);
  });
});
