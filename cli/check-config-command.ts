/**
 * `powersite check-config`: validates without starting anything, then checks what would still
 * fail at run time on this machine (see check-config/checks.ts). Exit 0 valid (warnings printed),
 * 78 invalid. `--print` shows the effective config: the file with POWERSITE_* overrides, secrets masked.
 */
import { stringify } from 'yaml';
import { ConfigError, envName, keyPaths, readConfigDocument, validateConfig, withEnvOverrides } from '../common/config-file.js';
import { AgentConfig } from '../agent/config.js';
import { CollectorConfig } from '../collector/config.js';
import { agentFindings, collectorFindings, envFindings, type Finding } from './check-config/checks.js';
import { localMachine, lookupUser } from './check-config/machine.js';
import { UsageError } from './flags.js';

export interface CheckConfigOptions {
  kind?: 'agent' | 'collector';
  /** The user the service runs as (default: powersite where it exists, else the current user). */
  user?: string;
  /** Keys and values only: skip the checks against this machine (files, user, PATH). */
  schemaOnly?: boolean;
  print?: boolean;
}

export async function runCheckConfig(file: string, opts: CheckConfigOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const document = await readConfigDocument(file);
  const which = opts.kind ?? guessKind(file, document);
  const schema = which === 'agent' ? AgentConfig : CollectorConfig;
  const config = validateConfig(schema, document, file, { env });

  const findings: Finding[] = envFindings(env, keyPaths(schema).map(envName));
  let checkedAs = '';
  if (!opts.schemaOnly) {
    const user = await lookupUser(opts.user);
    if (!user) throw new UsageError(`--user: no user ${JSON.stringify(opts.user)} on this machine`);
    const machine = localMachine(user, env);
    checkedAs = ` (checked as user ${user.name})`;
    findings.push(...(which === 'agent' ? await agentFindings(config as AgentConfig, machine) : await collectorFindings(config as CollectorConfig, machine)));
  }
  for (const w of findings.filter((f) => f.level === 'warning')) process.stderr.write(`warning: ${file}: ${w.key}: ${w.message}\n`);
  const errors = findings.filter((f) => f.level === 'error');
  if (errors.length > 0) throw new ConfigError(`${file}${checkedAs}`, errors.map((e) => `${e.key}: ${e.message}`));

  if (opts.print) {
    const { doc, fromEnv } = withEnvOverrides(schema, document, env);
    process.stdout.write(`# ${file} with environment overrides (${fromEnv.size ? [...fromEnv.values()].join(', ') : 'none'}); secrets masked; keys not shown take their defaults\n`);
    process.stdout.write(stringify(masked(doc)));
    return;
  }
  const summary =
    which === 'agent'
      ? `agent for ${(config as AgentConfig).site}/${(config as AgentConfig).host} with ${(config as AgentConfig).sources.length} source(s)`
      : `collector subscribing at ${(config as CollectorConfig).mqtt.url}`;
  process.stdout.write(`${file}: valid ${which} configuration (${summary})${checkedAs}\n`);
}

/** Secret values (password, token, secret keys; credentials in URLs) replaced by "***". */
export function masked(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => masked(v));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, k)]));
  if (/(password|token|secret)$/i.test(key) && value !== undefined && value !== null) return '***';
  if (typeof value === 'string' && /^[a-z]+:\/\/[^/\s]*:[^/\s]*@/i.test(value)) return value.replace(/(:\/\/[^/:\s]*):[^@/\s]*@/, '$1:***@');
  return value;
}

function guessKind(file: string, doc: unknown): 'agent' | 'collector' {
  if (doc && typeof doc === 'object' && ('sources' in doc || 'site' in doc)) return 'agent';
  if (doc && typeof doc === 'object' && ('influx' in doc || 'http' in doc || 'economics' in doc || 'limits' in doc)) return 'collector';
  throw new ConfigError(file, ['cannot tell whether this is an agent or a collector config; pass --kind agent or --kind collector']);
}
