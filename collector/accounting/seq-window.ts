/**
 * Which seqs of one agent were already counted, as sorted disjoint ranges [from, to]: an agent's
 * seqs arrive mostly in order, so thousands of messages take a few ranges. Bounded: seqs more than
 * `window` below the newest are forgotten, and a seq that far below means the agent lost its state
 * and counts from 0 again, so it starts a new history.
 */
export class SeqWindow {
  private ranges: [number, number][] = [];

  constructor(private readonly window: number) {}

  /** Records `seq`; false when it was already recorded (a redelivery). */
  add(seq: number): boolean {
    const newest = this.ranges.at(-1)?.[1];
    if (newest !== undefined && seq < newest - this.window) this.ranges = [];
    // Find the first range ending at or after seq - 1 (binary search: ranges are sorted).
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid]![1] < seq - 1) lo = mid + 1;
      else hi = mid;
    }
    const at = this.ranges[lo];
    if (at && at[0] <= seq && seq <= at[1]) return false;
    if (at && at[1] === seq - 1) {
      at[1] = seq;
      const next = this.ranges[lo + 1];
      if (next && next[0] === seq + 1) {
        at[1] = next[1];
        this.ranges.splice(lo + 1, 1);
      }
    } else if (at && at[0] === seq + 1) {
      at[0] = seq;
    } else {
      this.ranges.splice(lo, 0, [seq, seq]);
    }
    this.trim();
    return true;
  }

  private trim(): void {
    const floor = this.ranges.at(-1)![1] - this.window;
    while (this.ranges.length > 0 && this.ranges[0]![1] < floor) this.ranges.shift();
    const first = this.ranges[0];
    if (first && first[0] < floor) first[0] = floor;
  }

  /** Ranges held, for tests and the memory bound. */
  get size(): number {
    return this.ranges.length;
  }
}
