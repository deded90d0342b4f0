// Bad input, by the tens of thousands: random and mutated payloads at the collector's validation
// and random, truncated and mutated miner replies at the CGMiner parser, then a few thousand bad
// messages through a real Mosquitto into a real collector while 100 good ones must all reach
// InfluxDB.
import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardSample } from '../agent/sample-guard.js';
import { FAMILIES } from '../agent/sources/cgminer/families/registry.js';
import { resolvePower } from '../agent/sources/cgminer/fleet/power.js';
import { downReading, upReading } from '../agent/sources/cgminer/fleet/sample.js';
import { MinerError } from '../agent/sources/cgminer/wire/errors.js';
import { nulTerminated } from '../agent/sources/cgminer/wire/framing.js';
import { newRepairStats, parseMinerJson, type RepairStats } from '../agent/sources/cgminer/wire/repair.js';
import { splitMulti, type JsonRecord } from '../agent/sources/cgminer/wire/reply.js';
import type { DeviceReading } from '../agent/sources/source.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { REJECT_REASONS, validateMessage, type Limits, type RejectReason, type Validated } from '../collector/ingest/validate.js';
import {
  BOUNDS,
  DeviceKind,
  DeviceSample,
  NUMERIC_DEVICE_FIELDS,
  parseTopic,
  PowerSource,
  Status,
  statusTopic,
  Telemetry,
  telemetryTopic,
  Workload,
  type Telemetry as TelemetryMessage,
} from '../protocol/index.js';
import { asicFixture } from './fixtures/asic/index.js';
import { startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const DEFAULT_LIMITS: Limits = { maxMessageBytes: 1024 * 1024, maxDevicesPerMessage: 5000 };

// ---------------------------------------------------------------------------------------------
// Generators of valid messages (to the letter of protocol/), and of ways to break them.

const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/);
/** Up to `max` UTF-16 units: any code point, lone surrogates included. */
const text = (max: number) => fc.string({ unit: 'binary', maxLength: Math.floor(max / 2) });
/** What InfluxDB line protocol cannot carry in a tag (nor UTF-8 a lone surrogate), and validation therefore refuses. */
const UNSTORABLE_TAG = /\p{Cc}|\p{Cs}|\\$/u;
/** Text for device id, vendor and model, which become InfluxDB tags. */
const tagText = (max: number) =>
  text(max)
    .map((s) => s.replace(/\p{Cc}|\p{Cs}/gu, '').replace(/\\+$/, ''))
    .filter((s) => s.length > 0);
/** Anything from 0 to the wire contract's bound, the extreme end included. */
const upTo = (max: number) => fc.oneof(fc.double({ min: 0, max, noNaN: true }), fc.constant(max));
const count = fc.maxSafeNat();

const device = fc.record(
  {
    id: tagText(128),
    kind: fc.constantFrom(...DeviceKind.options),
    workload: fc.constantFrom(...Workload.options),
    vendor: tagText(64),
    model: tagText(128),
    up: fc.boolean(),
    error: text(256),
    power_w: upTo(BOUNDS.device_power_w),
    power_source: fc.constantFrom(...PowerSource.options),
    energy_j: upTo(BOUNDS.energy_j),
    utilization: fc.double({ min: 0, max: 1, noNaN: true }),
    temp_c: fc.double({ min: BOUNDS.temp_c.min, max: BOUNDS.temp_c.max, noNaN: true }),
    hashrate_hs: upTo(BOUNDS.hashrate_hs),
    fan_rpm: upTo(BOUNDS.fan_rpm),
    uptime_s: upTo(BOUNDS.uptime_s),
    hw_errors: count,
    shares_accepted: count,
    shares_rejected: count,
    mem_used_bytes: upTo(BOUNDS.mem_bytes),
    mem_total_bytes: upTo(BOUNDS.mem_bytes),
  },
  { requiredKeys: ['id', 'kind', 'workload', 'up'] },
);

const telemetry = fc.record({
  v: fc.constant(1 as const),
  site: name,
  host: name,
  seq: count,
  ts: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  interval_s: fc.oneof(fc.double({ min: 0, minExcluded: true, max: BOUNDS.interval_s, noNaN: true }), fc.constant(BOUNDS.interval_s)),
  devices: fc.array(device, { maxLength: 6 }),
});

const status = fc.record(
  {
    v: fc.constant(1 as const),
    site: name,
    host: name,
    state: fc.constantFrom('online' as const, 'offline' as const),
    ts: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    version: text(32),
    reason: text(64),
  },
  { requiredKeys: ['v', 'site', 'host', 'state', 'ts'] },
);

interface Message {
  topic: string;
  body: Record<string, unknown>;
}

const validMessage: fc.Arbitrary<Message> = fc.oneof(
  telemetry.map((t) => ({ topic: telemetryTopic(t.site, t.host), body: t })),
  status.map((s) => ({ topic: statusTopic(s.site, s.host), body: s })),
);

/** Every place in a message a mutation can hit: the root, each key, each device and its keys. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...paths(v, [...at, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) found.push(...paths(v, [...at, k]));
  return found;
}

function nodeAt(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/** Sets (or with `undefined`, deletes) the value at `path` as an own enumerable property, `__proto__` included. */
function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = nodeAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (value === undefined) delete parent[key];
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** Replaced after JSON.stringify by raw text that JSON.stringify cannot produce. */
const RAW = '\u0000raw\u0000';
const rawText = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1e999', 'undefined', '0x10', '01', '1.', '.5', '+1', '"\\ud800"', '"\\u0000"', "'single'", '[1,]', '{"a":1,}'),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
);

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const pollution = fc.constantFrom<unknown>({ polluted: true }, { prototype: { polluted: true } }, null, 1, 'polluted', [{ polluted: true }]);

const replacement = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(1e308, -1e308, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, 5e-324, -1, -0, 0.5, '', '0', 'true', [], {}) },
  { weight: 1, arbitrary: fc.constantFrom('GPU-1\n', 'line\nbreak', 'GPU-1\\', '\u0000', '\u0007', 'tab\there', 'a\\,b=c d') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 2, arbitrary: fc.constant(undefined) },
);

/** Changes to the message as an object; several may apply in turn. */
type Change =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'pollute'; at: number; key: string; value: unknown }
  | { kind: 'rename'; field: 'site' | 'host'; to: string }
  | { kind: 'copies'; at: number; copies: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: replacement }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pollute' as const), at: fc.nat(), key: fc.constantFrom(...PROTO_KEYS), value: pollution }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), field: fc.constantFrom('site' as const, 'host' as const), to: name }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copies' as const), at: fc.nat(), copies: fc.integer({ min: 2, max: 40 }) }) },
);

/** Then at most one change to the text: what JSON.stringify never writes, a cut, a bad byte. */
type Damage = { kind: 'raw'; at: number; raw: string } | { kind: 'truncate'; at: number } | { kind: 'byte'; at: number; byte: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('raw' as const), at: fc.nat(), raw: rawText }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }) },
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function applyChange(body: unknown, c: Change): unknown {
  switch (c.kind) {
    case 'replace': {
      const all = paths(body);
      // Generated values can be shared between runs (constantFrom): never let a run change them.
      return setAt(body, all[c.at % all.length]!, structuredClone(c.value));
    }
    case 'pollute': {
      const objects = paths(body).filter((p) => isPlainObject(nodeAt(body, p)));
      return objects.length === 0 ? body : setAt(body, [...objects[c.at % objects.length]!, c.key], structuredClone(c.value));
    }
    case 'rename':
      return isPlainObject(body) ? { ...body, [c.field]: c.to } : body;
    case 'copies': {
      if (!isPlainObject(body)) return body;
      const devices = Array.isArray(body.devices) && body.devices.length > 0 ? body.devices : [{ id: 'd', kind: 'gpu', workload: 'hpc', up: true }];
      const one: unknown = devices[c.at % devices.length];
      return { ...body, devices: Array.from({ length: c.copies }, () => one) };
    }
  }
}

function applyDamage(body: unknown, d: Damage | null): Uint8Array {
  if (d === null) return utf8(JSON.stringify(body) ?? '');
  switch (d.kind) {
    case 'raw': {
      const all = paths(body);
      const marked = setAt(body, all[d.at % all.length]!, RAW);
      return utf8((JSON.stringify(marked) ?? '').replace(JSON.stringify(RAW), d.raw));
    }
    case 'truncate': {
      const bytes = utf8(JSON.stringify(body) ?? '');
      return bytes.subarray(0, d.at % (bytes.length + 1));
    }
    case 'byte': {
      const bytes = Buffer.from(utf8(JSON.stringify(body) ?? ''));
      if (bytes.length > 0) bytes[d.at % bytes.length] = d.byte;
      return bytes;
    }
  }
}

const limits: fc.Arbitrary<Limits> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(DEFAULT_LIMITS) },
  { weight: 1, arbitrary: fc.record({ maxMessageBytes: fc.integer({ min: 0, max: 4096 }), maxDevicesPerMessage: fc.integer({ min: 1, max: 8 }) }) },
);

/** Topics anywhere from nonsense to one character off a valid one. */
const topic = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(fc.oneof(name, fc.constantFrom('powersite', 'v1', 'v2', 'telemetry', 'status', '', '+', '#', '$SYS', ' ', 'x'.repeat(65)), fc.string({ maxLength: 8 })), {
      minLength: 0,
      maxLength: 7,
    })
    .map((levels) => levels.join('/')),
  fc.tuple(name, name, fc.constantFrom('telemetry', 'status', 'Telemetry', 'events'), fc.constantFrom('powersite/v1', 'powersite/v2', 'PowerSite/v1', '/powersite/v1'))
    .map(([site, host, kind, root]) => `${root}/${site}/${host}/${kind}`),
);

// ---------------------------------------------------------------------------------------------
// What every verdict must look like, whatever came in.

const TOP_KEYS = { telemetry: new Set(Object.keys(Telemetry.shape)), status: new Set(Object.keys(Status.shape)) };
const DEVICE_KEYS = new Set(Object.keys(DeviceSample.shape));

function checkVerdict(topicText: string, payload: Uint8Array, limit: Limits, verdict: Validated): void {
  if (!verdict.ok) {
    expect(REJECT_REASONS).toContain(verdict.reason);
    expect(typeof verdict.detail).toBe('string');
    expect(verdict.detail.length).toBeGreaterThan(0);
    // Details end up in logs: bounded however large the payload or topic.
    expect(verdict.detail.length).toBeLessThanOrEqual(400);
    // The cheap checks come first: size before anything is parsed, then the topic.
    if (payload.byteLength > limit.maxMessageBytes) expect(verdict.reason).toBe('too_large');
    else if (parseTopic(topicText) === null) expect(verdict.reason).toBe('bad_topic');
    return;
  }
  const parsed = parseTopic(topicText);
  expect(parsed).not.toBeNull();
  expect(payload.byteLength).toBeLessThanOrEqual(limit.maxMessageBytes);
  expect(verdict.kind).toBe(parsed!.kind);
  expect(verdict.message.site).toBe(parsed!.site);
  expect(verdict.message.host).toBe(parsed!.host);
  expect((verdict.kind === 'telemetry' ? Telemetry : Status).safeParse(verdict.message).success).toBe(true);
  // Nothing beyond the schema gets through (no smuggled keys, no foreign prototypes).
  expect(Object.getPrototypeOf(verdict.message)).toBe(Object.prototype);
  for (const key of Reflect.ownKeys(verdict.message)) expect(TOP_KEYS[verdict.kind].has(key as string)).toBe(true);
  if (verdict.kind === 'telemetry') {
    expect(verdict.message.devices.length).toBeLessThanOrEqual(limit.maxDevicesPerMessage);
    for (const d of verdict.message.devices) {
      for (const tag of [d.id, d.vendor, d.model]) if (tag !== undefined) expect(tag).not.toMatch(UNSTORABLE_TAG);
      expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
      for (const key of Reflect.ownKeys(d)) expect(DEVICE_KEYS.has(key as string)).toBe(true);
    }
  }
}

function validateChecked(topicText: string, payload: Uint8Array, limit: Limits): Validated {
  let verdict: Validated;
  try {
    verdict = validateMessage(topicText, payload, limit);
  } catch (err) {
    throw new Error(`validateMessage threw ${String(err)} for topic ${JSON.stringify(topicText.slice(0, 100))}`);
  }
  checkVerdict(topicText, payload, limit, verdict);
  return verdict;
}

describe('validateMessage under 20,000 random and mutated messages', () => {
  afterAll(() => {
    // Prototype-pollution keys were parsed thousands of times: no object anywhere gained them.
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts every valid message exactly as sent', () => {
    fc.assert(
      fc.property(validMessage, ({ topic: t, body }) => {
        const verdict = validateChecked(t, utf8(JSON.stringify(body)), DEFAULT_LIMITS);
        expect(verdict.ok).toBe(true);
        // JSON has no -0 and zod strips nothing from a valid message: what arrives is what was sent.
        if (verdict.ok) expect(verdict.message).toEqual(JSON.parse(JSON.stringify(body)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives arbitrary bytes a verdict', () => {
    fc.assert(
      fc.property(fc.oneof(topic, validMessage.map((m) => m.topic)), fc.uint8Array({ maxLength: 2048 }), limits, (t, payload, limit) => {
        const verdict = validateChecked(t, payload, limit);
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 4_000 },
    );
  });

  it('gives arbitrary JSON a verdict', () => {
    fc.assert(
      fc.property(validMessage, fc.jsonValue({ maxDepth: 6 }), limits, ({ topic: t }, value, limit) => {
        const verdict = validateChecked(t, utf8(JSON.stringify(value) ?? 'null'), limit);
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives every mutation of a valid message a verdict that holds', () => {
    fc.assert(
      fc.property(validMessage, fc.array(change, { minLength: 0, maxLength: 3 }), fc.option(damage), limits, ({ topic: t, body }, changes, d, limit) => {
        const changed = changes.reduce<unknown>(applyChange, structuredClone(body));
        validateChecked(t, applyDamage(changed, d), limit);
      }),
      { numRuns: 7_000 },
    );
  });

  it('gives valid payloads on random topics a verdict, and a payload naming another host topic_mismatch', () => {
    fc.assert(
      fc.property(topic, validMessage, (t, { topic: own, body }) => {
        const verdict = validateChecked(t, utf8(JSON.stringify(body)), DEFAULT_LIMITS);
        const parsed = parseTopic(t);
        const ownParsed = parseTopic(own)!;
        if (parsed !== null && parsed.kind === ownParsed.kind && (parsed.site !== ownParsed.site || parsed.host !== ownParsed.host)) {
          expect(verdict).toMatchObject({ ok: false, reason: 'topic_mismatch' });
        }
      }),
      { numRuns: 4_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The CGMiner reply parser: whatever a miner sends, the agent gets data or a MinerError, and the
// readings it would publish are ones the collector accepts.

// Every capture, the real-world reply sets in their folders included.
const FIXTURE_NAMES = (readdirSync(new URL('../agent/sources/cgminer/fixtures/', import.meta.url), { recursive: true }) as string[]).filter((f) => /\.(json|txt)$/.test(f));
const FIXTURES = FIXTURE_NAMES.map((f) => asicFixture(f));
const TARGET = { id: '10.0.3.17', host: '10.0.3.17', port: 4028 };

/** What the source would make of one miner's bytes: framing, repair, detection, every family's parser. */
function throughTheSource(bytes: Buffer, stats: RepairStats): DeviceReading[] {
  const framed = nulTerminated.complete(bytes) ?? nulTerminated.atEof(bytes);
  const reply: JsonRecord = parseMinerJson(framed.toString('utf8'), stats);
  const readings: DeviceReading[] = [];
  for (const family of FAMILIES.families) {
    const protocol = FAMILIES.protocol(family.protocol);
    const model = FAMILIES.recognise(reply, protocol.id)?.model;
    const identity = model === undefined ? { family: family.id } : { family: family.id, model };
    const commands = [...family.reads, ...(family.diagnostics ?? [])].map((spec) => spec.command);
    const raw = family.joinReads ? splitMulti(reply, commands) : new Map(commands.map((command) => [command, reply]));
    const replies = new Map([...raw].map(([command, r]) => [command, r instanceof MinerError ? r : (protocol.replyError(command, r) ?? r)]));
    try {
      const readout = family.parse(replies, identity);
      const power = resolvePower({ reportedW: readout.reported_power_w, hashrateHs: readout.hashrate_hs, model: readout.model ?? identity.model });
      readings.push(upReading(TARGET, readout, power));
    } catch (err) {
      if (!(err instanceof MinerError)) throw err;
      readings.push(downReading(TARGET, FAMILIES.vendorOf(family.id, model), identity, err.message));
    }
  }
  return readings;
}

function checkMinerBytes(bytes: Buffer): void {
  const stats = newRepairStats();
  let readings: DeviceReading[];
  try {
    readings = throughTheSource(bytes, stats);
  } catch (err) {
    if (!(err instanceof MinerError)) throw new Error(`${String(err)} escaped for reply ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
    expect(err.kind).toBe('malformed');
    expect(err.message.length).toBeGreaterThan(0);
    expect(err.message.length).toBeLessThanOrEqual(200);
    expect(stats.unrepairable).toBe(1);
    return;
  }
  expect(stats.unrepairable).toBe(0);
  for (const reading of readings) {
    const { device_energy_j: _counter, ...rest } = reading;
    const sample = DeviceSample.safeParse({ ...rest, workload: 'mining' });
    // A mutated digit can make a finite reading past the wire bounds (a 1.4e16 H/s hashrate): the
    // agent's guard drops that field and keeps the device. Anything else would be a parser bug.
    const tolerated = !sample.success && sample.error.issues.every((i) => i.code === 'too_big' && (NUMERIC_DEVICE_FIELDS as readonly PropertyKey[]).includes(i.path[0]!));
    if (!sample.success && !tolerated) throw new Error(`reading the collector would reject (${sample.error.issues[0]?.message}): ${JSON.stringify(reading)}`);
    if (tolerated) expect(guardSample({ ...rest, workload: 'mining' })).toMatchObject({ sample: { id: reading.id, kind: reading.kind, up: reading.up } });
  }
}

const QUIRKS = ['\\n', '\\\\', '\\u0007', '\0', 'nan', '-inf', 'inf', '}{', "\\'", '"', ',', '{', '[', ']', '}', ':', '\\', '\\u', '\\ud800', '1e999', '-0', 'null', '\u00ff'];

const minerMutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...QUIRKS), fc.string({ unit: 'binary', maxLength: 12 })) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('append' as const), other: fc.nat() }),
);
type MinerMutation = typeof minerMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateReply(reply: string, m: MinerMutation): string {
  const at = reply.length === 0 ? 0 : m.kind === 'append' ? 0 : m.at % (reply.length + 1);
  switch (m.kind) {
    case 'truncate':
      return reply.slice(0, at);
    case 'delete':
      return reply.slice(0, at) + reply.slice(at + m.length);
    case 'insert':
      return reply.slice(0, at) + m.text + reply.slice(at);
    case 'duplicate':
      return reply.slice(0, at + m.length) + reply.slice(at);
    case 'append':
      return reply + FIXTURES[m.other % FIXTURES.length]!;
  }
}

describe('the CGMiner reply parser under random, truncated and mutated replies', () => {
  it('parses every recorded reply to data (the positive control)', () => {
    expect(FIXTURE_NAMES.length).toBeGreaterThanOrEqual(20);
    for (const fixture of FIXTURES) {
      const stats = newRepairStats();
      expect(() => throughTheSource(Buffer.from(fixture), stats)).not.toThrow();
    }
  });

  it('never lets anything but a MinerError out, for random bytes and text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)), fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s)), fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s))), checkMinerBytes),
      { numRuns: 3_000 },
    );
  });

  it('never lets anything but a MinerError out, for truncated and mutated recorded replies', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(minerMutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', '\0', '\0garbage', '\0\0'),
        (which, mutations, framing) => {
          const reply = mutations.reduce(mutateReply, FIXTURES[which % FIXTURES.length]!);
          checkMinerBytes(Buffer.from(reply + framing, 'utf8'));
        },
      ),
      { numRuns: 6_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Through real services: 3,000 bad messages around 100 good ones.

const SITE = 'fz';
const VALID_HOST = 'h-valid';
const DB = 'powersite_fuzz';
/** Small limits, so oversized and overfull messages stay cheap to send. */
const MAX_BYTES = 16 * 1024;
const MAX_DEVICES = 4;
const LIMITS: Limits = { maxMessageBytes: MAX_BYTES, maxDevicesPerMessage: MAX_DEVICES };

interface Bad {
  topic: string;
  payload: Uint8Array;
  reason: RejectReason;
}

const host = fc.integer({ min: 0, max: 9 }).map((i) => `h-${i}`);
const fuzzTopic = host.map((h) => telemetryTopic(SITE, h));
const fuzzTelemetry = (h: string, devices: unknown[] = []) => ({ v: 1, site: SITE, host: h, seq: 0, ts: Date.now(), interval_s: 10, devices });
const gpu = (i: number) => ({ id: `GPU-${i}`, kind: 'gpu', workload: 'hpc', up: true, power_w: 700 });
/** Topic levels that match the `+` of the subscription but are not valid site or host names. */
const badName = fc.constantFrom('', 'bad site', 'tx~1', 'héllo', '中', 'a!', '@h', 'x'.repeat(65), '$h', 'h%2F');

/** Bad messages whose rejection reason is known by construction. */
// Every reason validation gives ('unwritable' comes later, from InfluxDB itself).
const BAD: Record<Exclude<RejectReason, 'unwritable'>, [number, fc.Arbitrary<Omit<Bad, 'reason'>>]> = {
  bad_json: [
    700,
    fc.oneof(
      // ASCII (so valid UTF-8) without brackets (so never too deep).
      fc.tuple(fuzzTopic, fc.uint8Array({ max: 0x7f, maxLength: 300 })).map(([t, b]) => ({ topic: t, payload: Buffer.concat([utf8('}'), b.map((x) => (x === 0x5b || x === 0x7b ? 0x20 : x))]) })),
      fc.tuple(host, fc.nat()).map(([h, at]) => {
        const full = utf8(JSON.stringify(fuzzTelemetry(h, [gpu(0)])));
        return { topic: telemetryTopic(SITE, h), payload: full.subarray(0, at % full.length) };
      }),
      fc.tuple(fuzzTopic, fc.constantFrom('NaN', '{"v":1,}', "{'v':1}", '{"seq":1e}', '', ' ')).map(([t, s]) => ({ topic: t, payload: utf8(s) })),
    ),
  ],
  schema: [
    1_000,
    fc.oneof(
      fc.tuple(fuzzTopic, fc.jsonValue({ maxDepth: 4 })).map(([t, v]) => ({ topic: t, payload: utf8(JSON.stringify(v) ?? 'null') })),
      // Values wrong for every one of these fields (1e999 is Infinity, which JSON writes as null).
      fc.tuple(host, fc.constantFrom('v', 'seq', 'ts', 'interval_s', 'devices'), fc.constantFrom<unknown>('1', -1, null, {}, 1e999)).map(([h, field, value]) => ({
        topic: telemetryTopic(SITE, h),
        payload: utf8(JSON.stringify({ ...fuzzTelemetry(h), [field]: value })),
      })),
      fc.tuple(host, fc.constantFrom<unknown>(-1, 'x', 2, null)).map(([h, utilization]) => ({
        topic: telemetryTopic(SITE, h),
        payload: utf8(JSON.stringify(fuzzTelemetry(h, [{ ...gpu(0), utilization }]))),
      })),
      // Valid to the schema but poison to InfluxDB line protocol: one would stall every write after it.
      fc.tuple(host, fc.constantFrom('GPU-1\n', 'GPU-1\\', 'GPU\r\n2'), fc.constantFrom('id', 'model', 'vendor')).map(([h, poison, field]) => ({
        topic: telemetryTopic(SITE, h),
        payload: utf8(JSON.stringify(fuzzTelemetry(h, [{ ...gpu(0), [field]: poison }]))),
      })),
      fc.tuple(host, fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== 'online' && v !== 'offline')).map(([h, v]) => ({ topic: statusTopic(SITE, h), payload: utf8(JSON.stringify({ v: 1, site: SITE, host: h, state: v, ts: 1 })) })),
    ),
  ],
  topic_mismatch: [
    400,
    fc.tuple(host, host, fc.boolean()).map(([h, other, site]) => ({
      topic: telemetryTopic(SITE, h),
      payload: utf8(JSON.stringify(site ? { ...fuzzTelemetry(h), site: `${SITE}-other` } : fuzzTelemetry(`${other}-x`))),
    })),
  ],
  bad_topic: [
    400,
    fc.tuple(badName, fc.boolean()).map(([bad, asSite]) => ({
      topic: asSite ? telemetryTopic(bad, 'h-0') : telemetryTopic(SITE, bad),
      payload: utf8(JSON.stringify(fuzzTelemetry('h-0'))),
    })),
  ],
  bad_utf8: [
    200,
    // A device id carrying bytes that are not UTF-8 (a lone continuation byte, an overlong form, a cut sequence).
    fc.tuple(host, fc.constantFrom([0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xff], [0xed, 0xa0, 0x80])).map(([h, bytes]) => {
      const [before, after] = JSON.stringify(fuzzTelemetry(h, [{ ...gpu(0), id: 'GPU-@' }])).split('@') as [string, string];
      return { topic: telemetryTopic(SITE, h), payload: Buffer.concat([utf8(before), Buffer.from(bytes), utf8(after)]) };
    }),
  ],
  too_deep: [
    100,
    // Deep nesting inside a field the schema would strip, refused before JSON.parse builds it.
    fc.tuple(host, fc.integer({ min: BOUNDS.json_depth, max: 2000 }), fc.boolean()).map(([h, depth, arrays]) => {
      const nest = arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      return { topic: telemetryTopic(SITE, h), payload: utf8(JSON.stringify(fuzzTelemetry(h)).replace(/}$/, `,"extra":${nest}}`)) };
    }),
  ],
  too_large: [100, fuzzTopic.map((t) => ({ topic: t, payload: Buffer.alloc(MAX_BYTES + 1, '{') }))],
  too_many_devices: [
    400,
    fc.tuple(host, fc.integer({ min: MAX_DEVICES + 1, max: 40 })).map(([h, n]) => ({
      topic: telemetryTopic(SITE, h),
      payload: utf8(JSON.stringify(fuzzTelemetry(h, Array.from({ length: n }, (_, i) => gpu(i))))),
    })),
  ],
};

describe('bad traffic through Mosquitto into a collector, around 100 good messages', () => {
  let mosquitto: MosquittoHandle;
  let influx: InfluxHandle;
  let collector: Collector;
  const logs: string[] = [];

  beforeAll(async () => {
    [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
    collector = new Collector(
      CollectorConfig.parse({
        mqtt: { url: mosquitto.url, client_id: 'fuzz-collector' },
        influx: { url: influx.url, database: DB, flush_interval: '200ms', economics_interval: '1h' },
        http: { host: '127.0.0.1', port: 0 },
        limits: { max_message_bytes: MAX_BYTES, max_devices_per_message: MAX_DEVICES },
      }),
      pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) })),
    );
    await collector.start();
    await eventually(() => collector.connected);
  });

  afterAll(async () => {
    await collector?.stop();
    await Promise.all([mosquitto?.stop(), influx?.stop()]);
  });

  it('rejects and counts every bad one by reason, stays up, and stores all 100 good ones', async () => {
    const bad: Bad[] = Object.entries(BAD).flatMap(([reason, [n, arbitrary]]) => fc.sample(arbitrary, n).map((b) => ({ ...b, reason: reason as RejectReason })));
    // The constructions are right: validation itself (fuzzed above) predicts each reason.
    for (const b of bad) expect(validateMessage(b.topic, b.payload, LIMITS)).toMatchObject({ ok: false, reason: b.reason });
    // Shuffle the good ones in; their seq follows the order they go out in.
    const slots: (Bad | 'good')[] = fc.sample(fc.shuffledSubarray([...bad, ...Array<'good'>(100).fill('good')], { minLength: bad.length + 100 }), 1)[0]!;
    const start = Date.now() - 100 * 10_000;
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: 'fuzz-publisher' });
    try {
      let seq = 0;
      for (const slot of slots) {
        if (slot === 'good') {
          const message: TelemetryMessage = { v: 1, site: SITE, host: VALID_HOST, seq, ts: start + seq * 10_000, interval_s: 10, devices: [gpu(0), gpu(1)] as TelemetryMessage['devices'] };
          seq++;
          await client.publishAsync(telemetryTopic(SITE, VALID_HOST), JSON.stringify(message), { qos: 1 });
        } else {
          await client.publishAsync(slot.topic, Buffer.from(slot.payload), { qos: 1 });
        }
      }
    } finally {
      await client.endAsync();
    }

    const rejected = (text: string) => REJECT_REASONS.reduce((sum, reason) => sum + (metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason }) ?? 0), 0);
    const text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return rejected(t) === bad.length && metricValue(t, 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' }) === 100 ? t : undefined;
    }, 60_000);
    for (const reason of REJECT_REASONS) {
      const sent = bad.filter((b) => b.reason === reason).length;
      expect({ reason, counted: metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason }) }).toEqual({ reason, counted: sent });
    }
    expect(metricValue(text, 'powersite_collector_sequence_gaps_total', { site: SITE })).toBe(0);
    expect(collector.connected).toBe(true);
    expect((await fetch(collector.metricsUrl.replace('/metrics', '/healthz'))).status).toBe(200);

    const rows = await eventually(async () => {
      const r = await influx.rows(DB, 'SELECT count(seq) FROM agent_message');
      return r[0]?.count === 100 ? r : undefined;
    });
    expect(rows[0]?.count).toBe(100);
    const seqs = await influx.rows(DB, `SELECT seq FROM agent_message WHERE host = '${VALID_HOST}' ORDER BY time`);
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    // A flood is logged once per reason (per minute), not once per message.
    const rejectionLogs = logs.filter((l) => l.includes('message rejected'));
    expect(rejectionLogs.length).toBe(Object.keys(BAD).length);
  });

  it('survives extreme finite values: out-of-bounds ones rejected, at-bounds ones stored and counted exactly, and it keeps writing', async () => {
    const site = 'fz-extreme';
    const h = 'h-extreme';
    const t0 = Date.now() - 60_000;
    const msg = (seq: number, interval_s: number, devices: unknown[]) => ({ v: 1, site, host: h, seq, ts: t0 + seq * 1000, interval_s, devices });
    const asic = { id: 'asic-1', kind: 'asic', workload: 'mining', up: true };
    const meter = { id: 'meter-1', kind: 'meter', workload: 'hpc', up: true };
    const gpu1 = { id: 'gpu-1', kind: 'gpu', workload: 'hpc', up: true };
    const before = await scrape(collector.metricsUrl);
    const schemaBefore = metricValue(before, 'powersite_collector_messages_total', { result: 'rejected', reason: 'schema' }) ?? 0;
    // Each overflowed an amount to Infinity (or froze a counter) before the bounds existed.
    const hostile = [
      msg(0, 10, [{ ...asic, hashrate_hs: 1e308 }]),
      msg(1, 86_400, [{ ...asic, power_w: 1e306 }]),
      msg(2, 10, [{ ...meter, power_w: 1e300 }]),
      msg(3, 10, [{ ...asic, power_w: BOUNDS.device_power_w * 2 }]),
      msg(4, 10, [{ ...asic, energy_j: Number.MAX_VALUE }]),
    ];
    // Every field at its bound, for a full day, then ordinary readings: each must still count.
    const atBounds = msg(5, BOUNDS.interval_s, [
      { ...meter, power_w: BOUNDS.meter_power_w, energy_j: BOUNDS.energy_j },
      { ...gpu1, power_w: BOUNDS.device_power_w, temp_c: BOUNDS.temp_c.max, uptime_s: BOUNDS.uptime_s, mem_total_bytes: BOUNDS.mem_bytes, utilization: 1 },
      { ...asic, power_w: BOUNDS.device_power_w, hashrate_hs: BOUNDS.hashrate_hs, fan_rpm: BOUNDS.fan_rpm, hw_errors: Number.MAX_SAFE_INTEGER },
    ]);
    const ordinary = msg(6, 10, [
      { ...meter, power_w: 900 },
      { ...gpu1, power_w: 700 },
      { ...asic, power_w: 3250, hashrate_hs: 1.1e14 },
    ]);
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: 'fuzz-extreme' });
    try {
      for (const m of [...hostile, atBounds, ordinary]) await client.publishAsync(telemetryTopic(site, h), JSON.stringify(m), { qos: 1 });
    } finally {
      await client.endAsync();
    }
    for (const m of hostile) expect(validateMessage(telemetryTopic(site, h), utf8(JSON.stringify(m)), DEFAULT_LIMITS)).toMatchObject({ ok: false, reason: 'schema' });

    // Counters: power × interval summed message by message (meters are not device energy).
    // 1e6 W × 86,400 s + 700 W × 10 s = 86,400,007,000 J, exact only if no increment was lost.
    const text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_device_energy_joules_total', { site, workload: 'hpc' }) === 86_400_007_000 ? t : undefined;
    }, 60_000);
    // 1e6 W × 86,400 s + 3,250 W × 10 s = 86,400,032,500 J.
    expect(metricValue(text, 'powersite_device_energy_joules_total', { site, workload: 'mining' })).toBe(86_400_032_500);
    // Billed energy (economics) is finite and counted too, whatever the meter said.
    expect(Number.isFinite(metricValue(text, 'powersite_energy_joules_total', { site, workload: 'hpc' }))).toBe(true);
    // 1e16 H/s × 86,400 s + 1.1e14 H/s × 10 s, added in that order as the counter does.
    expect(metricValue(text, 'powersite_hashes_total', { site, workload: 'mining' })).toBe(1e16 * 86_400 + 1.1e14 * 10);
    expect(metricValue(text, 'powersite_collector_messages_total', { result: 'rejected', reason: 'schema' })).toBe(schemaBefore + hostile.length);
    for (const consumer of ['ledger', 'lag']) {
      for (const reason of ['non_finite', 'error']) expect(metricValue(text, 'powersite_collector_commit_failures_total', { consumer, reason })).toBe(0);
    }
    expect(collector.connected).toBe(true);
    expect((await fetch(collector.metricsUrl.replace('/metrics', '/healthz'))).status).toBe(200);
    // Stored as sent, at the bounds.
    const meterRows = await eventually(async () => {
      const r = await influx.rows(DB, `SELECT power_w, energy_j FROM meter WHERE host = '${h}' ORDER BY time`);
      return r.length === 2 ? r : undefined;
    });
    expect(meterRows.map((r) => r.power_w)).toEqual([BOUNDS.meter_power_w, 900]);
    expect(meterRows[0]!.energy_j).toBe(BOUNDS.energy_j);
  });
});
