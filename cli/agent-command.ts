import { loadConfig } from '../common/config-file.js';
import { createLogger } from '../common/logger.js';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { stopOnSignal } from './run-until-signal.js';

export async function runAgent(configFile: string | undefined): Promise<void> {
  const config = await loadConfig(AgentConfig, configFile);
  const logger = createLogger('powersite-agent');
  const agent = new Agent(config, { logger });
  await agent.start();
  agent.run();
  await stopOnSignal(logger, () => agent.stop());
}
