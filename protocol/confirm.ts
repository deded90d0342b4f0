/**
 * Delivery confirmations: a collector tells an agent which of its seqs are stored, so the agent
 * releases them from its spool only then (not on the broker's PUBACK, which a broker crash can
 * undo). Published by collectors on `powersite/v1/<site>/<host>/confirm`, QoS 1, not retained;
 * only that host may read it and only collectors may write it (deploy/mosquitto/acl).
 */
import { z } from 'zod';
import { TOPIC_ROOT } from './topics.js';

/** Ranges per confirmation: a collector batches a host's stored seqs into [from, to] ranges. */
export const MAX_CONFIRM_RANGES = 10_000;

const SeqRange = z
  .tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
  .refine(([from, to]) => from <= to, 'a range runs from its first seq to its last');

export const Confirmation = z.object({
  v: z.literal(1),
  /** Seqs whose points are stored (or that the collector handled for good: rejected, refused). */
  seqs: z.array(SeqRange).min(1).max(MAX_CONFIRM_RANGES),
});
export type Confirmation = z.infer<typeof Confirmation>;

export function confirmTopic(site: string, host: string): string {
  return `${TOPIC_ROOT}/${site}/${host}/confirm`;
}

/** Sorted seqs as [from, to] ranges of consecutive numbers. */
export function seqRanges(seqs: Iterable<number>): [number, number][] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}
