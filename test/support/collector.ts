/** An in-process collector for tests: loopback HTTP on a free port, silent logs, connected on return. */
import { silentLogger, type Logger } from '../../common/logger.js';
import { Collector } from '../../collector/collector.js';
import { CollectorConfig } from '../../collector/config.js';
import { eventually } from './metrics.js';

export async function startCollector(config: Record<string, unknown>, logger: Logger = silentLogger()): Promise<Collector> {
  const collector = new Collector(CollectorConfig.parse({ http: { host: '127.0.0.1', port: 0 }, ...config }), logger);
  await collector.start();
  await eventually(() => collector.connected);
  return collector;
}
