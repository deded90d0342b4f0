/** One pino logger configuration for every process; secrets are redacted wherever they appear. */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = ['password', '*.password', '*.*.password', 'token', '*.token', 'authorization', '*.authorization'];

export function createLogger(name: string, level = process.env.POWERSITE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' }, base: { name } });
}

/** A logger that drops everything, for tests and embedded use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
