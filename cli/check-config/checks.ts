/**
 * What a valid config can still get wrong at run time, found before the service starts: files the
 * service user cannot read, an MQTT user name the broker ACL will not let publish as this host,
 * TLS half set up, source timeouts no cycle can hold, missing GPU tools, unknown POWERSITE_* variables.
 * Errors stop check-config with exit 78; warnings are printed and pass.
 */
import type { AgentConfig } from '../../agent/config.js';
import type { CollectorConfig } from '../../collector/config.js';
import { closest } from '../../common/did-you-mean.js';
import { ENV_PREFIX } from '../../common/config-file.js';
import type { Machine } from './machine.js';

export interface Finding {
  level: 'error' | 'warning';
  /** The key path, as config errors name keys. */
  key: string;
  message: string;
}

/** Keys that name a file the service reads: TLS material and *_file secrets. */
const FILE_KEY = /^(ca|cert|key)$|_file$/;

/** Every file the config names, with its key path. */
export function namedFiles(config: unknown, path = ''): { key: string; file: string }[] {
  if (Array.isArray(config)) return config.flatMap((v, i) => namedFiles(v, `${path}[${i}]`));
  if (typeof config !== 'object' || config === null) return [];
  return Object.entries(config).flatMap(([k, v]) => {
    const key = path ? `${path}.${k}` : k;
    return typeof v === 'string' && FILE_KEY.test(k) ? [{ key, file: v }] : namedFiles(v, key);
  });
}

async function fileFindings(config: unknown, machine: Machine): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const { key, file } of namedFiles(config)) {
    const why = await machine.unreadable(file);
    if (why) out.push({ level: 'error', key, message: `${file}: ${why}; the service runs as ${machine.user.name} and would stop at start-up` });
  }
  return out;
}

function tlsFindings(mqtt: { url: string; ca?: string | undefined }): Finding[] {
  const tls = /^(mqtts|wss|tls):/.test(mqtt.url);
  if (tls && mqtt.ca === undefined) return [{ level: 'warning', key: 'mqtt.ca', message: `${mqtt.url.split('://')[0]}:// without mqtt.ca trusts the system CAs only: a broker certificate from a private CA is refused (set mqtt.ca to that CA's PEM file)` }];
  if (!tls && mqtt.ca !== undefined) return [{ level: 'warning', key: 'mqtt.ca', message: `mqtt.ca is set but ${mqtt.url} is not TLS: the CA is unused and the password crosses the network in clear (use mqtts://)` }];
  return [];
}

export async function agentFindings(config: AgentConfig, machine: Machine): Promise<Finding[]> {
  const out = await fileFindings(config, machine);
  out.push(...tlsFindings(config.mqtt));
  const { username } = config.mqtt;
  if (username !== undefined && username !== config.host) {
    out.push({
      level: 'error',
      key: 'mqtt.username',
      message:
        `"${username}" is not this agent's host "${config.host}": the broker ACL (deploy/mosquitto/acl) lets a host publish only under its own user name, ` +
        `and Mosquitto drops refused messages without telling the client; set host: ${username} or mqtt.username: ${config.host}`,
    });
  }
  for (const [i, source] of config.sources.entries()) {
    const s = source as unknown as Record<string, unknown>;
    for (const k of ['timeout', 'connect_timeout']) {
      const ms = s[k];
      if (typeof ms === 'number' && ms >= config.interval) {
        out.push({ level: 'error', key: `sources[${i}].${k}`, message: `${ms / 1000}s is not shorter than interval ${config.interval / 1000}s: one slow read would hold up every cycle` });
      }
    }
    if (typeof s.command === 'string' && !(await machine.runnable(s.command))) {
      out.push({ level: 'error', key: `sources[${i}].command`, message: `${s.command} is not installed or not on PATH: the ${String(s.type)} source would fail every cycle (install it, or set command: to its full path)` });
    }
  }
  return out;
}

export async function collectorFindings(config: CollectorConfig, machine: Machine): Promise<Finding[]> {
  return [...(await fileFindings(config, machine)), ...tlsFindings(config.mqtt)];
}

/** Variables outside the process's own settings that start with POWERSITE_: a typo is silently ignored at run time. */
const OTHER_VARIABLES = ['POWERSITE_CONFIG', 'POWERSITE_LOG_LEVEL'];

export function envFindings(env: NodeJS.ProcessEnv, known: readonly string[]): Finding[] {
  const all = new Set([...known, ...OTHER_VARIABLES]);
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !all.has(name) && env[name] !== '')
    .map((name) => {
      const hint = closest(name, all);
      return { level: 'error' as const, key: name, message: `unknown environment variable, ignored by the service${hint ? ` (did you mean ${hint}?)` : ''}` };
    });
}
