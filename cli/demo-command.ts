import { createLogger } from '../common/logger.js';
import { Duration } from '../common/units.js';
import { startDemo } from '../demo/demo.js';
import { stopOnSignal } from './run-until-signal.js';

export interface DemoCommandOptions {
  port: number;
  mqttPort: number;
  influx?: string;
  interval: string;
  duration?: string;
}

export async function runDemo(opts: DemoCommandOptions): Promise<void> {
  const logger = createLogger('powersite-demo', process.env.POWERSITE_LOG_LEVEL ?? 'warn');
  const demo = await startDemo({
    httpPort: opts.port,
    mqttPort: opts.mqttPort,
    influxUrl: opts.influx,
    intervalMs: Duration.parse(opts.interval),
    summaryEveryMs: 5000,
    out: (line) => process.stdout.write(`${line}\n`),
    logger,
  });
  const stopped = stopOnSignal(logger, () => demo.stop());
  if (opts.duration) {
    const timer = setTimeout(() => process.kill(process.pid, 'SIGTERM'), Duration.parse(opts.duration));
    timer.unref();
  }
  await stopped;
  process.stdout.write('demo stopped\n');
}
