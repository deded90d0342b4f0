/** Keeps a long-running part alive until SIGINT/SIGTERM, then stops it cleanly (a second signal forces). */
import type { Logger } from '../common/logger.js';

export function stopOnSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop().then(
        () => resolve(),
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
