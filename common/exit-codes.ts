/** Semantic exit codes (sysexits.h), so systemd and scripts can tell a bad config from a crash. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 64,
  UNAVAILABLE: 69,
  CONFIG: 78,
} as const;

/** Something the command needs is not there (a port taken, a service down): exit code 69. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
