/**
 * The line `powersite scan` keeps redrawing on a terminal, so a /16 (minutes of probing) is not
 * minutes of silence. Pure: the caller owns the clock and the stream.
 */

export interface ScanProgress {
  /** Addresses whose every port has been probed. */
  done: number;
  total: number;
  found: number;
  elapsedMs: number;
}

/** "1,024/65,536 addresses (1.6 %), 3 miners found, about 2m 10s left". */
export function progressLine(p: ScanProgress): string {
  const share = p.total === 0 ? 100 : (p.done / p.total) * 100;
  const parts = [`${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} addresses (${share.toFixed(1)} %)`, `${p.found} miner${p.found === 1 ? '' : 's'} found`];
  // No estimate from the opening burst: the first probes finish together at the timeout.
  if (p.done > 0 && p.done < p.total && p.elapsedMs >= 2000) parts.push(`about ${duration(((p.total - p.done) * p.elapsedMs) / p.done)} left`);
  return parts.join(', ');
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Redraws at most every `everyMs`, and always the last state; `finish` clears the line. */
export class ProgressRedraw {
  private lastAt = -Infinity;
  private width = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number,
    private readonly everyMs = 200,
  ) {}

  update(p: ScanProgress): void {
    const at = this.now();
    if (p.done < p.total && at - this.lastAt < this.everyMs) return;
    this.lastAt = at;
    const line = progressLine(p);
    // Pad over the previous, longer line instead of relying on an erase sequence.
    this.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }

  finish(): void {
    if (this.width > 0) this.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
}
