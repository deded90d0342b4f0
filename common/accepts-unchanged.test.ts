import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildTraffic } from '../bench/traffic.js';
import { BOUNDS, DeviceSample, Status, Telemetry } from '../protocol/index.js';
import { acceptsUnchanged } from './accepts-unchanged.js';

const telemetry = acceptsUnchanged(Telemetry);
const device = acceptsUnchanged(DeviceSample);
const gpu = { id: 'GPU-0', kind: 'gpu', workload: 'hpc', vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', up: true, power_w: 650, power_source: 'reported', energy_j: 6500, utilization: 0.9, temp_c: 60 };

/** Where a value would come out of zod changed or not at all, the fast path must say no. */
function agreesWithZod(schema: z.ZodType, accepts: (v: unknown) => boolean, value: unknown): void {
  if (!accepts(value)) return;
  const parsed = schema.safeParse(value);
  expect(parsed.success).toBe(true);
  expect(parsed.data).toStrictEqual(value);
}

describe('acceptsUnchanged', () => {
  it('takes the common case: every message of the bench traffic, and an agent status', () => {
    for (const mix of ['gpus', 'miners'] as const) for (const { message } of buildTraffic(mix, 20, 'site-1', 1_700_000_000_000).messages) expect(telemetry(JSON.parse(JSON.stringify(message)))).toBe(true);
    expect(acceptsUnchanged(Status)({ v: 1, site: 'site-1', host: 'gpu-1', state: 'online', ts: 1, version: '0.1.0', spool_messages: 0, instance: 'abc' })).toBe(true);
  });

  it('says no wherever zod would refuse or change the value: bounds, integers, refinements, unknown keys, missing keys', () => {
    const with_ = (patch: Record<string, unknown>) => ({ ...gpu, ...patch });
    expect(device(gpu)).toBe(true);
    expect(device(with_({ utilization: 1 }))).toBe(true);
    expect(device(with_({ utilization: 1.0000001 }))).toBe(false);
    expect(device(with_({ power_w: -1 }))).toBe(false);
    expect(device(with_({ power_w: Infinity }))).toBe(false);
    expect(device(with_({ power_w: NaN }))).toBe(false);
    // The object's own refinement: above the device bound only a meter may read.
    expect(device(with_({ power_w: BOUNDS.device_power_w + 1 }))).toBe(false);
    expect(device(with_({ kind: 'meter', power_w: BOUNDS.device_power_w + 1 }))).toBe(true);
    expect(device(with_({ hw_errors: 1.5 }))).toBe(false);
    expect(device(with_({ hw_errors: Number.MAX_SAFE_INTEGER + 2 }))).toBe(false);
    expect(device(with_({ id: 'GPU-\n' }))).toBe(false);
    expect(device(with_({ id: 'GPU\\' }))).toBe(false);
    expect(device(with_({ id: '' }))).toBe(false);
    expect(device(with_({ id: 'x'.repeat(129) }))).toBe(false);
    expect(device(with_({ kind: 'toaster' }))).toBe(false);
    expect(device(with_({ covers: 'site' }))).toBe(true);
    expect(device(with_({ covers: ['gpu-1', 'gpu-2'] }))).toBe(true);
    expect(device(with_({ covers: [] }))).toBe(false);
    expect(device(with_({ covers: ['no spaces'] }))).toBe(false);
    // Zod would strip it: not unchanged.
    expect(device(with_({ extra: 1 }))).toBe(false);
    expect(device(JSON.parse('{"__proto__":{"up":true},"id":"a","kind":"gpu","workload":"hpc","up":true}'))).toBe(false);
    const { up: _, ...noUp } = gpu;
    expect(device(noUp)).toBe(false);
    expect(device([gpu])).toBe(false);
    expect(device(null)).toBe(false);
    const message = { v: 1, site: 's', host: 'h', seq: 0, ts: 1, interval_s: 10, devices: [gpu] };
    expect(telemetry(message)).toBe(true);
    expect(telemetry({ ...message, interval_s: 0 })).toBe(false);
    expect(telemetry({ ...message, interval_s: BOUNDS.interval_s })).toBe(true);
    expect(telemetry({ ...message, ts: 0 })).toBe(false);
    expect(telemetry({ ...message, v: 2 })).toBe(false);
  });

  it('leaves to zod what it cannot judge at a glance: strings whose length only counting code points settles, transforms, defaults', () => {
    // 64 astral characters: 128 code points' worth of units, but 64 code points, which zod takes.
    const astral = '\u{1F600}'.repeat(64);
    expect(DeviceSample.safeParse({ ...gpu, vendor: astral }).success).toBe(true);
    expect(device({ ...gpu, vendor: astral })).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.string().transform((s) => s.length) }))({ a: 'x' })).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.number().default(1) }))({ a: 1 })).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.number() }).passthrough())({ a: 1 })).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.string().email() }))({ a: 'a@b.c' })).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.string().refine(async () => true) }))({ a: 'x' })).toBe(false);
  });

  it('never says yes where zod refuses or changes the value, over random devices and random field values', () => {
    const tricky = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom<unknown>(-0, -1, 0, 1, 1.5, 2 ** 53, 1e308, BOUNDS.device_power_w, BOUNDS.meter_power_w, BOUNDS.interval_s, '', 'site', '\\', '\u0000', '\ud800', '\u{1F600}', 'gpu', 'hpc', 'mining', 'measured', true, false, null, [], {}),
      fc.string({ unit: 'binary', maxLength: 140 }),
    );
    const key = fc.constantFrom(...Object.keys(DeviceSample.shape), 'extra', '__proto__', 'constructor');
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.option(tricky, { nil: undefined })), { maxLength: 4 }), (patches) => {
        const value: Record<string, unknown> = { ...gpu };
        for (const [k, v] of patches) {
          if (v === undefined) delete value[k];
          else Object.defineProperty(value, k, { value: v, enumerable: true, writable: true, configurable: true });
        }
        agreesWithZod(DeviceSample, device, value);
        agreesWithZod(Telemetry, telemetry, { v: 1, site: 's', host: 'h', seq: 1, ts: 1, interval_s: 10, devices: [value, gpu] });
      }),
      { numRuns: 3000 },
    );
  });
});
