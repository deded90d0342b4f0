import { createLogger } from '../common/logger.js';
import { startDemo, type RunningDemo } from '../demo/demo.js';
import { stopOnSignal } from './run-until-signal.js';

export interface DemoCommandOptions {
  port: number;
  mqttPort: number;
  /** Whether --mqtt-port was given: a port asked for must be had; the default may fall back. */
  mqttPortGiven: boolean;
  influx?: string;
  /** Milliseconds, checked by the flag parser. */
  interval: number;
  duration?: number;
}

export async function runDemo(opts: DemoCommandOptions): Promise<void> {
  const logger = createLogger('powersite-demo', process.env.POWERSITE_LOG_LEVEL ?? 'warn');
  // Signals are caught from the start: Ctrl-C while starting stops what has started, then exits.
  let demo: RunningDemo | undefined;
  let interrupted = false;
  const stopped = stopOnSignal(logger, async () => {
    interrupted = true;
    await demo?.stop();
  });
  demo = await startDemo({
    httpPort: opts.port,
    mqttPort: opts.mqttPort,
    mqttPortFallback: !opts.mqttPortGiven,
    influxUrl: opts.influx,
    intervalMs: opts.interval,
    summaryEveryMs: 5000,
    out: (line) => process.stdout.write(`${line}\n`),
    logger,
  });
  if (interrupted) await demo.stop();
  else {
    if (opts.duration !== undefined) setTimeout(() => process.kill(process.pid, 'SIGTERM'), opts.duration).unref();
    await stopped;
  }
  process.stdout.write('demo stopped\n');
}
