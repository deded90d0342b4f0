// Devices are counted by kind: the host source on a GPU host is a device of workload hpc, but not a GPU.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { DeviceSample, Telemetry } from '../../protocol/index.js';
import { LiveState } from '../state/live-state.js';
import { metricValue } from '../../test/support/metrics.js';
import { messageAmounts } from '../accounting/amounts.js';
import { Ledger } from '../accounting/ledger.js';
import { EconomicsConfig } from '../economics/config.js';
import { LabelCap } from './label-cap.js';
import { SiteMetrics } from './site-metrics.js';

const gpu = (id: string, up = true): DeviceSample => ({ id, kind: 'gpu', workload: 'hpc', model: 'NVIDIA H100 80GB HBM3', up, power_w: 700, power_source: 'reported', utilization: 1 });
const host: DeviceSample = { id: 'host', kind: 'host', workload: 'hpc', up: true, power_w: 300, power_source: 'estimated' };

describe('SiteMetrics device counts', () => {
  it('counts GPUs apart from the host source beside them, live and as device-seconds', async () => {
    const registry = new Registry();
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    const ledger = new Ledger();
    new SiteMetrics(registry, state, new LabelCap(100), ledger, () => 1e9, () => 2000);
    const config = EconomicsConfig.parse({ energy: { price_usd_per_mwh: 50 } });
    const market = { btc_usd: null, difficulty: null, height: null, fees_btc_per_block: null, tip_time_ms: null };
    const message: Telemetry = { v: 1, site: 'tx-1', host: 'gpu-01', seq: 1, ts: 1000, interval_s: 10, devices: [gpu('a'), gpu('b'), gpu('c', false), host] };
    state.apply(message);
    ledger.record(message, messageAmounts(message, { config, market, share: 1, energyPriceUsdPerMwh: 50, billedRatio: { mining: 1, hpc: 1 } }));
    const text = await registry.metrics();
    const hpc = { site: 'tx-1', workload: 'hpc' };
    // 8 GPUs per host would read 9 if the host counted: here 2 up and 1 down, and the host apart.
    expect(metricValue(text, 'powersite_devices', { ...hpc, kind: 'gpu', state: 'up' })).toBe(2);
    expect(metricValue(text, 'powersite_devices', { ...hpc, kind: 'gpu', state: 'down' })).toBe(1);
    expect(metricValue(text, 'powersite_devices', { ...hpc, kind: 'host', state: 'up' })).toBe(1);
    // Each device-second is the message interval (10 s) per device in that state.
    expect(metricValue(text, 'powersite_device_seconds_total', { ...hpc, kind: 'gpu', state: 'up' })).toBe(20);
    expect(metricValue(text, 'powersite_device_seconds_total', { ...hpc, kind: 'gpu', state: 'down' })).toBe(10);
    expect(metricValue(text, 'powersite_device_seconds_total', { ...hpc, kind: 'host', state: 'up' })).toBe(10);
  });
});
