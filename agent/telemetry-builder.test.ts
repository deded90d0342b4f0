import { describe, expect, it } from 'vitest';
import { Telemetry, type DeviceSample } from '../protocol/index.js';
import { buildTelemetry } from './telemetry-builder.js';

const device = (i: number): DeviceSample => ({ id: `asic-${i}`, kind: 'asic', workload: 'mining', up: true, power_w: 3250, power_source: 'estimated', energy_j: i * 10, hashrate_hs: 1.1e14 });
const base = { site: 'tx-1', host: 'gw-row12', ts: 1764000000000, intervalS: 10, firstSeq: 41 };

describe('buildTelemetry', () => {
  it('builds one valid v1 payload when everything fits', () => {
    const [msg, ...rest] = buildTelemetry({ ...base, maxBytes: 256 * 1024, devices: [device(1), device(2)] });
    expect(rest).toEqual([]);
    const parsed = Telemetry.parse(JSON.parse(msg!.payload));
    expect(parsed).toEqual({ v: 1, site: 'tx-1', host: 'gw-row12', seq: 41, ts: 1764000000000, interval_s: 10, devices: [device(1), device(2)] });
  });

  it('splits large fleets into payloads under the limit with consecutive seq numbers', () => {
    const devices = Array.from({ length: 1000 }, (_, i) => device(i));
    const messages = buildTelemetry({ ...base, maxBytes: 16 * 1024, devices });
    expect(messages.length).toBeGreaterThan(5);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => 41 + i));
    for (const m of messages) expect(Buffer.byteLength(m.payload)).toBeLessThanOrEqual(16 * 1024);
    const all = messages.flatMap((m) => Telemetry.parse(JSON.parse(m.payload)).devices);
    expect(all).toEqual(devices);
  });

  it('sends an empty device list rather than nothing', () => {
    const messages = buildTelemetry({ ...base, maxBytes: 1024, devices: [] });
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.payload).devices).toEqual([]);
  });
});
