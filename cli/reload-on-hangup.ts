/**
 * SIGHUP re-reads the config file (systemd's `ExecReload=kill -HUP $MAINPID`): a file that does not
 * validate is logged, naming file and key, and the running config stays; keys the part can take
 * live are applied; every other changed key gets one line saying it needs a restart.
 */
import { changedKeys } from '../common/config-changes.js';
import { ConfigError } from '../common/config-file.js';
import type { Logger } from '../common/logger.js';

export interface Reloadable<C> {
  /** Reads and validates the file again; throws ConfigError when it is not valid. */
  load(): Promise<C>;
  current(): C;
  /** Top-level keys whose changes `apply` takes (a change below one counts as the key). */
  live: readonly string[];
  /** Applies the new config's live keys; called only when one of them changed. */
  apply(next: C, changed: string[]): Promise<void>;
}

/** Installs the handler; returns a function that removes it. */
export function reloadOnHangup<C>(logger: Logger, file: string | undefined, part: Reloadable<C>): () => void {
  let reloading = Promise.resolve();
  const onHangup = () => {
    // One reload at a time, in the order the signals came.
    reloading = reloading.then(() => reload(logger, file, part)).catch((err: unknown) => logger.error({ err }, 'config reload failed'));
  };
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}

async function reload<C>(logger: Logger, file: string | undefined, part: Reloadable<C>): Promise<void> {
  logger.info({ file: file ?? '(defaults and environment)' }, 'SIGHUP: reloading the config');
  let next: C;
  try {
    next = await part.load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger.error({ file: err.file, problems: err.problems }, `config not reloaded, the running config stays: ${err.message.replace(/\n\s*/g, ' ')}`);
    return;
  }
  const changed = changedKeys(part.current(), next);
  if (changed.length === 0) {
    logger.info('config reloaded: nothing changed');
    return;
  }
  const isLive = (key: string) => part.live.includes(key.split('.')[0]!);
  for (const key of changed.filter((k) => !isLive(k))) logger.warn({ key }, `${key} changed: restart to apply`);
  const live = changed.filter(isLive);
  if (live.length === 0) return;
  await part.apply(next, live);
  logger.info({ applied: live }, `config reloaded: applied ${live.join(', ')}`);
}
