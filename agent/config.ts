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
    site: Name,
    host: Name.default(defaultHost),
    interval: Duration.prefault(10).refine((ms) => ms >= 100, 'must be at least 100ms'),
    /** Where seq and the energy counters live, so both survive restarts. */
    state_dir: z.string().default('/var/lib/powersite'),
    mqtt: MqttClientConfig.default(() => MqttClientConfig.parse({})),
    spool: z
      .object({
        dir: z.string().optional(),
        max_bytes: Bytes.prefault(512 * 1024 * 1024),
        /**
         * What releases a message from the spool: `collector` (a collector confirmed its points are
         * stored; survives a broker crash) or `broker` (its PUBACK, for brokers without powersite collectors).
         */
        release: z.enum(['collector', 'broker']).default('collector'),
        /** Published messages without a confirmation for this long are sent again. */
        confirm_timeout: Duration.prefault('60s'),
      })
      .strict()
      .prefault({}),
    /** Telemetry messages larger than this are split (one seq each). */
    max_message_bytes: Bytes.prefault(256 * 1024),
    sources: z.array(SourceConfig).min(1, 'list at least one source, e.g. "- { type: host }"'),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;
