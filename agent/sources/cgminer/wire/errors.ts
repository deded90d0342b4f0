/** Why talking to one miner failed, sorted into kinds the fleet counts and operators can act on. */

export const MINER_ERROR_KINDS = [
  'refused', // nothing listens: API disabled or wrong port
  'unreachable', // no route / host down
  'connect-timeout',
  'timeout', // connected but the reply did not finish in time (hung daemon)
  'closed', // the miner closed the connection before a complete reply
  'too-large',
  'malformed', // bytes arrived but could not be turned into JSON
  'api', // a well-formed error reply (STATUS "E", code != 0)
  'aborted', // the agent's cycle deadline passed
] as const;
export type MinerErrorKind = (typeof MINER_ERROR_KINDS)[number];

const TRANSPORT_KINDS: ReadonlySet<MinerErrorKind> = new Set(['refused', 'unreachable', 'connect-timeout', 'timeout', 'closed', 'too-large', 'aborted']);

export class MinerError extends Error {
  constructor(
    readonly kind: MinerErrorKind,
    message: string,
    /** The cgminer status code for `api` errors. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'MinerError';
  }

  /** A transport failure means the miner cannot be talked to now: sending more commands this cycle is pointless. */
  get transport(): boolean {
    return TRANSPORT_KINDS.has(this.kind);
  }
}

/** Anything thrown while polling, as a MinerError (unexpected errors are programming errors but must not escape a poll). */
export function asMinerError(error: unknown): MinerError {
  if (error instanceof MinerError) return error;
  return new MinerError('malformed', error instanceof Error ? error.message : String(error));
}
