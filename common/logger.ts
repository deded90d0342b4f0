/**
 * One pino logger configuration for every process; secrets are redacted wherever they appear.
 * JSON for the journal and log shippers; on a terminal, pino-pretty's readable lines with local
 * times (POWERSITE_LOG_FORMAT=json|pretty overrides the guess).
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const REDACT = ['password', '*.password', '*.*.password', 'token', '*.token', 'authorization', '*.authorization'];

export function createLogger(name: string, level = process.env.POWERSITE_LOG_LEVEL ?? 'info'): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' }, base: { name } };
  if (!prettyOutput()) return pino(options);
  // Imported statically, not loaded on demand: the single-file build must carry it (about 1 MB of
  // an agent's RSS, which the bench could not tell apart from noise).
  return pino(options, pretty({ colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname', singleLine: true, sync: true }));
}

/** Pretty on a terminal, JSON elsewhere (a pipe, a file, systemd's journal). */
function prettyOutput(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.POWERSITE_LOG_FORMAT === 'json') return false;
  if (env.POWERSITE_LOG_FORMAT === 'pretty') return true;
  return process.stdout.isTTY === true && env.JOURNAL_STREAM === undefined;
}

/** A logger that drops everything, for tests and embedded use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
