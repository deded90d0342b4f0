import { describe, expect, it } from 'vitest';
import { validateMessage, type Limits } from './validate.js';

const limits: Limits = { maxMessageBytes: 4096, maxDevicesPerMessage: 3 };
const topic = 'powersite/v1/tx-1/gw-row12/telemetry';
const telemetry = {
  v: 1, site: 'tx-1', host: 'gw-row12', seq: 7, ts: 1764000000000, interval_s: 10,
  devices: [{ id: 'GPU-1', kind: 'gpu', workload: 'hpc', up: true, power_w: 612.4, power_source: 'reported', energy_j: 9.81e9, utilization: 0.97 }],
};
const enc = (v: unknown) => (Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

describe('validateMessage', () => {
  it('accepts a valid telemetry message and returns it typed', () => {
    const r = validateMessage(topic, enc(telemetry), limits);
    expect(r).toEqual({ ok: true, kind: 'telemetry', message: telemetry });
  });

  it('accepts a status message', () => {
    const status = { v: 1, site: 'tx-1', host: 'gw-row12', state: 'offline', ts: 1764000000000, reason: 'lost' };
    expect(validateMessage('powersite/v1/tx-1/gw-row12/status', enc(status), limits)).toEqual({ ok: true, kind: 'status', message: status });
  });

  it.each([
    ['too_large', topic, 'x'.repeat(5000)],
    ['bad_topic', 'powersite/v2/tx-1/gw/telemetry', telemetry],
    ['bad_topic', 'powersite/v1/tx 1/gw/telemetry', telemetry],
    ['bad_json', topic, '{"v":1,'],
    ['schema', topic, { ...telemetry, v: 2 }],
    ['schema', topic, { ...telemetry, devices: [{ ...telemetry.devices[0], power_w: -5 }] }],
    ['schema', topic, { ...telemetry, devices: [{ ...telemetry.devices[0], utilization: 97 }] }],
    ['topic_mismatch', 'powersite/v1/tx-1/other-host/telemetry', telemetry],
    ['topic_mismatch', 'powersite/v1/tx-2/gw-row12/telemetry', telemetry],
    ['too_many_devices', topic, { ...telemetry, devices: Array(4).fill(telemetry.devices[0]) }],
    ['too_deep', topic, JSON.stringify(telemetry).replace(/}$/, `,"x":${'['.repeat(17)}${']'.repeat(17)}}`)],
    ['bad_utf8', topic, Buffer.concat([Buffer.from(JSON.stringify(telemetry).replace('GPU-1', 'GPU-')), Buffer.from([0xc0, 0xaf])])],
    // Past the physical bounds (protocol/bounds.ts), though finite.
    ['schema', topic, { ...telemetry, devices: [{ ...telemetry.devices[0], power_w: 2e6 }] }],
    ['schema', topic, { ...telemetry, devices: [{ ...telemetry.devices[0], kind: 'asic', hashrate_hs: 1e308 }] }],
    ['schema', topic, { ...telemetry, interval_s: 86_401 }],
    // A lone surrogate escape cannot be stored as UTF-8.
    ['schema', topic, JSON.stringify(telemetry).replace('GPU-1', 'GPU-\\ud800')],
  ] as const)('rejects %s', (reason, t, payload) => {
    const r = validateMessage(t, enc(payload), limits);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.detail.length).toBeGreaterThan(0);
    }
  });

  it('accepts a meter at a whole site\'s power, which no other device may draw', () => {
    const meter = { ...telemetry, devices: [{ id: 'site-meter', kind: 'meter', workload: 'hpc', up: true, power_w: 5e8 }] };
    expect(validateMessage(topic, enc(meter), limits)).toMatchObject({ ok: true });
    const gpu = { ...telemetry, devices: [{ ...meter.devices[0], kind: 'gpu' }] };
    expect(validateMessage(topic, enc(gpu), limits)).toMatchObject({ ok: false, reason: 'schema', detail: expect.stringContaining('devices.0.power_w') });
  });

  it('names the failing field in schema errors', () => {
    const r = validateMessage(topic, enc({ ...telemetry, devices: [{ ...telemetry.devices[0], power_w: 'lots' }] }), limits);
    expect(r).toMatchObject({ ok: false, reason: 'schema', detail: expect.stringContaining('devices.0.power_w') });
  });
});
