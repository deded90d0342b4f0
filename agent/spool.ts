/**
 * The agent's on-disk store-and-forward queue. Every telemetry message is appended here before it
 * is published and forgotten only once the broker acknowledged it, so a broker outage, a network
 * cut or an agent restart loses nothing. Messages drain in the order they were taken.
 *
 * Layout: append-only segment files `NNNNNNNNNNNN.seg`, one record a line (`topic<TAB>payload`),
 * and `cursor.json` naming the first unacknowledged record. When the spool outgrows `maxBytes`
 * the oldest segment is dropped and its unacknowledged records are counted in `dropped`.
 */
import { appendFile, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';

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
  /** Acknowledged records past `acked` (acks can overtake each other within a window). */
  ackedAhead: Set<number>;
}

/** A record handed out for sending, with what `ack()` needs to find it again. */
export interface SpoolEntry extends SpoolRecord {
  segment: number;
  index: number;
}

interface Cursor {
  segment: number;
  acked: number;
  dropped: number;
}

const SEGMENT_RE = /^(\d{12})\.seg$/;

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
   * Records of dropped segments that were already in flight: MQTT may still deliver them, so they
   * count as dropped only if their publish fails or the agent stops before the broker acknowledges.
   */
  private readonly orphans = new Set<string>();
  private cursorWrite: Promise<void> = Promise.resolve();
  private cursorDirty = false;
  /** Serialises every file operation on segments, so a load never sees half an append. */
  private fileOps: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly segmentBytes = Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor(maxBytes / 8))),
  ) {}

  /** Unacknowledged messages (on disk), and their bytes. */
  get depth(): number {
    return this.segments.reduce((n, s) => n + s.count - s.acked - s.ackedAhead.size, 0);
  }

  get bytes(): number {
    return this.totalBytes;
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
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
      this.segments.push({ n, bytes: Buffer.byteLength(text), records, count: records.length, acked, sent: acked, ackedAhead: new Set() });
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

  /** Appends a message durably (in call order). Drops the oldest segment when over the bound. */
  append(record: SpoolRecord): Promise<void> {
    const line = `${record.topic}\t${record.payload}\n`;
    const bytes = Buffer.byteLength(line);
    this.fileOps = this.fileOps.then(async () => {
      let active = this.writable;
      if (!active || active.bytes + bytes > this.segmentBytes) {
        active = { n: this.next++, bytes: 0, records: [], count: 0, acked: 0, sent: 0, ackedAhead: new Set() };
        this.segments.push(active);
        this.writable = active;
      }
      await appendFile(join(this.dir, segmentName(active.n)), line);
      active.bytes += bytes;
      active.count++;
      active.records?.push(record);
      this.totalBytes += bytes;
      await this.enforceBound();
    });
    return this.fileOps;
  }

  private async enforceBound(): Promise<void> {
    while (this.totalBytes > this.maxBytes && this.segments.length > 1) {
      const oldest = this.segments.shift()!;
      if (oldest === this.writable) this.writable = undefined;
      const lost = oldest.count - oldest.sent;
      let inFlight = 0;
      for (let i = oldest.acked; i < oldest.sent; i++) {
        if (oldest.ackedAhead.has(i)) continue;
        this.orphans.add(`${oldest.n}:${i}`);
        inFlight++;
      }
      this.dropped += lost;
      this.totalBytes -= oldest.bytes;
      await unlink(join(this.dir, segmentName(oldest.n))).catch(() => {});
      this.logger.warn({ dropped: lost, in_flight: inFlight, dropped_total: this.dropped, max_bytes: this.maxBytes }, 'spool full: dropped the oldest unsent telemetry');
      this.markCursorDirty();
    }
  }

  /** The next record not yet handed out, in order; undefined when all are out. */
  async take(): Promise<SpoolEntry | undefined> {
    // Re-scan after every await: segments may have been dropped or added meanwhile.
    for (;;) {
      const s = this.segments.find((x) => x.sent < x.count);
      if (!s) return undefined;
      if (!s.records) {
        await this.load(s);
        continue;
      }
      const index = s.sent++;
      const record = s.records[index];
      if (record) return { ...record, segment: s.n, index };
    }
  }

  private load(s: Segment): Promise<void> {
    this.fileOps = this.fileOps.then(async () => {
      if (!s.records) s.records = splitRecords(await readFile(join(this.dir, segmentName(s.n)), 'utf8'));
    });
    return this.fileOps;
  }

  /** Hands a record back for sending again (its publish failed before the broker had it). */
  giveBack(entry: SpoolEntry): void {
    const s = this.segments.find((x) => x.n === entry.segment);
    if (s && entry.index < s.sent) s.sent = Math.min(s.sent, entry.index);
    else if (!s && this.orphans.delete(`${entry.segment}:${entry.index}`)) this.dropped++;
  }

  /** Marks a record acknowledged; finished segments are deleted and the cursor saved. */
  ack(entry: SpoolEntry): void {
    const s = this.segments.find((x) => x.n === entry.segment);
    if (!s) this.orphans.delete(`${entry.segment}:${entry.index}`);
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
    const tmp = join(this.dir, 'cursor.json.tmp');
    try {
      await writeFile(tmp, JSON.stringify(cursor));
      await rename(tmp, join(this.dir, 'cursor.json'));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not save the spool cursor; acknowledged messages may be sent again after a restart');
    }
  }

  /** Waits for pending appends and the cursor. */
  async flush(): Promise<void> {
    await this.fileOps;
    await this.cursorWrite;
  }

  /** At stop: in-flight records of dropped segments will never be sent again, so they are lost. */
  async close(): Promise<void> {
    if (this.orphans.size > 0) {
      this.dropped += this.orphans.size;
      this.orphans.clear();
      this.markCursorDirty();
    }
    await this.flush();
  }

  /** For tests and diagnostics: files in the spool directory with their sizes. */
  async files(): Promise<{ name: string; bytes: number }[]> {
    const names = (await readdir(this.dir)).sort();
    return Promise.all(names.map(async (name) => ({ name, bytes: (await stat(join(this.dir, name))).size })));
  }
}

function segmentName(n: number): string {
  return `${String(n).padStart(12, '0')}.seg`;
}
