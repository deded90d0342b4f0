/** agent.yaml: the stable config keys (docs/configuration.md), with defaults that run on a plain GPU host. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { MqttClientConfig } from '../common/mqtt.js';
import { Bytes, Duration } from '../common/units.js';
import { NAME_PATTERN, Name } from '../protocol/index.js';
import { SourceConfig } from './sources/registry.js';

/** Hostnames may carry characters that are not valid topic levels ("gpu01.dc1.example.com" is fine, "gpu 01" is not). */
export function defaultHost(): string {
  const h = hostname().split('.')[0] ?? 'host';
  return NAME_PATTERN.test(h) ? h : h.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'host';
}

export const AgentConfig = z
  .object({
    site: Name.describe('Site name: the first topic level and the `site` label; the same on every agent of the site.'),
    host: Name.default(defaultHost).describe('This agent\'s name within the site (topic level and `host` label); must match its MQTT username under the shipped ACL.'),
    interval: Duration.prefault(10).refine((ms) => ms >= 100, 'must be at least 100ms').describe('How often every source is read and a telemetry message published (at least 100ms).'),
    state_dir: z.string().default('/var/lib/powersite').describe('Where seq and the energy counters live, so both survive restarts.'),
    mqtt: MqttClientConfig.default(() => MqttClientConfig.parse({})),
    spool: z
      .object({
        dir: z.string().optional().describe('Where messages wait until they are released; default `<state_dir>/spool`.'),
        max_bytes: Bytes.prefault(512 * 1024 * 1024).describe('Disk the spool may use; past it the oldest messages are dropped (and counted).'),
        release: z.enum(['collector', 'broker']).default('collector').describe('What releases a message from the spool: `collector` (a collector confirmed its points are stored; survives a broker crash) or `broker` (its PUBACK, for brokers without powersite collectors).'),
        confirm_timeout: Duration.prefault('60s').describe('Published messages without a confirmation for this long are sent again; while no collector confirms anything, the wait doubles each round (up to 16 times), and the first confirmation resets it.'),
      })
      .strict()
      .prefault({}),
    max_message_bytes: Bytes.prefault(256 * 1024).describe('Telemetry messages larger than this are split (one seq each).'),
    sources: z.array(SourceConfig).min(1, 'list at least one source, e.g. "- { type: host }"').describe('What this agent reads: one entry per source, each with a `type` (see Sources below).'),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;
