import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfig } from '../agent/config.js';
import { CollectorConfig } from '../collector/config.js';
import { ConfigError, envName, keyPaths, loadConfig } from './config-file.js';

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'powersite-config-'));
  const path = join(dir, 'config.yaml');
  await writeFile(path, text);
  return path;
}

async function problems(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config files', () => {
  it('maps key paths to environment variables', () => {
    expect(envName(['mqtt', 'url'])).toBe('POWERSITE_MQTT_URL');
    expect(envName(['mqtt', 'password_file'])).toBe('POWERSITE_MQTT_PASSWORD_FILE');
    const paths = keyPaths(AgentConfig).map((p) => p.join('.'));
    expect(paths).toContain('mqtt.url');
    expect(paths).toContain('spool.max_bytes');
    expect(paths).toContain('sources');
  });

  it('loads YAML with units and defaults', async () => {
    const config = await loadConfig(AgentConfig, await file('site: tx-1\nhost: gw-row12\ninterval: 30s\nspool: { max_bytes: 1GiB }\nsources:\n  - { type: nvidia }\n'), { env: {} });
    expect(config.interval).toBe(30_000);
    expect(config.spool.max_bytes).toBe(1024 ** 3);
    expect(config.max_message_bytes).toBe(256 * 1024);
    expect(config.mqtt.keepalive).toBe(30_000);
    expect(config.sources).toEqual([{ type: 'nvidia', workload: 'hpc', command: 'nvidia-smi', timeout: 5000 }]);
  });

  it('environment variables override file values, parsed as YAML scalars', async () => {
    const path = await file('site: tx-1\nmqtt: { url: mqtt://a:1883 }\nsources: [{ type: host }]\n');
    const config = await loadConfig(AgentConfig, path, { env: { POWERSITE_MQTT_URL: 'mqtts://broker:8883', POWERSITE_INTERVAL: '5s', POWERSITE_SITE: 'tx-2' } });
    expect(config.mqtt.url).toBe('mqtts://broker:8883');
    expect(config.interval).toBe(5000);
    expect(config.site).toBe('tx-2');
    const collector = await loadConfig(CollectorConfig, undefined, { env: { POWERSITE_HTTP_PORT: '9999', POWERSITE_INFLUX_URL: 'http://influx:8086' } });
    expect(collector.http.port).toBe(9999);
    expect(collector.influx?.database).toBe('powersite');
  });

  it('names the file, the key and what was expected', async () => {
    const path = await file('site: "tx 1"\ninterval: soon\nmqtt: { url: "broker:1883", pasword: x }\nsources:\n  - { type: nvidia, timeout: 2 }\n  - { type: quantum }\n');
    const err = (await loadConfig(AgentConfig, path, { env: {} }).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(path);
    const p = await problems(loadConfig(AgentConfig, path, { env: {} }));
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^site: must be 1-64 characters/),
        expect.stringMatching(/^interval: expected a duration like "10s"/),
        expect.stringMatching(/^mqtt\.url: expected a broker URL/),
        expect.stringMatching(/^mqtt\.pasword: unknown key \(did you mean "password"\?\)/),
        expect.stringMatching(/^sources\[1\]\.type: unknown source type "quantum"; expected one of: .*nvidia/),
      ]),
    );
  });

  it('says which environment variable carried a bad value', async () => {
    const p = await problems(loadConfig(CollectorConfig, undefined, { env: { POWERSITE_HTTP_PORT: 'eighty' } }));
    expect(p).toEqual([expect.stringMatching(/^http\.port: .*\(set by environment variable POWERSITE_HTTP_PORT\)$/)]);
  });

  it('reports YAML syntax errors with a line number, and unreadable files', async () => {
    expect(await problems(loadConfig(AgentConfig, await file('site: [unclosed\n'), { env: {} }))).toEqual([expect.stringMatching(/^not valid YAML at line \d+/)]);
    expect(await problems(loadConfig(AgentConfig, '/nonexistent/agent.yaml', { env: {} }))).toEqual(['cannot read the file (ENOENT)']);
  });

  it('requires at least one source and a site', async () => {
    const p = await problems(loadConfig(AgentConfig, await file('sources: []\n'), { env: {} }));
    expect(p).toEqual(expect.arrayContaining([expect.stringMatching(/^site: /), expect.stringMatching(/^sources: list at least one source/)]));
  });
});
