/**
 * The consumers of a committed message (metrics, economics, the ledger) each run on their own: one
 * that throws costs that message's share of that consumer, counted by reason, never the process
 * and never the other consumers. The message itself is already stored and acknowledged.
 */
import { NonFiniteAmount } from '../metrics/finite.js';

export const COMMIT_FAILURE_REASONS = ['non_finite', 'error'] as const;
export type CommitFailureReason = (typeof COMMIT_FAILURE_REASONS)[number];

export type Consumer<M> = (message: M) => void;

export function commitFailureReason(err: unknown): CommitFailureReason {
  return err instanceof NonFiniteAmount ? 'non_finite' : 'error';
}

/** One consumer that runs every named consumer in turn, reporting (not throwing) each failure. */
export function guardConsumers<M>(
  consumers: Record<string, Consumer<M>>,
  onFailure: (consumer: string, reason: CommitFailureReason, err: unknown, message: M) => void,
): Consumer<M> {
  const entries = Object.entries(consumers);
  return (message) => {
    for (const [name, consume] of entries) {
      try {
        consume(message);
      } catch (err) {
        onFailure(name, commitFailureReason(err), err, message);
      }
    }
  };
}
