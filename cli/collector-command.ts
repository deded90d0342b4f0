import { loadConfig } from '../common/config-file.js';
import { createLogger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { stopOnSignal } from './run-until-signal.js';

export async function runCollector(configFile: string | undefined): Promise<void> {
  const config = await loadConfig(CollectorConfig, configFile);
  const logger = createLogger('powersite-collector');
  const collector = new Collector(config, logger);
  await collector.start();
  await stopOnSignal(logger, () => collector.stop());
}
