/** `powersite check-config`: validates without starting anything; exit 0 valid, 78 invalid. */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../common/config-file.js';
import { AgentConfig } from '../agent/config.js';
import { CollectorConfig } from '../collector/config.js';

export async function runCheckConfig(file: string, kind: 'agent' | 'collector' | undefined): Promise<void> {
  const which = kind ?? (await guessKind(file));
  const config = await loadConfig(which === 'agent' ? AgentConfig : CollectorConfig, file);
  const summary =
    which === 'agent'
      ? `agent for ${(config as AgentConfig).site}/${(config as AgentConfig).host} with ${(config as AgentConfig).sources.length} source(s)`
      : `collector subscribing at ${(config as CollectorConfig).mqtt.url}`;
  process.stdout.write(`${file}: valid ${which} configuration (${summary})\n`);
}

async function guessKind(file: string): Promise<'agent' | 'collector'> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch {
    // loadConfig reports unreadable files and YAML errors with the details.
    return 'agent';
  }
  if (doc && typeof doc === 'object' && ('sources' in doc || 'site' in doc)) return 'agent';
  if (doc && typeof doc === 'object' && ('influx' in doc || 'http' in doc || 'economics' in doc || 'limits' in doc)) return 'collector';
  throw new ConfigError(file, ['cannot tell whether this is an agent or a collector config; pass --kind agent or --kind collector']);
}
