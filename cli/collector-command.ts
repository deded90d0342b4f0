import { loadConfig } from '../common/config-file.js';
import { createLogger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { reloadOnHangup } from './reload-on-hangup.js';
import { stopOnSignal } from './run-until-signal.js';

export async function runCollector(configFile: string | undefined): Promise<void> {
  const config = await loadConfig(CollectorConfig, configFile);
  const logger = createLogger('powersite-collector');
  const collector = new Collector(config, logger);
  await collector.start();
  // Nothing of the collector's config is taken live yet (economics, stores and limits are wired
  // into its parts at start): a reload validates the file and names each change that needs a restart.
  reloadOnHangup(logger, configFile, { load: () => loadConfig(CollectorConfig, configFile), current: () => config, live: [], apply: async () => {} });
  await stopOnSignal(logger, () => collector.stop());
}
