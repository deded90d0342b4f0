import { describe, expect, it } from 'vitest';
import type { DeviceSample, Telemetry } from '../../protocol/index.js';
import { kindSecondsZero, LiveState, messageTotals, type KindSecondsField } from './live-state.js';

const gpu = (id: string, power: number, util: number, up = true): DeviceSample => ({ id, kind: 'gpu', workload: 'hpc', model: 'NVIDIA H100 80GB HBM3', up, power_w: power, power_source: 'reported', utilization: util });
const asic = (id: string, power: number, hs: number, source: 'estimated' | 'reported' = 'estimated'): DeviceSample => ({ id, kind: 'asic', workload: 'mining', model: 'Antminer S19 Pro', up: true, power_w: power, power_source: source, hashrate_hs: hs });
const msg = (host: string, seq: number, ts: number, devices: DeviceSample[]): Telemetry => ({ v: 1, site: 'tx-1', host, seq, ts, interval_s: 10, devices });

describe('LiveState', () => {
  it('places a future-dated sample at its arrival, so it neither holds back later samples nor stays "up" forever', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    // The agent's clock is an hour ahead; the sample arrives at 1,000.
    state.apply(msg('gpu-1', 1, 3_601_000, [gpu('a', 700, 1)]), 1000);
    // Its clock is corrected: the next sample (at 11,000) replaces it instead of being taken for older.
    state.apply(msg('gpu-1', 2, 11_000, [gpu('a', 500, 1)]), 11_000);
    expect(state.summarize(12_000).get('tx-1')!.hpc.power_w).toBe(500);
    // Silent from then on: stale after 3 intervals of 10 s counted from arrival, not an hour later.
    expect(state.summarize(45_000).get('tx-1')!.hpc.devices).toEqual({ up: 0, down: 0, stale: 1 });
  });

  it('keeps an agent\'s reported fault while it is online', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    const status = (extra: object) => ({ v: 1 as const, site: 'tx-1', host: 'gw', state: 'online' as const, ts: 1, ...extra });
    state.applyStatus(status({ degraded: 'spool: ENOSPC' }));
    expect(state.activity().get('tx-1')).toMatchObject({ online: 1, degraded: 1 });
    state.applyStatus(status({}));
    expect(state.activity().get('tx-1')).toMatchObject({ online: 1, degraded: 0 });
  });

  it('sums power, hashrate and utilisation per workload over the latest samples', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    state.apply(msg('gpu-1', 1, 1000, [gpu('a', 700, 1), gpu('b', 300, 0.5), gpu('c', 50, 0, false)]));
    state.apply(msg('gw', 1, 1000, [asic('m1', 3250, 110e12), asic('m2', 3000, 100e12, 'reported')]));
    const s = state.summarize(2000).get('tx-1')!;
    expect(s.hpc.power_w).toBe(1000);
    expect(s.hpc.gpu_utilization).toBe(0.75);
    expect(s.hpc.devices).toEqual({ up: 2, down: 1, stale: 0 });
    expect(s.hpc.devices_by_kind).toEqual({ gpu: { up: 2, down: 1, stale: 0 } });
    expect(s.mining.power_w).toBe(6250);
    expect(s.mining.estimated_power_w).toBe(3250);
    expect(s.mining.hashrate_hs).toBe(210e12);
    expect(s.mining.by_model.get('Antminer S19 Pro')).toEqual({ power_w: 6250, hashrate_hs: 210e12, devices: 2 });
  });

  it('takes each site\'s own overhead: a per-server overhead configured for tx-2 only', () => {
    const overhead = (site: string) => (site === 'tx-2' ? { watts_per_gpu_server: 500 } : {});
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000, overhead });
    state.apply(msg('gpu-1', 1, 1000, [gpu('a', 700, 1), gpu('b', 300, 0.5)]));
    state.apply({ ...msg('gpu-1', 1, 1000, [gpu('a', 700, 1), gpu('b', 300, 0.5)]), site: 'tx-2' });
    const sums = state.summarize(2000);
    expect(sums.get('tx-1')!.hpc.power_w).toBe(1000);
    // 1,000 W of boards + 500 W the server draws beyond them, an estimate.
    expect(sums.get('tx-2')!.hpc.power_w).toBe(1500);
    expect(sums.get('tx-2')!.hpc.estimated_power_w).toBe(500);
  });

  it('builds billed power from meters: a BMC for its host, a site meter for the bill; a stale meter stops counting', () => {
    const meter = (id: string, power: number, covers: DeviceSample['covers']): DeviceSample => ({ id, kind: 'meter', workload: 'hpc', up: true, power_w: power, power_source: 'measured', covers });
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000, overhead: { pue: 1.1 } });
    state.apply(msg('gpu-1', 1, 1000, [gpu('a', 700, 1), gpu('b', 300, 0.5), meter('bmc', 1800, ['gpu-1'])]));
    state.apply(msg('gw', 1, 1000, [asic('m1', 3250, 110e12), meter('site', 6000, 'site')]));
    const s = state.summarize(2000).get('tx-1')!;
    // IT: hpc 1,800 (BMC, not the boards' 1,000), mining 3,250: 5,050; the site meter's 6,000 shared 1,800 : 3,250.
    expect(s.hpc.device_power_w).toBe(1000);
    expect(s.hpc.power_w).toBeCloseTo((6000 * 1800) / 5050, 9);
    expect(s.mining.power_w).toBeCloseTo((6000 * 3250) / 5050, 9);
    expect(s.power).toMatchObject({ it_power_w: 5050, site_meter_w: 6000 });
    expect(s.power.pue).toBeCloseTo(6000 / 5050, 12);
    expect(s.power.unaccounted_w).toBeCloseTo(6000 - 5050 * 1.1, 9); // 445 W
    // The meters are devices too (a dead PDU shows), but never more power in the device sums.
    expect(s.hpc.devices.up).toBe(4); // two GPUs, the BMC and the site meter
    // ...counted by kind, so a GPU count is a count of GPUs.
    expect(s.hpc.devices_by_kind).toEqual({ gpu: { up: 2, down: 0, stale: 0 }, meter: { up: 2, down: 0, stale: 0 } });
    // gw goes silent: its site meter turns stale, and without it the configured PUE applies to the BMC's power.
    state.apply(msg('gpu-1', 2, 40_000, [gpu('a', 700, 1), gpu('b', 300, 0.5), meter('bmc', 1800, ['gpu-1'])]));
    const later = state.summarize(41_000).get('tx-1')!;
    expect(later.power.site_meter_w).toBeNull();
    expect(later.hpc.power_w).toBeCloseTo(1800 * 1.1, 9);
    expect(later.hpc.power_by_source).toEqual({ measured: 1800, reported: 0, estimated: expect.closeTo(180, 9) });
  });

  it('keeps the newest sample when a late message arrives', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    state.apply(msg('gpu-1', 2, 2000, [gpu('a', 700, 1)]));
    state.apply(msg('gpu-1', 1, 1000, [gpu('a', 100, 1)]));
    expect(state.summarize(2000).get('tx-1')!.hpc.power_w).toBe(700);
  });

  it('marks devices stale after three intervals and forgets them later', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 60_000 });
    state.apply(msg('gpu-1', 1, 0, [gpu('a', 700, 1)]));
    expect(state.summarize(30_000).get('tx-1')!.hpc.devices).toEqual({ up: 1, down: 0, stale: 0 });
    const stale = state.summarize(30_001).get('tx-1')!.hpc;
    expect(stale.devices).toEqual({ up: 0, down: 0, stale: 1 });
    expect(stale.power_w).toBe(0);
    expect(state.summarize(60_001).get('tx-1')!.hpc.devices).toEqual({ up: 0, down: 0, stale: 0 });
  });

  it('an agent that said offline has stale devices until it reports again', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    state.apply(msg('gpu-1', 1, 0, [gpu('a', 700, 1)]));
    state.applyStatus({ v: 1, site: 'tx-1', host: 'gpu-1', state: 'offline', ts: 1 });
    expect(state.summarize(1).get('tx-1')!.hpc.devices.stale).toBe(1);
    expect(state.activity().get('tx-1')).toEqual({ online: 0, offline: 1, degraded: 0, last_ts: 0 });
    state.apply(msg('gpu-1', 2, 10_000, [gpu('a', 700, 1)]));
    expect(state.summarize(10_000).get('tx-1')!.hpc.devices.up).toBe(1);
    expect(state.activity().get('tx-1')).toEqual({ online: 1, offline: 0, degraded: 0, last_ts: 10_000 });
  });

  it('reports sequence gaps, not duplicates or restarts', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    expect(state.apply(msg('h', 10, 1, []))).toBe(0);
    expect(state.apply(msg('h', 11, 2, []))).toBe(0);
    expect(state.apply(msg('h', 14, 3, []))).toBe(2);
    expect(state.apply(msg('h', 14, 3, []))).toBe(0);
    expect(state.apply(msg('h', 0, 4, []))).toBe(0);
    expect(state.apply(msg('h', 1, 5, []))).toBe(0);
    expect(state.apply(msg('h', 3, 6, []))).toBe(1);
  });
});

describe('LiveState and messageTotals by hash algorithm', () => {
  // An L3+ (scrypt, 504 MH/s, 800 W) beside an S19 Pro (SHA-256) and an older agent's S19 Pro without the field.
  const l3 = (id: string): DeviceSample => ({ id, kind: 'asic', workload: 'mining', model: 'Antminer L3+', algorithm: 'scrypt', up: true, power_w: 800, power_source: 'estimated', hashrate_hs: 504e6 });
  const s19 = (id: string, algorithm?: string): DeviceSample => ({ ...asic(id, 3250, 110e12), ...(algorithm ? { algorithm } : {}) });

  it('keeps scrypt hashrate apart: bitcoin hashrate and per-model breakeven are SHA-256 only; power counts all', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    state.apply(msg('gw', 1, 1000, [l3('l1'), l3('l2'), s19('m1', 'sha256'), s19('m2')]));
    const s = state.summarize(2000).get('tx-1')!;
    expect(s.mining.hashrate_hs).toBe(220e12); // the two S19 Pros; a sample without `algorithm` is SHA-256
    expect(s.mining.other_hashrate_hs).toEqual({ scrypt: 1008e6 });
    expect(s.mining.power_w).toBe(2 * 800 + 2 * 3250);
    expect([...s.mining.by_model.keys()]).toEqual(['Antminer S19 Pro']);
  });

  it('counts only SHA-256 work in the hashes counter', () => {
    expect(messageTotals(msg('h', 1, 1, [l3('l1'), s19('m1', 'sha256')])).mining).toMatchObject({ hashes: 110e13, power_w: 4050, energy_j: 40_500 });
  });
});

describe('messageTotals', () => {
  const kinds = (some: Partial<Record<KindSecondsField, number>>) => ({ ...kindSecondsZero(), ...some });
  it('advances energy, hashes, device-seconds and GPU busy seconds by the message interval', () => {
    expect(messageTotals(msg('h', 1, 1, [gpu('a', 700, 1), gpu('b', 100, 1, false), gpu('c', 300, 0.25), asic('m', 3250, 110e12)]))).toEqual({
      mining: { energy_j: 32_500, hashes: 110e13, power_w: 3250, up_seconds: 10, down_seconds: 0, ...kinds({ asic_up_seconds: 10 }), gpu_busy_seconds: 0, gpu_metered_seconds: 0 },
      hpc: { energy_j: 10_000, hashes: 0, power_w: 1000, up_seconds: 20, down_seconds: 10, ...kinds({ gpu_up_seconds: 20, gpu_down_seconds: 10 }), gpu_busy_seconds: 12.5, gpu_metered_seconds: 20 },
    });
  });

  it('counts meters as devices but not their power: they measure the others, they use no energy of their own', () => {
    const bmc: DeviceSample = { id: 'bmc', kind: 'meter', workload: 'hpc', up: true, power_w: 1800, power_source: 'measured', covers: ['h'] };
    expect(messageTotals(msg('h', 1, 1, [gpu('a', 700, 1), bmc])).hpc).toMatchObject({ energy_j: 7000, power_w: 700, up_seconds: 20, gpu_up_seconds: 10, meter_up_seconds: 10 });
  });

  it('keeps an agent whose retained status is offline and who sent nothing (a collector restart), until the status is cleared', () => {
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 60_000 });
    state.applyStatus({ v: 1, site: 'tx-1', host: 'gw-9', state: 'offline', ts: 1, reason: 'lost' });
    // Summaries run at every scrape: they used to drop such a host, and the offline count fell to 0.
    state.summarize(10_000);
    state.summarize(20_000);
    expect(state.activity().get('tx-1')).toMatchObject({ online: 0, offline: 1, last_ts: 0 });
    expect([...state.agents()]).toEqual([{ site: 'tx-1', host: 'gw-9', online: false }]);
    state.forgetHost('tx-1', 'gw-9');
    expect([...state.agents()]).toEqual([]);
  });
});

