/**
 * The agent's on-disk store-and-forward queue. Every telemetry message is appended here before it
 * is published and forgotten only once it is released (a collector confirmed it stored it, see
 * forwarder.ts), so a broker outage or crash, a network cut or an agent restart loses nothing. Messages drain in the order they were taken.
 *
 * Layout: append-only segment files `NNNNNNNNNNNN.seg`, one record a line (`topic<TAB>payload`),
 * and `cursor.json` naming the first unacknowledged record. When the spool outgrows `maxBytes`
 * the oldest segment is dropped and its unacknowledged records are counted in `dropped`.
 *
 * Disk faults: when an append fails (full or read-only disk, I/O error) the record is kept in
 * memory, still sent in order, and every later append first retries writing those records, so the
 * spool recovers by itself once the disk is back. Records held only in memory count toward
 * `maxBytes`, and are counted in `dropped` if the agent stops before they were delivered.
 * Appends are fsynced, files are 0600 in a 0700 directory.
 */
import { readdir, readFile, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { DiskFault } from './disk-fault.js';
import { appendDurably, ensurePrivateDir, replaceDurably, syncDir } from './durable-file.js';

export interface SpoolRecord {
  topic: string;
  payload: string;
}

interface Segment {
  n: number;
  bytes: number;
  /** Records of the segment; loaded from disk when draining reaches it. */
  records: SpoolRecord[] | undefined;
  count: number;
  /** Records from the start acknowledged (contiguously), and handed out for sending. */
  acked: number;
  sent: number;
  /** Records ever handed out: past `sent` after a resend rewound it. */
  published: number;
  /** Acknowledged records past `acked` (acks can overtake each other within a window). */
  ackedAhead: Set<number>;
}

/** Where a handed-out record is: all `ack()` and `giveBack()` need, so waiting for a confirmation holds no payload. */
export interface SpoolRef {
  segment: number;
  index: number;
}

/** A record handed out for sending. */
export interface SpoolEntry extends SpoolRecord, SpoolRef {}

interface Cursor {
  segment: number;
  acked: number;
  dropped: number;
}

/**
 * Sent-but-unconfirmed records of dropped segments held in memory for resending. Past these a full
 * spool counts them dropped though a collector may have stored them (drop accounting then
 * over-counts; it never under-counts).
 */
const MAX_ORPHANS = 10_000;
const MAX_ORPHAN_BYTES = 64 * 1024 * 1024;

const SEGMENT_RE = /^(\d{12})\.seg$/;
/** The `segment` of entries handed out from memory (records the disk would not take). */
const MEMORY = -1;

function parseLine(line: string): SpoolRecord | undefined {
  const tab = line.indexOf('\t');
  return tab > 0 ? { topic: line.slice(0, tab), payload: line.slice(tab + 1) } : undefined;
}

function splitRecords(text: string): SpoolRecord[] {
  const lines = text.split('\n');
  // Only newline-terminated lines are records: the last piece is empty, or a line cut short by a crash.
  lines.pop();
  const out: SpoolRecord[] = [];
  for (const line of lines) {
    const record = parseLine(line);
    if (record) out.push(record);
  }
  return out;
}

export class Spool {
  private segments: Segment[] = [];
  /** The segment appends go to; segments found at open are never appended to (one may end mid-line). */
  private writable: Segment | undefined;
  private next = 1;
  private totalBytes = 0;
  /** Messages dropped because the spool was full, since the spool was created. */
  dropped = 0;
  /**
   * Records of dropped segments that were already sent but not yet confirmed: the collector may
   * have them, so they are kept in memory (up to MAX_ORPHANS), sent again like any other
   * when needed, and count as dropped only if the agent stops before they are confirmed.
   */
  private readonly orphans = new Map<string, SpoolEntry | undefined>();
  private orphanBytes = 0;
  /** Orphans handed back for sending again: served before the segments. */
  private retry: SpoolEntry[] = [];
  private cursorWrite: Promise<void> = Promise.resolve();
  private cursorDirty = false;
  /** Serialises every file operation on segments, so a load never sees half an append. */
  private fileOps: Promise<void> = Promise.resolve();
  /** Records the disk refused, oldest first, not yet handed out; and those handed out, by id. */
  private memory: SpoolRecord[] = [];
  private memoryBytes = 0;
  private readonly memoryOut = new Map<number, SpoolRecord>();
  /** An append is writing `memory` to disk. */
  private writing = false;
  private nextMemoryId = 0;
  readonly fault: DiskFault;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly segmentBytes = Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor(maxBytes / 8))),
  ) {
    this.fault = new DiskFault('spool', logger, 'keeping telemetry in memory and retrying with every new message');
  }

  /** Unacknowledged messages (on disk or, during a disk fault, in memory). */
  get depth(): number {
    return this.segments.reduce((n, s) => n + s.count - s.acked - s.ackedAhead.size, 0) + this.unsaved;
  }

  /** Unacknowledged messages held only in memory because the disk refused them. */
  get unsaved(): number {
    return this.memory.length + this.memoryOut.size;
  }

  /** Runs a file operation after the previous ones; its failure is its own, not every later one's. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.fileOps.then(op);
    this.fileOps = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  async open(): Promise<void> {
    await ensurePrivateDir(this.dir);
    const cursor = await this.readCursor();
    this.dropped = cursor.dropped;
    const names = (await readdir(this.dir)).filter((f) => SEGMENT_RE.test(f)).sort();
    for (const name of names) {
      const n = Number(SEGMENT_RE.exec(name)![1]);
      const path = join(this.dir, name);
      if (n < cursor.segment) {
        // Fully acknowledged before the last stop; its deletion did not happen.
        await unlink(path).catch(() => {});
        continue;
      }
      const text = await readFile(path, 'utf8');
      const records = splitRecords(text);
      const acked = n === cursor.segment ? Math.min(cursor.acked, records.length) : 0;
      this.segments.push({ n, bytes: Buffer.byteLength(text), records, count: records.length, acked, sent: acked, published: acked, ackedAhead: new Set() });
      this.totalBytes += Buffer.byteLength(text);
      this.next = n + 1;
    }
    // Keep memory bounded: only the head segment stays loaded; the rest load when draining reaches them.
    for (const s of this.segments.slice(1)) s.records = undefined;
    if (this.depth > 0) this.logger.info({ spool: this.dir, messages: this.depth, bytes: this.totalBytes }, 'spool holds unsent telemetry from before; sending it first');
  }

  private async readCursor(): Promise<Cursor> {
    try {
      const c = JSON.parse(await readFile(join(this.dir, 'cursor.json'), 'utf8')) as Partial<Cursor>;
      if (Number.isInteger(c.segment) && Number.isInteger(c.acked)) return { segment: c.segment!, acked: c.acked!, dropped: Number(c.dropped) || 0 };
    } catch {
      // No cursor yet, or a damaged one: resend everything on disk (the collector's writes are idempotent).
    }
    return { segment: 0, acked: 0, dropped: 0 };
  }

  /**
   * Appends a message durably (in call order); never rejects. When the disk refuses it, the message
   * is kept in memory (see the file comment). Drops the oldest messages when over the bound.
   */
  append(record: SpoolRecord): Promise<void> {
    return this.serial(async () => {
      this.memory.push(record);
      this.memoryBytes += lineBytes(record);
      this.writing = true;
      try {
        // Oldest first, so the order on disk stays the order taken.
        while (this.memory.length > 0) {
          await this.writeRecord(this.memory[0]!);
          this.memoryBytes -= lineBytes(this.memory.shift()!);
        }
        this.fault.ok({ spool: this.dir });
      } catch (err) {
        this.fault.failed(err, { spool: this.dir, unsaved: this.unsaved });
      } finally {
        this.writing = false;
      }
      await this.enforceBound();
    });
  }

  private async writeRecord(record: SpoolRecord): Promise<void> {
    const line = `${record.topic}\t${record.payload}\n`;
    const bytes = Buffer.byteLength(line);
    let active = this.writable;
    const fresh = !active || active.bytes + bytes > this.segmentBytes;
    if (fresh) active = { n: this.next++, bytes: 0, records: [], count: 0, acked: 0, sent: 0, published: 0, ackedAhead: new Set() };
    const path = join(this.dir, segmentName(active!.n));
    try {
      await appendDurably(path, line);
      if (fresh) await syncDir(this.dir);
    } catch (err) {
      // Part of the line may be on disk: cut it off, and append to a new segment next time, so a
      // half-written record never runs into the next one.
      if (fresh) await unlink(path).catch(() => {});
      else await truncate(path, active!.bytes).catch(() => {});
      this.writable = undefined;
      throw err;
    }
    if (fresh) {
      // The full segment's records wait on disk unless draining is reading it now: during a
      // collector outage the backlog grows on disk, not in memory.
      if (this.writable && this.writable !== this.draining()) this.writable.records = undefined;
      this.segments.push(active!);
      this.writable = active;
    }
    active!.bytes += bytes;
    active!.count++;
    active!.records?.push(record);
    this.totalBytes += bytes;
  }

  private async enforceBound(): Promise<void> {
    // Records held in memory are the newest: they go only once no older segment is left to drop.
    while (this.totalBytes + this.memoryBytes > this.maxBytes && this.segments.length > 0 && (this.segments.length > 1 || this.memoryBytes > 0)) {
      const oldest = this.segments.shift()!;
      if (oldest === this.writable) this.writable = undefined;
      // Its sent records become orphans: read them back if they wait on disk.
      if (!oldest.records && oldest.published > oldest.acked) oldest.records = await this.readSegment(oldest.n).catch(() => undefined);
      // Never sent: lost for sure. Sent and unconfirmed: kept as orphans while memory allows.
      let lost = oldest.count - oldest.published;
      let inFlight = 0;
      for (let i = oldest.acked; i < oldest.published; i++) {
        if (oldest.ackedAhead.has(i)) continue;
        const record = oldest.records?.[i];
        const bytes = record ? record.topic.length + record.payload.length : 0;
        if (!record || this.orphans.size >= MAX_ORPHANS || this.orphanBytes + bytes > MAX_ORPHAN_BYTES) {
          lost++;
          continue;
        }
        const entry = { ...record, segment: oldest.n, index: i };
        this.orphans.set(`${oldest.n}:${i}`, entry);
        this.orphanBytes += bytes;
        // Not sent since a resend rewound the segment: send it from memory.
        if (i >= oldest.sent) this.retry.push(entry);
        inFlight++;
      }
      this.dropped += lost;
      this.totalBytes -= oldest.bytes;
      await unlink(join(this.dir, segmentName(oldest.n))).catch(() => {});
      this.logger.warn({ dropped: lost, in_flight: inFlight, dropped_total: this.dropped, max_bytes: this.maxBytes }, 'spool full: dropped the oldest unsent telemetry');
      this.markCursorDirty();
    }
    let lost = 0;
    while (this.memoryBytes > this.maxBytes && this.memory.length > 1) {
      this.memoryBytes -= lineBytes(this.memory.shift()!);
      lost++;
    }
    if (lost > 0) {
      this.dropped += lost;
      this.logger.warn({ dropped: lost, dropped_total: this.dropped, max_bytes: this.maxBytes }, 'spool full while the disk refuses writes: dropped the oldest telemetry held in memory');
    }
  }

  /** The next record not yet handed out, in order; undefined when all are out. */
  async take(): Promise<SpoolEntry | undefined> {
    const orphan = this.retry.shift();
    if (orphan) return orphan;
    // Re-scan after every await: segments may have been dropped or added meanwhile.
    for (;;) {
      const s = this.draining();
      if (!s) return this.takeFromMemory();
      if (!s.records) {
        await this.load(s);
        continue;
      }
      const index = s.sent++;
      s.published = Math.max(s.published, s.sent);
      const records = s.records;
      // All handed out: a resend reads the segment back from disk.
      if (s.sent === s.count && s !== this.writable) s.records = undefined;
      // Sent again from an earlier record (a resend): skip those already confirmed meanwhile.
      if (s.ackedAhead.has(index)) continue;
      const record = records[index];
      if (record) return { ...record, segment: s.n, index };
    }
  }

  /** The oldest segment with records not yet handed out: the only one whose records need be in memory (besides the writable one). */
  private draining(): Segment | undefined {
    return this.segments.find((x) => x.sent < x.count);
  }

  private async readSegment(n: number): Promise<SpoolRecord[]> {
    return splitRecords(await readFile(join(this.dir, segmentName(n)), 'utf8'));
  }

  /** Records the disk refused go out after everything on disk, which is older. */
  private takeFromMemory(): SpoolEntry | undefined {
    // A record being written right now is on its way to disk, not refused: take it from there.
    if (this.writing) return undefined;
    const record = this.memory.shift();
    if (!record) return undefined;
    this.memoryBytes -= lineBytes(record);
    const index = this.nextMemoryId++;
    this.memoryOut.set(index, record);
    return { ...record, segment: MEMORY, index };
  }

  private load(s: Segment): Promise<void> {
    return this.serial(async () => {
      s.records ??= await this.readSegment(s.n);
    });
  }

  /** Hands a record back for sending again (its publish failed before the broker had it). */
  giveBack(entry: SpoolRef): void {
    if (entry.segment === MEMORY) {
      const record = this.memoryOut.get(entry.index);
      if (record && this.memoryOut.delete(entry.index)) {
        this.memory.unshift(record);
        this.memoryBytes += lineBytes(record);
      }
      return;
    }
    const s = this.segments.find((x) => x.n === entry.segment);
    if (s && entry.index < s.sent) s.sent = Math.min(s.sent, entry.index);
    else if (!s) {
      const orphan = this.orphans.get(`${entry.segment}:${entry.index}`);
      if (orphan) this.retry.push(orphan);
    }
  }

  /** Marks a record acknowledged; finished segments are deleted and the cursor saved. */
  ack(entry: SpoolRef): void {
    if (entry.segment === MEMORY) {
      this.memoryOut.delete(entry.index);
      return;
    }
    const s = this.segments.find((x) => x.n === entry.segment);
    if (!s) this.forgetOrphan(`${entry.segment}:${entry.index}`);
    if (!s || entry.index < s.acked) return;
    s.ackedAhead.add(entry.index);
    while (s.ackedAhead.delete(s.acked)) s.acked++;
    while (this.segments.length > 0) {
      const head = this.segments[0]!;
      if (head.acked < head.count || head === this.writable) break;
      this.segments.shift();
      this.totalBytes -= head.bytes;
      void unlink(join(this.dir, segmentName(head.n))).catch(() => {});
    }
    this.markCursorDirty();
  }

  private markCursorDirty(): void {
    if (this.cursorDirty) return;
    this.cursorDirty = true;
    // Coalesce: one cursor write per tick however many acks arrived.
    this.cursorWrite = this.cursorWrite.then(() => new Promise<void>((r) => setImmediate(r))).then(() => this.writeCursor());
  }

  private async writeCursor(): Promise<void> {
    this.cursorDirty = false;
    const head = this.segments[0];
    const cursor: Cursor = head ? { segment: head.n, acked: head.acked, dropped: this.dropped } : { segment: this.next, acked: 0, dropped: this.dropped };
    try {
      await replaceDurably(join(this.dir, 'cursor.json'), JSON.stringify(cursor));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not save the spool cursor; acknowledged messages may be sent again after a restart');
    }
  }

  /** Waits for pending appends and the cursor. */
  async flush(): Promise<void> {
    await this.fileOps;
    await this.cursorWrite;
  }

  private forgetOrphan(key: string): void {
    const entry = this.orphans.get(key);
    if (!this.orphans.delete(key) || !entry) return;
    this.orphanBytes -= entry.topic.length + entry.payload.length;
    this.retry = this.retry.filter((e) => e !== entry);
  }

  /** At stop: unconfirmed records of dropped segments live only in memory, so they are lost. */
  async close(): Promise<void> {
    if (this.orphans.size > 0) {
      this.dropped += this.orphans.size;
      this.orphans.clear();
      this.orphanBytes = 0;
      this.retry = [];
      this.markCursorDirty();
    }
    await this.fileOps;
    // Held only in memory because the disk refused them: lost with the process.
    if (this.unsaved > 0) {
      this.logger.error({ lost: this.unsaved, reason: this.fault.reason }, 'stopping with telemetry the disk would not take; it is lost');
      this.dropped += this.unsaved;
      this.memory = [];
      this.memoryBytes = 0;
      this.memoryOut.clear();
      this.markCursorDirty();
    }
    await this.flush();
  }

  /** For tests and diagnostics: records held in memory (loaded segments, orphans, those the disk refused). */
  get recordsInMemory(): number {
    return this.segments.reduce((n, s) => n + (s.records?.length ?? 0), 0) + this.orphans.size + this.unsaved;
  }

  /** For tests and diagnostics: files in the spool directory with their sizes. */
  async files(): Promise<{ name: string; bytes: number }[]> {
    const names = (await readdir(this.dir)).sort();
    return Promise.all(names.map(async (name) => ({ name, bytes: (await stat(join(this.dir, name))).size })));
  }
}

function lineBytes(record: SpoolRecord): number {
  return Buffer.byteLength(record.topic) + Buffer.byteLength(record.payload) + 2;
}

function segmentName(n: number): string {
  return `${String(n).padStart(12, '0')}.seg`;
}
