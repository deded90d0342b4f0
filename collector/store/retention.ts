/**
 * InfluxDB housekeeping: three retention policies (`raw`, `minute`, `hour`) and the continuous
 * queries that downsample raw → 1-minute → 1-hour. Building the InfluxQL is pure; applyRetention
 * runs it idempotently, so every collector may apply it at every start.
 *
 * Each rolled-up field keeps its name (`mean(power_w) AS power_w`), so a dashboard reads any tier
 * with the same query and only the retention policy changes with the time range. Which tier serves
 * which range is written into InfluxDB itself (`forever.rp_config`), where the dashboards' `rp`
 * variable looks it up for the range on screen.
 */
import type { IPoint, IWriteOptions } from 'influx';
import { z } from 'zod';
import { Duration } from '../../common/units.js';
import { DeviceKind, type NUMERIC_DEVICE_FIELDS } from '../../protocol/index.js';
import { ECONOMICS_MEASUREMENT } from './economics-points.js';
import { POWER_MEASUREMENT, SITE_POWER_MEASUREMENT } from './power-points.js';
import { AGENT_MEASUREMENT } from './points.js';
import { WORKLOADS } from '../state/live-state.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Finest first; `raw` is the database's default policy, so the collector's writes land in it. */
export const RETENTION_POLICIES = ['raw', 'minute', 'hour'] as const;
export type RetentionPolicy = (typeof RETENTION_POLICIES)[number];

/** `influx.retention` in collector.yaml: how long each tier is kept. */
export const RetentionConfig = z
  .object({
    raw: Duration.prefault('7d'),
    minute: Duration.prefault('90d'),
    hour: Duration.prefault('1825d'),
  })
  .strict()
  .superRefine((r, ctx) => {
    for (const tier of RETENTION_POLICIES) {
      // InfluxDB refuses retention policies shorter than one hour.
      if (r[tier] < HOUR_MS) ctx.addIssue({ code: 'custom', path: [tier], message: 'must be at least 1h (InfluxDB\'s shortest retention)' });
    }
    if (r.raw > r.minute || r.minute > r.hour) {
      ctx.addIssue({ code: 'custom', message: 'each tier summarises the one before, so keep raw <= minute <= hour' });
    }
  });
export type RetentionConfig = z.infer<typeof RetentionConfig>;

export interface RetentionSettings extends RetentionConfig {
  database: string;
}

type Rollup = 'mean' | 'max' | 'last' | 'sum';

/**
 * How each device field rolls up. The same function serves both stages (mean of means, max of
 * maxima, last of lasts, sum of sums), so an hour of minutes equals the hour of raw points for equal spacing.
 * Counters (energy, errors, shares) keep their last value so rates can still be taken from them.
 */
const DEVICE_ROLLUPS = {
  up: 'last',
  error: 'last',
  power_w: 'mean',
  energy_j: 'last',
  utilization: 'mean',
  temp_c: 'max',
  hashrate_hs: 'mean',
  fan_rpm: 'mean',
  uptime_s: 'last',
  hw_errors: 'last',
  shares_accepted: 'last',
  shares_rejected: 'last',
  mem_used_bytes: 'max',
  mem_total_bytes: 'last',
} as const satisfies Record<(typeof NUMERIC_DEVICE_FIELDS)[number] | 'up' | 'error', Rollup>;

/** The fields of economics-points.ts. */
const ECONOMICS_ROLLUPS = {
  power_w: 'mean',
  revenue_usd_per_hour: 'mean',
  revenue_usd_per_mwh: 'mean',
  energy_cost_usd_per_mwh: 'mean',
  margin_usd_per_mwh: 'mean',
  estimated_power_ratio: 'mean',
  next_halving_margin_usd_per_mwh: 'mean',
  // Amounts per interval: a bucket's amount is the sum of its intervals' (and sums across collectors).
  energy_j: 'sum',
  device_energy_j: 'sum',
  revenue_usd: 'sum',
  energy_cost_usd: 'sum',
} as const satisfies Record<string, Rollup>;

/** The fields of power-points.ts. */
const POWER_ROLLUPS = { power_w: 'mean', device_power_w: 'mean', measured_power_w: 'mean', reported_power_w: 'mean', estimated_power_w: 'mean' } as const satisfies Record<string, Rollup>;
const SITE_POWER_ROLLUPS = { it_power_w: 'mean', site_meter_w: 'mean', pue: 'mean', unaccounted_w: 'mean' } as const satisfies Record<string, Rollup>;

/** The message record, with its accounts (points.ts): a bucket's amount is the sum of its messages'. */
const AGENT_ROLLUPS = {
  seq: 'last',
  devices: 'mean',
  interval_s: 'last',
  ...Object.fromEntries(WORKLOADS.flatMap((w) => [`${w}_energy_j`, `${w}_energy_cost_usd`, `${w}_revenue_usd`].map((f) => [f, 'sum' as const]))),
} satisfies Record<string, Rollup>;

/** Every measurement the collector writes, with the rollup of each of its fields. */
export const DOWNSAMPLED_MEASUREMENTS: Readonly<Record<string, Readonly<Record<string, Rollup>>>> = {
  ...Object.fromEntries(DeviceKind.options.map((kind) => [kind, DEVICE_ROLLUPS])),
  [ECONOMICS_MEASUREMENT]: ECONOMICS_ROLLUPS,
  [POWER_MEASUREMENT]: POWER_ROLLUPS,
  [SITE_POWER_MEASUREMENT]: SITE_POWER_ROLLUPS,
  [AGENT_MEASUREMENT]: AGENT_ROLLUPS,
};

/** Each downsampling stage: the bucket, the tier it reads and writes, and how late data may arrive and still count. */
const STAGES = [
  { from: 'raw', into: 'minute', every: '1m', resampleFor: '10m' },
  { from: 'minute', into: 'hour', every: '1h', resampleFor: '2h' },
] as const;

/** A double-quoted InfluxQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Milliseconds as an InfluxQL duration literal in the largest unit that divides them exactly. */
export function influxDuration(ms: number): string {
  for (const [unit, size] of [['d', DAY_MS], ['h', HOUR_MS], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Holds the tier table: kept forever, and never the default, so no other write lands in it. */
export const TIER_TABLE_POLICY = 'forever';
export const TIER_TABLE_MEASUREMENT = 'rp_config';
export type PolicyName = RetentionPolicy | typeof TIER_TABLE_POLICY;

export interface PolicyStatements {
  name: PolicyName;
  create: string;
  /** Run when `create` fails because the policy exists with other settings. */
  alter: string;
}

/**
 * InfluxDB's own default shard-group duration for a retention period, written out so that an ALTER
 * to a shorter period never leaves shards longer than the policy (which InfluxDB refuses).
 */
function shardDuration(ms: number): number {
  if (ms < 2 * DAY_MS) return HOUR_MS;
  if (ms <= 180 * DAY_MS) return DAY_MS;
  return 7 * DAY_MS;
}

function policyStatements(database: string, name: PolicyName, duration: string, shardMs: number, isDefault: boolean): PolicyStatements {
  const spec = `ON ${ident(database)} DURATION ${duration} REPLICATION 1 SHARD DURATION ${influxDuration(shardMs)}${isDefault ? ' DEFAULT' : ''}`;
  return { name, create: `CREATE RETENTION POLICY ${ident(name)} ${spec}`, alter: `ALTER RETENTION POLICY ${ident(name)} ${spec}` };
}

export function retentionPolicyStatements(settings: RetentionSettings): PolicyStatements[] {
  return [
    ...RETENTION_POLICIES.map((name) => policyStatements(settings.database, name, influxDuration(settings[name]), shardDuration(settings[name]), name === 'raw')),
    // 7 days is InfluxDB's own shard-group duration for an infinite policy.
    policyStatements(settings.database, TIER_TABLE_POLICY, 'INF', 7 * DAY_MS, false),
  ];
}

/**
 * The widest time range a tier serves before the next coarser one takes over: beyond two days raw
 * points are more than a panel can show, beyond 60 days so are minutes.
 */
const SERVES_UP_TO = { raw: 2 * DAY_MS, minute: 60 * DAY_MS } as const;

/** A tier serves the time ranges whose width in ms is over `start` and at most `end`. */
export interface TierRange {
  rp: RetentionPolicy;
  start: number;
  end: number;
}

/** Which tier serves which range: never a range longer than the tier keeps, and `hour` beyond `minute`. */
export function tierRanges(retention: RetentionConfig): TierRange[] {
  const rawEnd = Math.min(SERVES_UP_TO.raw, retention.raw);
  const minuteEnd = Math.min(SERVES_UP_TO.minute, retention.minute);
  return [
    { rp: 'raw', start: 0, end: rawEnd },
    { rp: 'minute', start: rawEnd, end: minuteEnd },
    { rp: 'hour', start: minuteEnd, end: Number.MAX_SAFE_INTEGER },
  ];
}

/**
 * The tier table the dashboards' `rp` variable reads: one point per tier, all at the epoch, so
 * writing it again overwrites it. As node-influx writes untyped numbers, `start` and `end` are float
 * fields; whole milliseconds up to 2^53 are exact in them.
 */
export function tierTablePoints(retention: RetentionConfig): IPoint[] {
  return tierRanges(retention).map((range, i) => ({
    measurement: TIER_TABLE_MEASUREMENT,
    tags: { idx: String(i + 1) },
    fields: { ...range },
    // A Date: node-influx drops a timestamp of 0 and writes the server's time instead.
    timestamp: new Date(0),
  }));
}

/** The SELECT … INTO of one stage for one measurement, with an optional WHERE (for backfills). */
function rollupSelect(database: string, stage: (typeof STAGES)[number], measurement: string, where = ''): string {
  const fields = Object.entries(DOWNSAMPLED_MEASUREMENTS[measurement]!)
    .map(([field, rollup]) => `${rollup}(${ident(field)}) AS ${ident(field)}`)
    .join(', ');
  const db = ident(database);
  return (
    `SELECT ${fields} INTO ${db}.${ident(stage.into)}.${ident(measurement)} FROM ${db}.${ident(stage.from)}.${ident(measurement)}` +
    `${where} GROUP BY time(${stage.every}), *`
  );
}

export interface ContinuousQueryStatements {
  name: string;
  create: string;
  drop: string;
}

export function continuousQueryStatements(settings: RetentionSettings): ContinuousQueryStatements[] {
  const db = ident(settings.database);
  return STAGES.flatMap((stage) =>
    Object.keys(DOWNSAMPLED_MEASUREMENTS).map((measurement) => {
      const name = `powersite_${stage.into}_${measurement}`;
      return {
        name,
        create: `CREATE CONTINUOUS QUERY ${ident(name)} ON ${db} RESAMPLE FOR ${stage.resampleFor} BEGIN ${rollupSelect(settings.database, stage, measurement)} END`,
        drop: `DROP CONTINUOUS QUERY ${ident(name)} ON ${db}`,
      };
    }),
  );
}

/**
 * The continuous queries' work done by hand for [fromMs, toMs): after history was imported or
 * arrived later than the resample window, or before the first continuous-query run. Minute first,
 * since the hour stage reads the minute tier.
 */
export function backfillStatements(settings: RetentionSettings, fromMs: number, toMs: number): string[] {
  const where = ` WHERE time >= ${Math.floor(fromMs)}ms AND time < ${Math.ceil(toMs)}ms`;
  return STAGES.flatMap((stage) =>
    Object.keys(DOWNSAMPLED_MEASUREMENTS).map((measurement) => rollupSelect(settings.database, stage, measurement, where)),
  );
}

/** InfluxDB 1.x answers a CREATE that differs from what exists with "... already exists". */
const EXISTS = /already exists|conflicts with an existing/i;

export interface RetentionChanges {
  /** Policies whose duration or default flag changed. */
  altered: PolicyName[];
  /** Continuous queries whose definition changed (dropped and created again). */
  replaced: string[];
}

/**
 * Creates the database, the policies and the continuous queries, changing only what differs, and
 * writes the tier table. `query` runs one InfluxQL statement and rejects when InfluxDB reports an
 * error (with node-influx: `(q) => influx.query(q, { method: 'POST' })`); `write` writes points
 * (with node-influx: `(points, options) => influx.writePoints(points, options)`).
 */
export async function applyRetention(
  query: (influxql: string) => Promise<unknown>,
  settings: RetentionSettings,
  write: (points: IPoint[], options: IWriteOptions) => Promise<void>,
): Promise<RetentionChanges> {
  const changes: RetentionChanges = { altered: [], replaced: [] };
  // CREATE is a no-op when an identical object exists and fails when it differs.
  const createOr = async (create: string, onExists: () => Promise<void>): Promise<void> => {
    try {
      await query(create);
    } catch (err) {
      if (!EXISTS.test(err instanceof Error ? err.message : String(err))) throw err;
      await onExists();
    }
  };
  await query(`CREATE DATABASE ${ident(settings.database)}`);
  for (const policy of retentionPolicyStatements(settings)) {
    await createOr(policy.create, async () => {
      await query(policy.alter);
      changes.altered.push(policy.name);
    });
  }
  for (const cq of continuousQueryStatements(settings)) {
    await createOr(cq.create, async () => {
      await query(cq.drop);
      await query(cq.create);
      changes.replaced.push(cq.name);
    });
  }
  await write(tierTablePoints(settings), { database: settings.database, retentionPolicy: TIER_TABLE_POLICY, precision: 'ms' });
  return changes;
}
