/**
 * The confirmations a collector owes its agents: the seqs of each host it has stored (or handled
 * for good), batched per host and sent a few times a second, so an agent releases a message from
 * its spool only once the collector has it. Pure: the collector publishes what `drain` returns.
 */
import { confirmTopic, MAX_CONFIRM_RANGES, seqRanges, type Confirmation } from '../../protocol/index.js';

/** Hosts with confirmations owed, at most: past it the oldest host's are dropped (its agent resends). */
const MAX_HOSTS = 100_000;

export class Confirmations {
  private owed = new Map<string, { site: string; host: string; seqs: number[] }>();

  add(site: string, host: string, seq: number): void {
    const key = `${site}/${host}`;
    let entry = this.owed.get(key);
    if (!entry) {
      if (this.owed.size >= MAX_HOSTS) this.owed.delete(this.owed.keys().next().value!);
      this.owed.set(key, (entry = { site, host, seqs: [] }));
    }
    entry.seqs.push(seq);
  }

  /** What to publish now, one message per host (split when it has more ranges than one may hold). */
  drain(): { topic: string; payload: string }[] {
    const out: { topic: string; payload: string }[] = [];
    for (const { site, host, seqs } of this.owed.values()) {
      const ranges = seqRanges(seqs);
      for (let i = 0; i < ranges.length; i += MAX_CONFIRM_RANGES) {
        const body: Confirmation = { v: 1, seqs: ranges.slice(i, i + MAX_CONFIRM_RANGES) };
        out.push({ topic: confirmTopic(site, host), payload: JSON.stringify(body) });
      }
    }
    this.owed = new Map();
    return out;
  }
}
