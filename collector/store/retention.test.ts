import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  backfillStatements,
  continuousQueryStatements,
  ident,
  influxDuration,
  RetentionConfig,
  retentionPolicyStatements,
  tierRanges,
  tierTablePoints,
  type RetentionSettings,
} from './retention.js';

const settings: RetentionSettings = { database: 'powersite', ...RetentionConfig.parse({}) };

/** For tests about statements only: the tier table's points go nowhere. */
const noWrite = async (): Promise<void> => {};

describe('retention config', () => {
  it('defaults to raw 7 days, 1-minute 90 days, 1-hour 5 years, in milliseconds', () => {
    expect(RetentionConfig.parse({})).toEqual({ raw: 7 * 86_400_000, minute: 90 * 86_400_000, hour: 1825 * 86_400_000 });
    expect(RetentionConfig.parse({ raw: '2d', minute: '30d', hour: '365d' }).minute).toBe(30 * 86_400_000);
  });

  it('refuses tiers under an hour and tiers out of order, naming the key', () => {
    const short = RetentionConfig.safeParse({ raw: '30m' });
    expect(short.success).toBe(false);
    expect(short.error!.issues[0]).toMatchObject({ path: ['raw'], message: expect.stringMatching(/at least 1h/) });
    const order = RetentionConfig.safeParse({ raw: '100d', minute: '90d' });
    expect(order.success).toBe(false);
    expect(order.error!.issues[0]!.message).toMatch(/raw <= minute <= hour/);
    expect(RetentionConfig.safeParse({ weekly: '1d' }).success).toBe(false);
  });
});

describe('InfluxQL building blocks', () => {
  it('writes durations in the largest exact unit', () => {
    expect(influxDuration(7 * 86_400_000)).toBe('7d');
    expect(influxDuration(36 * 3_600_000)).toBe('36h');
    expect(influxDuration(90_000)).toBe('90s');
    expect(influxDuration(1500)).toBe('1500ms');
  });

  it('quotes identifiers, escaping quotes and backslashes', () => {
    expect(ident('powersite')).toBe('"powersite"');
    expect(ident('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});

describe('retention policies', () => {
  it('creates raw as the default policy, the tier table\'s policy kept forever, and alters with the same settings, shard groups sized as InfluxDB would', () => {
    const statements = retentionPolicyStatements({ database: 'ps', raw: 36 * 3_600_000, minute: 90 * 86_400_000, hour: 1825 * 86_400_000 });
    expect(statements).toEqual([
      {
        name: 'raw',
        create: 'CREATE RETENTION POLICY "raw" ON "ps" DURATION 36h REPLICATION 1 SHARD DURATION 1h DEFAULT',
        alter: 'ALTER RETENTION POLICY "raw" ON "ps" DURATION 36h REPLICATION 1 SHARD DURATION 1h DEFAULT',
      },
      {
        name: 'minute',
        create: 'CREATE RETENTION POLICY "minute" ON "ps" DURATION 90d REPLICATION 1 SHARD DURATION 1d',
        alter: 'ALTER RETENTION POLICY "minute" ON "ps" DURATION 90d REPLICATION 1 SHARD DURATION 1d',
      },
      {
        name: 'hour',
        create: 'CREATE RETENTION POLICY "hour" ON "ps" DURATION 1825d REPLICATION 1 SHARD DURATION 7d',
        alter: 'ALTER RETENTION POLICY "hour" ON "ps" DURATION 1825d REPLICATION 1 SHARD DURATION 7d',
      },
      {
        name: 'forever',
        create: 'CREATE RETENTION POLICY "forever" ON "ps" DURATION INF REPLICATION 1 SHARD DURATION 7d',
        alter: 'ALTER RETENTION POLICY "forever" ON "ps" DURATION INF REPLICATION 1 SHARD DURATION 7d',
      },
    ]);
  });
});

describe('tier table', () => {
  const DAY = 86_400_000;

  it('serves ranges up to 2 days from raw, up to 60 days from minute and longer ones from hour', () => {
    expect(tierRanges(RetentionConfig.parse({}))).toEqual([
      { rp: 'raw', start: 0, end: 2 * DAY },
      { rp: 'minute', start: 2 * DAY, end: 60 * DAY },
      { rp: 'hour', start: 60 * DAY, end: 2 ** 53 - 1 },
    ]);
  });

  it('never serves a range from a tier that keeps less of it', () => {
    expect(tierRanges(RetentionConfig.parse({ raw: '12h', minute: '30d', hour: '365d' }))).toEqual([
      { rp: 'raw', start: 0, end: 12 * 3_600_000 },
      { rp: 'minute', start: 12 * 3_600_000, end: 30 * DAY },
      { rp: 'hour', start: 30 * DAY, end: 2 ** 53 - 1 },
    ]);
    // minute kept no longer than raw serves nothing: a range over 2 days goes to hour.
    expect(tierRanges(RetentionConfig.parse({ raw: '2d', minute: '2d' }))[1]).toEqual({ rp: 'minute', start: 2 * DAY, end: 2 * DAY });
  });

  it('is one point per tier, tagged by its place, all at the epoch so that writing it again overwrites it', () => {
    expect(tierTablePoints(settings)).toEqual([
      { measurement: 'rp_config', tags: { idx: '1' }, fields: { rp: 'raw', start: 0, end: 2 * DAY }, timestamp: new Date(0) },
      { measurement: 'rp_config', tags: { idx: '2' }, fields: { rp: 'minute', start: 2 * DAY, end: 60 * DAY }, timestamp: new Date(0) },
      { measurement: 'rp_config', tags: { idx: '3' }, fields: { rp: 'hour', start: 60 * DAY, end: 2 ** 53 - 1 }, timestamp: new Date(0) },
    ]);
  });
});

describe('continuous queries', () => {
  const cqs = continuousQueryStatements(settings);

  it('downsample every measurement raw → minute and minute → hour', () => {
    expect(cqs.map((cq) => cq.name)).toEqual([
      ...['gpu', 'asic', 'host', 'meter', 'economics', 'power', 'site_power', 'agent_message'].map((m) => `powersite_minute_${m}`),
      ...['gpu', 'asic', 'host', 'meter', 'economics', 'power', 'site_power', 'agent_message'].map((m) => `powersite_hour_${m}`),
    ]);
  });

  it('keep field names, so dashboards read any tier with the same query', () => {
    const asic = cqs.find((cq) => cq.name === 'powersite_minute_asic')!;
    expect(asic.create).toBe(
      'CREATE CONTINUOUS QUERY "powersite_minute_asic" ON "powersite" RESAMPLE FOR 10m BEGIN SELECT ' +
        'last("up") AS "up", last("error") AS "error", mean("power_w") AS "power_w", last("energy_j") AS "energy_j", ' +
        'mean("utilization") AS "utilization", max("temp_c") AS "temp_c", mean("hashrate_hs") AS "hashrate_hs", ' +
        'mean("fan_rpm") AS "fan_rpm", last("uptime_s") AS "uptime_s", last("hw_errors") AS "hw_errors", ' +
        'last("shares_accepted") AS "shares_accepted", last("shares_rejected") AS "shares_rejected", ' +
        'max("mem_used_bytes") AS "mem_used_bytes", last("mem_total_bytes") AS "mem_total_bytes" ' +
        'INTO "powersite"."minute"."asic" FROM "powersite"."raw"."asic" GROUP BY time(1m), * END',
    );
    expect(asic.drop).toBe('DROP CONTINUOUS QUERY "powersite_minute_asic" ON "powersite"');
    const hourEconomics = cqs.find((cq) => cq.name === 'powersite_hour_economics')!;
    expect(hourEconomics.create).toContain('RESAMPLE FOR 2h BEGIN SELECT mean("power_w") AS "power_w", mean("revenue_usd_per_hour") AS "revenue_usd_per_hour"');
    expect(hourEconomics.create).toContain('INTO "powersite"."hour"."economics" FROM "powersite"."minute"."economics" GROUP BY time(1h), * END');
    expect(cqs.find((cq) => cq.name === 'powersite_minute_agent_message')!.create).toContain(
      'SELECT last("seq") AS "seq", mean("devices") AS "devices", last("interval_s") AS "interval_s", ' +
        'sum("mining_energy_j") AS "mining_energy_j", sum("mining_energy_cost_usd") AS "mining_energy_cost_usd", sum("mining_revenue_usd") AS "mining_revenue_usd", ' +
        'sum("hpc_energy_j") AS "hpc_energy_j", sum("hpc_energy_cost_usd") AS "hpc_energy_cost_usd", sum("hpc_revenue_usd") AS "hpc_revenue_usd" INTO',
    );
  });

  it('backfill runs the same selects over a time range, minute tier before hour tier', () => {
    const statements = backfillStatements(settings, 1_700_000_000_000, 1_700_003_600_000.5);
    expect(statements).toHaveLength(16);
    expect(statements[0]).toMatch(/^SELECT last\("up"\) AS "up", .* INTO "powersite"\."minute"\."gpu" FROM "powersite"\."raw"\."gpu" WHERE time >= 1700000000000ms AND time < 1700003600001ms GROUP BY time\(1m\), \*$/);
    expect(statements[15]).toMatch(/INTO "powersite"\."hour"\."agent_message" FROM "powersite"\."minute"\."agent_message" WHERE .* GROUP BY time\(1h\), \*$/);
  });
});

describe('applyRetention', () => {
  /** A fake InfluxDB that remembers policies and continuous queries the way 1.x does. */
  function fakeInflux() {
    const objects = new Map<string, string>();
    const log: string[] = [];
    const query = async (q: string): Promise<unknown> => {
      log.push(q);
      const create = /^CREATE (RETENTION POLICY|CONTINUOUS QUERY) ("[^"]+")/.exec(q);
      const other = /^(?:ALTER|DROP) (RETENTION POLICY|CONTINUOUS QUERY) ("[^"]+")/.exec(q);
      if (create) {
        const key = `${create[1]} ${create[2]}`;
        const existing = objects.get(key);
        if (existing !== undefined && existing !== q) throw new Error(`${create[1]!.toLowerCase()} already exists`);
        objects.set(key, q);
      } else if (other) {
        const key = `${other[1]} ${other[2]}`;
        if (q.startsWith('DROP')) objects.delete(key);
        else objects.set(key, q.replace(/^ALTER/, 'CREATE'));
      }
      return [];
    };
    return { query, log, objects };
  }

  it('creates everything once, then changes nothing when run again', async () => {
    const influx = fakeInflux();
    expect(await applyRetention(influx.query, settings, noWrite)).toEqual({ altered: [], replaced: [] });
    expect(influx.log[0]).toBe('CREATE DATABASE "powersite"');
    expect(influx.objects.size).toBe(4 + 16);
    influx.log.length = 0;
    expect(await applyRetention(influx.query, settings, noWrite)).toEqual({ altered: [], replaced: [] });
    expect(influx.log.filter((q) => !q.startsWith('CREATE'))).toEqual([]);
  });

  it('alters a policy whose duration changed', async () => {
    const influx = fakeInflux();
    await applyRetention(influx.query, settings, noWrite);
    influx.log.length = 0;
    expect(await applyRetention(influx.query, { ...settings, raw: 14 * 86_400_000 }, noWrite)).toEqual({ altered: ['raw'], replaced: [] });
    expect(influx.log).toContain('ALTER RETENTION POLICY "raw" ON "powersite" DURATION 14d REPLICATION 1 SHARD DURATION 1d DEFAULT');
  });

  it('replaces a continuous query whose definition changed', async () => {
    const influx = fakeInflux();
    influx.objects.set('CONTINUOUS QUERY "powersite_minute_gpu"', 'CREATE CONTINUOUS QUERY "powersite_minute_gpu" ON "powersite" BEGIN SELECT old END');
    const changes = await applyRetention(influx.query, settings, noWrite);
    expect(changes).toEqual({ altered: [], replaced: ['powersite_minute_gpu'] });
    const i = influx.log.indexOf('DROP CONTINUOUS QUERY "powersite_minute_gpu" ON "powersite"');
    expect(i).toBeGreaterThan(0);
    expect(influx.log[i + 1]).toMatch(/^CREATE CONTINUOUS QUERY "powersite_minute_gpu"/);
  });

  it('writes the tier table into the forever policy after creating it, at every run', async () => {
    const influx = fakeInflux();
    const writes: { after: number; points: unknown; options: unknown }[] = [];
    const write = async (points: unknown, options: unknown) => {
      writes.push({ after: influx.log.length, points, options });
    };
    await applyRetention(influx.query, settings, write);
    await applyRetention(influx.query, { ...settings, raw: 86_400_000 }, write);
    expect(writes.map((w) => w.options)).toEqual([
      { database: 'powersite', retentionPolicy: 'forever', precision: 'ms' },
      { database: 'powersite', retentionPolicy: 'forever', precision: 'ms' },
    ]);
    expect(influx.log.slice(0, writes[0]!.after)).toContain('CREATE RETENTION POLICY "forever" ON "powersite" DURATION INF REPLICATION 1 SHARD DURATION 7d');
    expect(writes[0]!.points).toEqual(tierTablePoints(settings));
    // The ranges follow the configuration the collector starts with.
    expect(writes[1]!.points).toEqual(tierTablePoints({ ...settings, raw: 86_400_000 }));
  });

  it('passes on a failed write of the tier table', async () => {
    const influx = fakeInflux();
    const failing = async () => {
      throw new Error('retention policy not found: forever');
    };
    await expect(applyRetention(influx.query, settings, failing)).rejects.toThrow(/retention policy not found/);
  });

  it('passes on any other error', async () => {
    const failing = async (q: string): Promise<unknown> => {
      if (q.startsWith('CREATE RETENTION')) throw new Error('unauthorized: admin privilege required');
      return [];
    };
    await expect(applyRetention(failing, settings, noWrite)).rejects.toThrow(/admin privilege/);
  });
});
