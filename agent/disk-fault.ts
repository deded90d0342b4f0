/**
 * Whether a part of the agent's disk state (spool, state file) can be written now, and why not: the
 * agent reports it in its retained status as `degraded`, and logs only the transitions, not every
 * failed write of a full disk.
 */
import type { Logger } from '../common/logger.js';

export class DiskFault {
  /** Why the last write failed ("spool: ENOSPC"), or undefined while writes succeed. */
  reason: string | undefined;
  /** Failed writes since the agent started. */
  failures = 0;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
    private readonly consequence: string,
  ) {}

  failed(err: unknown, context: Record<string, unknown> = {}): void {
    const e = err as NodeJS.ErrnoException;
    this.failures++;
    const reason = `${this.what}: ${e?.code ?? e?.message ?? String(err)}`.slice(0, 120);
    if (this.reason === undefined) this.logger.error({ ...context, err: e?.message ?? String(err), code: e?.code }, `${this.what} write failed; ${this.consequence}`);
    this.reason = reason;
  }

  ok(context: Record<string, unknown> = {}): void {
    if (this.reason === undefined) return;
    this.logger.info({ ...context, failed_writes: this.failures }, `${this.what} writes work again`);
    this.reason = undefined;
  }
}
