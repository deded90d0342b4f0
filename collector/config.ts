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
    url: z.string().url('expected an http(s) URL like http://influx:8086').default('http://localhost:8086').describe('InfluxDB 1.x HTTP API, e.g. http://influx:8086.'),
    database: z.string().min(1).default('powersite').describe('Database written to; created at start if missing (with its retention policies).'),
    username: z.string().optional().describe('InfluxDB user; it creates the database and retention policies at start, so it needs the rights for that.'),
    password: z.string().optional().describe('Prefer password_file or the POWERSITE_INFLUX_PASSWORD variable: config files get copied around.'),
    password_file: z.string().optional().describe('File holding the InfluxDB password, readable by the service user only.'),
    batch_points: z.number().int().min(1).max(100_000).default(5000).describe('A batch is written when it holds this many points or when flush_interval passes.'),
    flush_interval: Duration.prefault('1s').describe('A batch is written at least this often, full or not.'),
    max_pending_points: z.number().int().min(1000).default(200_000).describe('Unwritten points held in memory before the collector stops taking messages (back-pressure).'),
    max_writes_in_flight: z.number().int().min(1).max(64).default(4).describe('Batches written at once when there is a backlog; messages are still acknowledged in arrival order.'),
    timeout: Duration.prefault('10s').describe('Per write request; a write slower than this is retried.'),
    unhealthy_after: Duration.prefault('30s').describe('/healthz answers 503 once writes have failed for this long (acknowledgements are held meanwhile).'),
    retention: z.union([z.literal(false), RetentionConfig]).prefault({}).describe('Retention policies and downsampling (raw → 1 minute → 1 hour), applied at start; false leaves the database alone.'),
    economics_interval: Duration.prefault('60s').refine((ms) => ms >= 1000, 'must be at least 1s').describe('How often the site economics are written as the `economics` measurement.'),
  })
  .strict();
export type InfluxConfig = z.infer<typeof InfluxConfig>;

/** VictoriaMetrics (single node or a cluster's vminsert), written through its InfluxDB line-protocol endpoint. */
export const VictoriaConfig = z
  .object({
    url: z.string().url('expected an http(s) URL like http://victoria:8428').describe('Base of the /write endpoint: http://victoria:8428 (single node) or http://vminsert:8480/insert/0/influx (cluster).'),
    username: z.string().optional().describe('Basic-auth user of VictoriaMetrics (or the proxy in front of it).'),
    password: z.string().optional().describe('Prefer password_file or the POWERSITE_VICTORIAMETRICS_PASSWORD variable: config files get copied around.'),
    password_file: z.string().optional().describe('File holding the basic-auth password, readable by the service user only.'),
    timeout: Duration.prefault('10s').describe('Per write request; a write slower than this is retried.'),
  })
  .strict();
export type VictoriaConfig = z.infer<typeof VictoriaConfig>;

export const CollectorMqttConfig = MqttClientConfig.extend({
  share_group: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional().describe('Members of one group share the telemetry (MQTT v5 / Mosquitto 2 `$share/<group>/...`).'),
  site: z.string().default('+').describe("Only this site's topics, or every site ('+')."),
}).strict();
export type CollectorMqttConfig = z.infer<typeof CollectorMqttConfig>;

export const CollectorConfig = z
  .object({
    mqtt: CollectorMqttConfig.default(() => CollectorMqttConfig.parse({})),
    influx: InfluxConfig.optional().describe("Absent: no history is written (the demo's default); metrics still work."),
    victoriametrics: VictoriaConfig.optional().describe("A second store beside (or instead of) InfluxDB; batching follows the influx section's settings or their defaults."),
    http: z
      .object({
        host: z.string().default('127.0.0.1').describe('Loopback unless told otherwise: the site page, /metrics and /healthz show revenue and margins.'),
        port: z.number().int().min(0).max(65535).default(9464).describe('Port of the site page, /metrics and /healthz (0: any free port).'),
        web_config_file: z.string().min(1).optional().describe("Prometheus web-config file (TLS, basic auth), as node_exporter's --web.config.file."),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        max_message_bytes: Bytes.prefault('1MiB').describe('Larger telemetry messages are rejected (counted by reason) and not stored.'),
        max_devices_per_message: z.number().int().min(1).max(MAX_DEVICES_PER_MESSAGE).default(MAX_DEVICES_PER_MESSAGE).describe('Messages with more devices are rejected (counted by reason) and not stored.'),
        max_sites: z.number().int().min(1).default(DEFAULT_LABEL_CAPS.sites).describe('Distinct site label values on /metrics; messages of further sites are still stored.'),
        max_models: z.number().int().min(1).default(DEFAULT_LABEL_CAPS.models).describe('Distinct miner `model` and `algorithm` label values on /metrics; more share "other" (their devices still count).'),
        max_algorithms: z.number().int().min(1).default(DEFAULT_LABEL_CAPS.algorithms).describe('Distinct `algorithm` label values on /metrics; more share "other" (their devices still count).'),
        max_clock_skew: Duration.prefault('2m').describe("A sample timestamped further ahead of this collector's clock is counted and logged (the agent's clock is wrong)."),
      })
      .strict()
      .prefault({}),
    stale_intervals: z.number().min(1).default(3).describe('A device is stale after this many of its intervals without a sample.'),
    economics: EconomicsConfig.prefault({}),
    sites: z
      .record(
        z.string().regex(NAME_PATTERN, 'site names are 1-64 characters of A-Z a-z 0-9 _ . -'),
        z
          .object({
            contracted_power_mw: z.number().positive().optional(),
            margin_floor_usd_per_mwh: z.number().finite().optional(),
            economics: SiteEconomicsConfig.optional().describe("The site's own energy market, adders, HPC contract or curtailment; other sections use `economics`."),
          })
          .strict(),
      )
      .default({}).describe('Per-site settings that alerts compare against.'),
  })
  .strict();
export type CollectorConfig = z.infer<typeof CollectorConfig>;
