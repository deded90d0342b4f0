/** Semantic exit codes (sysexits.h), so systemd and scripts can tell a bad config from a crash. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 64,
  UNAVAILABLE: 69,
  NOPERM: 77,
  CONFIG: 78,
} as const;

/** Something the command needs is not there (a port taken, a service down): exit code 69. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/** The command needs rights this user lacks (installing without root): exit code 77. */
export class NoPermissionError extends Error {
  override name = 'NoPermissionError';
}
