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

describe('SiteMetrics site power', () => {
  it('shows site meter, IT power, PUE and unaccounted power per site, each with its own alert threshold', async () => {
    const registry = new Registry();
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000, overhead: (site) => ({ pue: site === 'tx-1' ? 1.2 : 1 }) });
    new SiteMetrics(registry, state, new LabelCap(100), new Ledger(), (site) => (site === 'tx-1' ? 3000 : 5000), () => 2000);
    const site = (name: string, meterW: number): Telemetry => ({
      v: 1, site: name, host: 'gw', seq: 1, ts: 1000, interval_s: 10,
      devices: [gpu('a'), { id: 'site-meter', kind: 'meter', workload: 'hpc', up: true, power_w: meterW, power_source: 'measured', covers: 'site' }],
    });
    state.apply(site('tx-1', 1000));
    state.apply(site('tx-2', 1000));
    // A site without a site meter has no PUE, unaccounted power or threshold to show.
    state.apply({ v: 1, site: 'tx-3', host: 'gw', seq: 1, ts: 1000, interval_s: 10, devices: [gpu('a')] });
    const text = await registry.metrics();
    // IT = one 700 W GPU; tx-1 expects PUE 1.2: 1,000 − 840 = 160 W; tx-2 expects none: 300 W.
    expect(metricValue(text, 'powersite_site_pue', { site: 'tx-1' })).toBeCloseTo(1000 / 700, 12);
    expect(metricValue(text, 'powersite_site_unaccounted_power_watts', { site: 'tx-1' })).toBeCloseTo(160, 9);
    expect(metricValue(text, 'powersite_site_unaccounted_power_watts', { site: 'tx-2' })).toBeCloseTo(300, 9);
    expect(metricValue(text, 'powersite_site_unaccounted_power_alert_watts', { site: 'tx-1' })).toBe(3000);
    expect(metricValue(text, 'powersite_site_unaccounted_power_alert_watts', { site: 'tx-2' })).toBe(5000);
    expect(metricValue(text, 'powersite_site_it_power_watts', { site: 'tx-3' })).toBe(700);
    for (const name of ['powersite_site_pue', 'powersite_site_unaccounted_power_watts', 'powersite_site_unaccounted_power_alert_watts', 'powersite_site_power_watts']) {
      expect(metricValue(text, name, { site: 'tx-3' }), name).toBeUndefined();
    }
  });
});

describe('SiteMetrics pricing summaries', () => {
  const setup = () => {
    let now = 2000;
    const state = new LiveState({ staleIntervals: 3, forgetAfterMs: 3_600_000 });
    const sites = new SiteMetrics(new Registry(), state, new LabelCap(100), new Ledger(), () => 1e9, () => now);
    // Sampled as they arrive, unless a backlog says otherwise.
    const send = (seq: number, devices: DeviceSample[], { host = 'gpu-01', ts = now } = {}) => state.apply({ v: 1, site: 'tx-1', host, seq, ts, interval_s: 10, devices }, now);
    return { sites, send, advance: (ms: number) => (now += ms) };
  };
  const hpcPower = (sites: SiteMetrics) => sites.pricingSummaries().get('tx-1')!.hpc.power_w;

  it('reuse a summary while only readings change, for at most 250 ms', () => {
    const { sites, send, advance } = setup();
    send(1, [gpu('a')]);
    expect(hpcPower(sites)).toBe(700);
    send(2, [{ ...gpu('a'), power_w: 500 }]);
    // Same devices, counted the same way: the summary of 100 ms ago prices this message.
    advance(100);
    expect(hpcPower(sites)).toBe(700);
    // The gauges never take it: a scrape sees every message.
    expect(sites.siteSummaries().get('tx-1')!.hpc.power_w).toBe(500);
    send(3, [{ ...gpu('a'), power_w: 400 }]);
    advance(251);
    expect(hpcPower(sites)).toBe(400);
  });

  it('reuse it for a backlog older than an hour: its devices would be forgotten before they count', () => {
    const { sites, send, advance } = setup();
    send(1, [gpu('a')]);
    expect(hpcPower(sites)).toBe(700);
    send(2, [{ ...gpu('a'), power_w: 500 }]);
    // A spool replayed after a long outage: a new host and device, too old for any summary to count.
    send(1, [gpu('b')], { host: 'gpu-02', ts: 2000 - 3_600_001 });
    expect(hpcPower(sites)).toBe(700);
    advance(251);
    expect(hpcPower(sites)).toBe(500);
  });

  it('recompute at once when what is counted changes: a new device, one going down, a meter covering other hosts', () => {
    const { sites, send } = setup();
    send(1, [gpu('a')]);
    expect(hpcPower(sites)).toBe(700);
    send(2, [gpu('a'), gpu('b')]);
    expect(hpcPower(sites)).toBe(1400);
    send(3, [gpu('a'), gpu('b', false)]);
    expect(hpcPower(sites)).toBe(700);
    const meter = (covers: string[]): DeviceSample => ({ id: 'pdu', kind: 'meter', workload: 'hpc', up: true, power_w: 1000, power_source: 'measured', covers });
    send(4, [gpu('a'), gpu('b', false), meter(['gpu-02'])]);
    expect(hpcPower(sites)).toBe(700 + 1000);
    // Now it covers its own host: the meter replaces the GPU's reading.
    send(5, [gpu('a'), gpu('b', false), meter(['gpu-01'])]);
    expect(hpcPower(sites)).toBe(1000);
  });
});
