import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import type { Telemetry } from '../../protocol/index.js';
import type { PointWriter } from '../store/store-writer.js';
import type { Point } from '../store/line-protocol.js';
import { IngestPipeline } from './pipeline.js';

class MemoryWriter implements PointWriter {
  batches: Point[][] = [];
  failures = 0;
  /** Batches holding a point of this host are refused as InfluxDB refuses bad data: HTTP 400. */
  poisonHost: string | undefined;
  async write(points: Point[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('influx down');
    }
    if (points.some((p) => p.tags?.host === this.poisonHost)) throw Object.assign(new Error('InfluxDB write failed: HTTP 400: partial write'), { status: 400 });
    this.batches.push(points);
  }
}

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
    for (let seq = 1; seq <= 3; seq++) pipeline.accept(message(seq), () => acks.push(seq));
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
    for (let seq = 1; seq <= 3; seq++) pipeline.accept(message(seq), () => acks.push(seq));
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
    pipeline.accept(message(1, 3), () => acks.push(1));
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
    expect(pipeline.accept(message(1), () => {})).toBeUndefined();
    const wait = pipeline.accept(message(2), () => {});
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
    pipeline.accept(message(1), () => acks.push(1));
    await new Promise((r) => setTimeout(r, 50));
    await pipeline.stop();
    expect(acks).toEqual([]);
  });

  it('finds a message InfluxDB refuses for good, drops and reports it, and writes the rest in order', async () => {
    const writer = new MemoryWriter();
    writer.poisonHost = 'bad';
    const { pipeline, committed, refused, errors } = setup(writer, { batchPoints: 100, flushIntervalMs: 10 });
    const acks: number[] = [];
    for (let seq = 1; seq <= 7; seq++) pipeline.accept(message(seq, 1, seq === 5 ? 'bad' : 'h'), () => acks.push(seq));
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

  it('without a store, acknowledges at once', () => {
    const { pipeline, committed } = setup(undefined);
    const acks: number[] = [];
    pipeline.accept(message(7), () => acks.push(7));
    expect(acks).toEqual([7]);
    expect(committed).toEqual([7]);
    void pipeline.stop();
  });
});
