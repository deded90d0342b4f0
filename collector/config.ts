/** collector.yaml: the stable config keys (docs/configuration.md), with defaults for a collector beside its broker. */
import { z } from 'zod';
import { MqttClientConfig } from '../common/mqtt.js';
import { Bytes, Duration } from '../common/units.js';
import { MAX_DEVICES_PER_MESSAGE, NAME_PATTERN } from '../protocol/index.js';
import { DEFAULT_LABEL_CAPS } from './metrics/label-cap.js';
import { EconomicsConfig, SiteEconomicsConfig } from './economics/config.js';
import { RetentionConfig } from './store/retention.js';

export const InfluxConfig = z
  .object({
    url: z.string().url('expected an http(s) URL like http://influx:8086').default('http://localhost:8086'),
    database: z.string().min(1).default('powersite'),
    username: z.string().optional(),
    password: z.string().optional(),
    password_file: z.string().optional(),
    /** A batch is written when it holds this many points or when flush_interval passes. */
    batch_points: z.number().int().min(1).max(100_000).default(5000),
    flush_interval: Duration.prefault('1s'),
    /** Unwritten points held in memory before the collector stops taking messages (back-pressure). */
    max_pending_points: z.number().int().min(1000).default(200_000),
    /** Batches written at once when there is a backlog; messages are still acknowledged in arrival order. */
    max_writes_in_flight: z.number().int().min(1).max(64).default(4),
    timeout: Duration.prefault('10s'),
    /** /healthz answers 503 once writes have failed for this long (acknowledgements are held meanwhile). */
    unhealthy_after: Duration.prefault('30s'),
    /** Retention policies and downsampling (raw → 1 minute → 1 hour), applied at start; false leaves the database alone. */
    retention: z.union([z.literal(false), RetentionConfig]).prefault({}),
    /** How often the site economics are written as the `economics` measurement. */
    economics_interval: Duration.prefault('60s').refine((ms) => ms >= 1000, 'must be at least 1s'),
  })
  .strict();
export type InfluxConfig = z.infer<typeof InfluxConfig>;

/** VictoriaMetrics (single node or a cluster's vminsert), written through its InfluxDB line-protocol endpoint. */
export const VictoriaConfig = z
  .object({
    /** Base of the /write endpoint: http://victoria:8428 (single node) or http://vminsert:8480/insert/0/influx (cluster). */
    url: z.string().url('expected an http(s) URL like http://victoria:8428'),
    username: z.string().optional(),
    password: z.string().optional(),
    password_file: z.string().optional(),
    timeout: Duration.prefault('10s'),
  })
  .strict();
export type VictoriaConfig = z.infer<typeof VictoriaConfig>;

export const CollectorMqttConfig = MqttClientConfig.extend({
  /** Members of one group share the telemetry (MQTT v5 / Mosquitto 2 `$share/<group>/...`). */
  share_group: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  /** Only this site's topics, or every site ('+'). */
  site: z.string().default('+'),
}).strict();
export type CollectorMqttConfig = z.infer<typeof CollectorMqttConfig>;

export const CollectorConfig = z
  .object({
    mqtt: CollectorMqttConfig.default(() => CollectorMqttConfig.parse({})),
    /** Absent: no history is written (the demo's default); metrics still work. */
    influx: InfluxConfig.optional(),
    /** A second store beside (or instead of) InfluxDB; batching follows the influx section's settings or their defaults. */
    victoriametrics: VictoriaConfig.optional(),
    http: z
      .object({
        /** Loopback unless told otherwise: /metrics and /healthz show revenue and margins. */
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9464),
        /** Prometheus web-config file (TLS, basic auth), as node_exporter's --web.config.file. */
        web_config_file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        max_message_bytes: Bytes.prefault('1MiB'),
        max_devices_per_message: z.number().int().min(1).max(MAX_DEVICES_PER_MESSAGE).default(MAX_DEVICES_PER_MESSAGE),
        /** Distinct site label values on /metrics; messages of further sites are still stored. */
        max_sites: z.number().int().min(1).default(DEFAULT_LABEL_CAPS.sites),
        /** Distinct miner `model` and `algorithm` label values on /metrics; more share "other" (their devices still count). */
        max_models: z.number().int().min(1).default(DEFAULT_LABEL_CAPS.models),
        max_algorithms: z.number().int().min(1).default(DEFAULT_LABEL_CAPS.algorithms),
        /** A sample timestamped further ahead of this collector's clock is counted and logged (the agent's clock is wrong). */
        max_clock_skew: Duration.prefault('2m'),
      })
      .strict()
      .prefault({}),
    /** A device is stale after this many of its intervals without a sample. */
    stale_intervals: z.number().min(1).default(3),
    economics: EconomicsConfig.prefault({}),
    /** Per-site settings that alerts compare against. */
    sites: z
      .record(
        z.string().regex(NAME_PATTERN, 'site names are 1-64 characters of A-Z a-z 0-9 _ . -'),
        z
          .object({
            contracted_power_mw: z.number().positive().optional(),
            margin_floor_usd_per_mwh: z.number().finite().optional(),
            /** The site's own energy market, adders, HPC contract or curtailment; other sections use `economics`. */
            economics: SiteEconomicsConfig.optional(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();
export type CollectorConfig = z.infer<typeof CollectorConfig>;
