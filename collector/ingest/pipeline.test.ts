import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import type { Telemetry } from '../../protocol/index.js';
import type { PointWriter } from '../store/store-writer.js';
import type { Point } from '../store/line-protocol.js';
import { messageAmounts } from '../accounting/amounts.js';
import { EconomicsConfig } from '../economics/config.js';
import { IngestPipeline } from './pipeline.js';

class MemoryWriter implements PointWriter {
  batches: Point[][] = [];
  failures = 0;
  /** Batches holding a point of this host are refused as InfluxDB refuses bad data: HTTP 400. */
  poisonHost: string | undefined;
  /** Refuse every write with this HTTP status this many times (an auth proxy, a credential, a body limit). */
  refuseAll = { status: 401, times: 0 };
  /** Never answer (a hung InfluxDB). */
  hang = false;
  async write(points: Point[]): Promise<void> {
    if (this.hang) return new Promise(() => {});
    if (this.failures > 0) {
      this.failures--;
      throw new Error('influx down');
    }
    if (this.refuseAll.times > 0) {
      this.refuseAll.times--;
      throw Object.assign(new Error(`InfluxDB write failed: HTTP ${this.refuseAll.status}`), { status: this.refuseAll.status });
    }
    if (points.some((p) => p.tags?.host === this.poisonHost)) throw Object.assign(new Error('InfluxDB write failed: HTTP 400: partial write'), { status: 400 });
    this.batches.push(points);
  }
}

/** What a message adds to the accounts does not matter to the pipeline: it only passes it on. */
const NO_AMOUNTS = messageAmounts(
  { v: 1, site: 's', host: 'h', seq: 0, ts: 0, interval_s: 10, devices: [] },
  { config: EconomicsConfig.parse({}), market: { btc_usd: null, difficulty: null, height: null, fees_btc_per_block: null, tip_time_ms: null }, share: 1, energyPriceUsdPerMwh: 50, billedRatio: { mining: 1, hpc: 1 } },
);

const message = (seq: number, devices = 1, host = 'h'): Telemetry => ({
  v: 1, site: 's', host, seq, ts: 1_000 + seq, interval_s: 10,
  devices: Array.from({ length: devices }, (_, i) => ({ id: `d${i}`, kind: 'gpu' as const, workload: 'hpc' as const, up: true, power_w: 100 })),
});

function setup(writer: PointWriter | undefined, options: Partial<ConstructorParameters<typeof IngestPipeline>[1]> = {}) {
  const committed: number[] = [];
  const refused: number[] = [];
  const errors: number[] = [];
  const pipeline = new IngestPipeline(
    writer,
    { batchPoints: 4, flushIntervalMs: 20, maxPendingPoints: 1000, maxWritesInFlight: 4, retryMaxMs: 20, ...options },
    { onCommitted: (m) => committed.push(m.seq), onRefused: (m) => refused.push(m.seq), onWritten: () => {}, onWriteError: (_e, attempt) => errors.push(attempt) },
    silentLogger(),
  );
  return { pipeline, committed, refused, errors };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('IngestPipeline', () => {
  it('acknowledges only after the batch is written, in order', async () => {
    const writer = new MemoryWriter();
    const { pipeline, committed } = setup(writer);
    const acks: number[] = [];
    for (let seq = 1; seq <= 3; seq++) pipeline.accept(message(seq), NO_AMOUNTS, () => acks.push(seq));
    // 3 messages × 2 points (device + message record) = 6 >= batchPoints: two batches.
    await until(() => acks.length === 3);
    expect(acks).toEqual([1, 2, 3]);
    expect(committed).toEqual([1, 2, 3]);
    expect(writer.batches.flat()).toHaveLength(6);
    await pipeline.stop();
  });

  it('writes up to maxWritesInFlight batches at once and still acknowledges in arrival order', async () => {
    // Each write waits until the test releases it, so the order in which they finish is ours.
    const gates: { points: Point[]; release: () => void }[] = [];
    const writer: PointWriter = { write: (points) => new Promise<void>((release) => gates.push({ points, release })) };
    const { pipeline, committed } = setup(writer, { batchPoints: 2, maxWritesInFlight: 2 });
    const acks: number[] = [];
    // One device + the message record = 2 points = one full batch per message.
    for (let seq = 1; seq <= 3; seq++) pipeline.accept(message(seq), NO_AMOUNTS, () => acks.push(seq));
    await until(() => gates.length === 2);
    // The third batch waits for a free slot.
    await new Promise((r) => setTimeout(r, 50));
    expect(gates).toHaveLength(2);
    gates[1]!.release();
    await until(() => gates.length === 3);
    // Batch 2 is stored, but batch 1 is not: nothing may be acknowledged yet.
    expect(acks).toEqual([]);
    gates[0]!.release();
    await until(() => acks.length === 2);
    expect(acks).toEqual([1, 2]);
    gates[2]!.release();
    await until(() => acks.length === 3);
    expect(acks).toEqual([1, 2, 3]);
    expect(committed).toEqual([1, 2, 3]);
    expect(pipeline.pendingPoints).toBe(0);
    await pipeline.stop();
  });

  it('holds acknowledgements while InfluxDB fails and retries until it works', async () => {
    const writer = new MemoryWriter();
    writer.failures = 3;
    const { pipeline, errors } = setup(writer);
    const acks: number[] = [];
    pipeline.accept(message(1, 3), NO_AMOUNTS, () => acks.push(1));
    await until(() => errors.length >= 1);
    expect(acks).toEqual([]);
    await until(() => acks.length === 1);
    expect(errors).toEqual([1, 2, 3]);
    expect(writer.batches).toHaveLength(1);
    await pipeline.stop();
  });

  it('applies back-pressure when too many points are pending and releases it after a write', async () => {
    const writer = new MemoryWriter();
    writer.failures = 2;
    const { pipeline } = setup(writer, { maxPendingPoints: 4, batchPoints: 100 });
    expect(pipeline.accept(message(1), NO_AMOUNTS, () => {})).toBeUndefined();
    const wait = pipeline.accept(message(2), NO_AMOUNTS, () => {});
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(pipeline.pendingPoints).toBe(0);
    await pipeline.stop();
  });

  it('leaves unwritten messages unacknowledged when stopped during an outage', async () => {
    const writer = new MemoryWriter();
    writer.failures = 1000;
    const { pipeline } = setup(writer);
    const acks: number[] = [];
    pipeline.accept(message(1), NO_AMOUNTS, () => acks.push(1));
    await new Promise((r) => setTimeout(r, 50));
    await pipeline.stop();
    expect(acks).toEqual([]);
  });

  it('finds a message InfluxDB refuses for good, drops and reports it, and writes the rest in order', async () => {
    const writer = new MemoryWriter();
    writer.poisonHost = 'bad';
    const { pipeline, committed, refused, errors } = setup(writer, { batchPoints: 100, flushIntervalMs: 10 });
    const acks: number[] = [];
    for (let seq = 1; seq <= 7; seq++) pipeline.accept(message(seq, 1, seq === 5 ? 'bad' : 'h'), NO_AMOUNTS, () => acks.push(seq));
    await until(() => acks.length === 7);
    expect(refused).toEqual([5]);
    expect(committed).toEqual([1, 2, 3, 4, 6, 7]);
    expect(acks).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(writer.batches.flat().filter((p) => p.measurement === 'agent_message').map((p) => p.fields?.seq)).toEqual([1, 2, 3, 4, 6, 7]);
    // A refusal is not retried: one attempt per bisection step.
    expect(errors.every((attempt) => attempt === 1)).toBe(true);
    expect(pipeline.pendingPoints).toBe(0);
    await pipeline.stop();
  });

  it.each([400, 401, 403, 413, 500, 503])('treats HTTP %i for every write as an outage: holds, retries, drops nothing', async (status) => {
    const writer = new MemoryWriter();
    // 400 for everything is refused in bisection steps too: enough refusals for several rounds.
    writer.refuseAll = { status, times: 12 };
    const { pipeline, committed, refused } = setup(writer, { batchPoints: 100, flushIntervalMs: 10 });
    const acks: number[] = [];
    for (let seq = 1; seq <= 4; seq++) pipeline.accept(message(seq), NO_AMOUNTS, () => acks.push(seq));
    await until(() => pipeline.writeFailure !== undefined);
    expect(acks).toEqual([]);
    await until(() => acks.length === 4);
    expect(refused).toEqual([]);
    // Order may differ when the outage ends mid-bisection; each exactly once is what counts.
    expect([...committed].sort()).toEqual([1, 2, 3, 4]);
    expect(writer.refuseAll.times).toBe(0);
    expect(pipeline.writeFailure).toBeUndefined();
    await pipeline.stop();
  });

  it('holds a lone message InfluxDB refuses until a neighbour is written, then drops only it', async () => {
    const writer = new MemoryWriter();
    writer.poisonHost = 'bad';
    const { pipeline, committed, refused } = setup(writer, { batchPoints: 100, flushIntervalMs: 10 });
    const acks: number[] = [];
    pipeline.accept(message(1, 1, 'bad'), NO_AMOUNTS, () => acks.push(1));
    // Alone, its refusal cannot be told from an outage: held, and the failure is visible.
    await until(() => pipeline.writeFailure !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(acks).toEqual([]);
    expect(pipeline.writeFailure?.error).toMatch(/400/);
    pipeline.accept(message(2), NO_AMOUNTS, () => acks.push(2));
    await until(() => acks.length === 2);
    expect(refused).toEqual([1]);
    expect(committed).toEqual([2]);
    await pipeline.stop();
  });

  it('retries every held batch as soon as one write works again, not after its own long backoff', async () => {
    const writer = new MemoryWriter();
    writer.failures = 8;
    // Backoff up to 60 s: without the wake-up the held batches would sit out most of it.
    const { pipeline } = setup(writer, { batchPoints: 2, flushIntervalMs: 10, retryMaxMs: 60_000, maxWritesInFlight: 5 });
    const acks: number[] = [];
    for (let seq = 1; seq <= 4; seq++) pipeline.accept(message(seq), NO_AMOUNTS, () => acks.push(seq));
    await until(() => writer.failures === 0);
    // The held batches now wait out backoffs of 4 to 32 s; a fifth batch's write works at once and wakes them.
    pipeline.accept(message(5), NO_AMOUNTS, () => acks.push(5));
    await until(() => acks.length === 5);
    expect(acks).toEqual([1, 2, 3, 4, 5]);
    await pipeline.stop();
  });

  it('stops within its deadline while InfluxDB hangs, acknowledging nothing', async () => {
    const writer = new MemoryWriter();
    writer.hang = true;
    const { pipeline } = setup(writer);
    const acks: number[] = [];
    pipeline.accept(message(1, 3), NO_AMOUNTS, () => acks.push(1));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await pipeline.stop(200);
    // Bounded by the 200 ms deadline (plus scheduling), not by the write that never answers.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(acks).toEqual([]);
  });

  it('without a store, acknowledges at once', () => {
    const { pipeline, committed } = setup(undefined);
    const acks: number[] = [];
    pipeline.accept(message(7), NO_AMOUNTS, () => acks.push(7));
    expect(acks).toEqual([7]);
    expect(committed).toEqual([7]);
    void pipeline.stop();
  });
});
