import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { Spool, type SpoolEntry } from './spool.js';

const dirs: string[] = [];
async function spoolDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'powersite-spool-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const record = (i: number) => ({ topic: 'powersite/v1/s/h/telemetry', payload: JSON.stringify({ seq: i, pad: 'x'.repeat(100) }) });
const seqOf = (e: SpoolEntry | undefined) => (e ? (JSON.parse(e.payload) as { seq: number }).seq : undefined);

async function takeAll(spool: Spool): Promise<SpoolEntry[]> {
  const out: SpoolEntry[] = [];
  for (let e = await spool.take(); e; e = await spool.take()) out.push(e);
  return out;
}

describe('Spool', () => {
  it('hands out messages in order and forgets them once acknowledged', async () => {
    const spool = new Spool(await spoolDir(), 1024 * 1024, silentLogger(), 1024);
    await spool.open();
    for (let i = 0; i < 30; i++) await spool.append(record(i));
    expect(spool.depth).toBe(30);
    const entries = await takeAll(spool);
    expect(entries.map(seqOf)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const e of entries) spool.ack(e);
    expect(spool.depth).toBe(0);
    await spool.flush();
    // Only the segment still open for appends may remain.
    expect((await readdir(spool.dir)).filter((f) => f.endsWith('.seg')).length).toBeLessThanOrEqual(1);
  });

  it('survives a restart: unacknowledged messages come back, acknowledged ones do not', async () => {
    const dir = await spoolDir();
    const a = new Spool(dir, 1024 * 1024, silentLogger(), 1024);
    await a.open();
    for (let i = 0; i < 20; i++) await a.append(record(i));
    const entries = await takeAll(a);
    // Acks may overtake each other within a window: 0..6 and 8 are acknowledged, 7 is not.
    for (const e of entries.slice(0, 7)) a.ack(e);
    a.ack(entries[8]!);
    await a.flush();

    const b = new Spool(dir, 1024 * 1024, silentLogger(), 1024);
    await b.open();
    const again = (await takeAll(b)).map(seqOf);
    // 8 is resent too (the cursor only records the contiguous prefix): at least once, never lost.
    expect(again).toEqual(Array.from({ length: 13 }, (_, i) => i + 7));
  });

  it('ignores a line cut short by a crash', async () => {
    const dir = await spoolDir();
    const a = new Spool(dir, 1024 * 1024, silentLogger());
    await a.open();
    await a.append(record(1));
    await a.flush();
    const seg = (await readdir(dir)).find((f) => f.endsWith('.seg'))!;
    await appendFile(join(dir, seg), 'powersite/v1/s/h/telemetry\t{"seq":2,"pa');
    const b = new Spool(dir, 1024 * 1024, silentLogger());
    await b.open();
    await b.append(record(3));
    expect((await takeAll(b)).map(seqOf)).toEqual([1, 3]);
  });

  it('drops the oldest messages when full and counts exactly what it dropped', async () => {
    const dir = await spoolDir();
    const spool = new Spool(dir, 4096, silentLogger(), 1024);
    await spool.open();
    for (let i = 0; i < 100; i++) await spool.append(record(i));
    expect(spool.bytes).toBeLessThanOrEqual(4096);
    const kept = (await takeAll(spool)).map(seqOf);
    expect(spool.dropped + kept.length).toBe(100);
    expect(spool.dropped).toBeGreaterThan(0);
    // What is kept is the newest, still in order.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i));
    await spool.flush();
    const reopened = new Spool(dir, 4096, silentLogger(), 1024);
    await reopened.open();
    expect(reopened.dropped).toBe(spool.dropped);
  });

  it('a record handed back is sent again', async () => {
    const spool = new Spool(await spoolDir(), 1024 * 1024, silentLogger());
    await spool.open();
    await spool.append(record(1));
    await spool.append(record(2));
    const first = (await spool.take())!;
    spool.giveBack(first);
    expect((await takeAll(spool)).map(seqOf)).toEqual([1, 2]);
  });
});

describe('Spool memory', () => {
  it('keeps a backlog on disk, not in memory, and sends it all again from disk', async () => {
    const spool = new Spool(await spoolDir(), 1024 * 1024, silentLogger(), 1024);
    await spool.open();
    // A collector outage: every message is handed out and none is confirmed.
    const sent: SpoolEntry[] = [];
    for (let i = 0; i < 200; i++) {
      await spool.append(record(i));
      sent.push(...(await takeAll(spool)));
    }
    expect(sent.map(seqOf)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // 1 KiB segments hold 6 of these records: only the one being written stays loaded.
    expect(spool.recordsInMemory).toBeLessThanOrEqual(6);
    // Confirmations never came: all handed back, by position only, and read back from disk in order.
    for (const e of sent) spool.giveBack({ segment: e.segment, index: e.index });
    const again: SpoolEntry[] = [];
    for (let e = await spool.take(); e; e = await spool.take()) {
      again.push(e);
      // Draining reads one segment at a time.
      expect(spool.recordsInMemory).toBeLessThanOrEqual(12);
    }
    expect(again.map((e) => e.payload)).toEqual(sent.map((e) => e.payload));
  });

  it('a fully sent segment dropped while full still resends its unconfirmed records, read back from disk', async () => {
    const spool = new Spool(await spoolDir(), 2048, silentLogger(), 512);
    await spool.open();
    for (let i = 0; i < 3; i++) await spool.append(record(i));
    const inFlight = await takeAll(spool);
    for (let i = 3; i < 40; i++) await spool.append(record(i));
    expect(spool.dropped).toBeGreaterThan(0);
    spool.giveBack({ segment: inFlight[0]!.segment, index: inFlight[0]!.index });
    expect(seqOf(await spool.take())).toBe(0);
  });
});

describe('Spool when full with messages in flight', () => {
  it('keeps a sent record of a dropped segment in memory for resending, and counts it only if never confirmed', async () => {
    const spool = new Spool(await spoolDir(), 2048, silentLogger(), 512);
    await spool.open();
    for (let i = 0; i < 3; i++) await spool.append(record(i));
    const inFlight = [(await spool.take())!, (await spool.take())!];
    for (let i = 3; i < 40; i++) await spool.append(record(i));
    const droppedWhileInFlight = spool.dropped;
    spool.ack(inFlight[0]!); // confirmed after all: not lost
    spool.giveBack(inFlight[1]!); // to be sent again: its segment is gone, so from memory
    expect(spool.dropped).toBe(droppedWhileInFlight);
    const kept = await takeAll(spool);
    expect(kept[0]).toMatchObject({ payload: inFlight[1]!.payload });
    // 40 = dropped unsent + handed out again (the orphan and the rest) + the confirmed one.
    expect(spool.dropped + kept.length + 1).toBe(40);
    // Never confirmed, and only in memory: at stop it is lost, and counted.
    await spool.close();
    expect(spool.dropped).toBe(droppedWhileInFlight + 1);
  });
});
