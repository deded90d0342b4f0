import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../protocol/index.js';
import { EconomicsConfig } from '../economics/config.js';
import { messageAmounts } from './amounts.js';
import { Ledger } from './ledger.js';
import { SeqWindow } from './seq-window.js';

const config = EconomicsConfig.parse({ energy: { price_usd_per_mwh: 50 } });
const market = { btc_usd: null, difficulty: null, height: null, fees_btc_per_block: null, tip_time_ms: null };

/** A mining host: 2 miners up at 3,000 W and 100 TH/s, 1 down, 10 s interval. */
const message = (seq: number, host = 'gw-1', site = 'tx-1'): Telemetry => ({
  v: 1, site, host, seq, ts: 1_700_000_000_000 + seq * 10_000, interval_s: 10,
  devices: [
    { id: 'a', kind: 'asic', workload: 'mining', up: true, power_w: 3000, hashrate_hs: 1e14 },
    { id: 'b', kind: 'asic', workload: 'mining', up: true, power_w: 3000, hashrate_hs: 1e14 },
    { id: 'c', kind: 'asic', workload: 'mining', up: false },
  ],
});
const amounts = (m: Telemetry) => messageAmounts(m, { config, market, share: 1, energyPriceUsdPerMwh: 50, billedRatio: { mining: 1, hpc: 1 } });

describe('Ledger', () => {
  it('counts each (site, host, seq) once however often it is redelivered', () => {
    const ledger = new Ledger();
    // 10 messages, then redeliveries: a lost ack (seq 3), a reconnect's resend (0-9), out of order.
    const deliveries = [...Array(10).keys(), 3, ...Array(10).keys(), 9, 0];
    const added = deliveries.map((seq) => ledger.record(message(seq), amounts(message(seq))));
    expect(added.filter(Boolean)).toHaveLength(10);
    expect(ledger.duplicates).toBe(13);
    const t = ledger.all().get('tx-1')!.get('mining')!;
    // Truth for 10 messages: 6,000 W × 10 s each; 2 × 1e14 H/s × 10 s; 2 up and 1 down × 10 s.
    expect(t.energy_j).toBe(10 * 60_000);
    expect(t.device_energy_j).toBe(10 * 60_000);
    expect(t.hashes).toBe(10 * 2e15);
    expect(t.up_seconds).toBe(10 * 20);
    expect(t.down_seconds).toBe(10 * 10);
    // 60,000 J = 1/60,000 MWh at 50 USD/MWh, per message.
    expect(t.energy_cost_usd).toBeCloseTo(10 * (60_000 / 3.6e9) * 50, 12);
    // No market: revenue unknown, not zero.
    expect(t.revenue_known).toBe(false);
  });

  it('keeps hosts and sites apart: the same seq of another host or site is another message', () => {
    const ledger = new Ledger();
    expect(ledger.record(message(1, 'gw-1'), amounts(message(1)))).toBe(true);
    expect(ledger.record(message(1, 'gw-2'), amounts(message(1)))).toBe(true);
    expect(ledger.record(message(1, 'gw-1', 'tx-2'), amounts(message(1)))).toBe(true);
    expect([...ledger.all().keys()]).toEqual(['tx-1', 'tx-2']);
    expect(ledger.all().get('tx-1')!.get('mining')!.energy_j).toBe(120_000);
  });

  it('sums a field over every site and workload, for the stop line', () => {
    const ledger = new Ledger();
    for (const [seq, site] of [[0, 'tx-1'], [1, 'tx-1'], [1, 'tx-1'], [0, 'ok-2']] as const) ledger.record(message(seq, 'gw-1', site), amounts(message(seq, 'gw-1', site)));
    // Three distinct messages, each 2 miners × 3,000 W × 10 s; the redelivery adds nothing.
    expect(ledger.sum('device_energy_j')).toBe(3 * 60_000);
    expect(ledger.sum('energy_j')).toBe(ledger.all().get('tx-1')!.get('mining')!.energy_j + ledger.all().get('ok-2')!.get('mining')!.energy_j);
  });

  it('drains what was added since the last drain, for the store', () => {
    const ledger = new Ledger();
    ledger.record(message(1), amounts(message(1)));
    ledger.record(message(2), amounts(message(2)));
    expect(ledger.drain().get('tx-1')!.get('mining')!.energy_j).toBe(120_000);
    ledger.record(message(2), amounts(message(2)));
    expect(ledger.drain().size).toBe(0);
    ledger.record(message(3), amounts(message(3)));
    expect(ledger.drain().get('tx-1')!.get('mining')!.energy_j).toBe(60_000);
    expect(ledger.all().get('tx-1')!.get('mining')!.energy_j).toBe(180_000);
  });
});

describe('messageAmounts', () => {
  it('bills energy as billed power is to device power, and prices the billed energy', () => {
    // A meter shows 10 % more than the miners' own power (fans, PSU losses): billed ratio 1.1.
    const a = messageAmounts(message(1), { config, market, share: 1, energyPriceUsdPerMwh: 50, billedRatio: { mining: 1.1, hpc: 1 } }).mining;
    expect(a.device_energy_j).toBe(60_000);
    expect(a.energy_j).toBeCloseTo(66_000, 9);
    expect(a.energy_cost_usd).toBeCloseTo((66_000 / 3.6e9) * 50, 12);
  });
});

describe('SeqWindow', () => {
  it('holds in-order seqs as one range and finds duplicates anywhere in it', () => {
    const w = new SeqWindow(1000);
    for (let s = 0; s < 500; s++) expect(w.add(s)).toBe(true);
    expect(w.size).toBe(1);
    expect(w.add(0)).toBe(false);
    expect(w.add(250)).toBe(false);
    expect(w.add(499)).toBe(false);
  });

  it('fills gaps, merging ranges, in any order', () => {
    const w = new SeqWindow(1000);
    for (const s of [10, 12, 14, 11, 13, 5, 7, 6]) expect(w.add(s)).toBe(true);
    // 5-7 and 10-14.
    expect(w.size).toBe(2);
    for (const s of [5, 6, 7, 10, 11, 12, 13, 14]) expect(w.add(s)).toBe(false);
    expect(w.add(8)).toBe(true);
    expect(w.add(9)).toBe(true);
    expect(w.size).toBe(1);
  });

  it('forgets seqs more than the window below the newest, and restarts on an agent that lost its state', () => {
    const w = new SeqWindow(100);
    for (let s = 0; s < 300; s += 2) w.add(s);
    // Only ranges within 100 of the newest (298) are kept: 198..298, every other seq.
    expect(w.size).toBe(51);
    expect(w.add(298)).toBe(false);
    // An agent whose seq went back to 0 (state lost): a new history, counted.
    expect(w.add(0)).toBe(true);
    expect(w.size).toBe(1);
    expect(w.add(1)).toBe(true);
    expect(w.add(0)).toBe(false);
  });
});
