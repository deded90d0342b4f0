// InfluxDB housekeeping against a real influxd, through node-influx as the collector calls it:
// retention policies and continuous queries applied idempotently, changes applied, the tier table
// from which the dashboards' `rp` variable picks the tier for the time range, and the rollups
// computing what the dashboards expect from each tier (the economics history panels' own queries included).
import { InfluxDB, type IPoint, type IWriteOptions } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention, backfillStatements, RETENTION_POLICIES, RetentionConfig, type RetentionSettings } from '../collector/store/retention.js';
import { dashboardQueries } from '../dashboards/queries.js';
import { startInflux, type InfluxHandle } from './harness/index.js';

const DB = 'powersite_retention';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const settings: RetentionSettings = { database: DB, ...RetentionConfig.parse({}) };
let influx: InfluxHandle;
let query: (q: string) => Promise<unknown>;
let write: (points: IPoint[], options: IWriteOptions) => Promise<void>;
const apply = (s: RetentionSettings) => applyRetention(query, s, write);

beforeAll(async () => {
  influx = await startInflux();
  const client = new InfluxDB({ host: '127.0.0.1', port: influx.port, database: DB });
  query = (q) => client.query(q, { method: 'POST' });
  write = (points, options) => client.writePoints(points, options);
});

afterAll(async () => {
  await influx?.stop();
});

const policies = async () =>
  (await influx.rows('', `SHOW RETENTION POLICIES ON "${DB}"`)).map((r) => [r.name, r.duration, r.default]);
/** The tier each dashboard's `rp` variable picks when Grafana shows the `widthMs` up to now. */
const tiersFor = async (widthMs: number) => {
  const now = Date.now();
  const variables = dashboardQueries({ __from: String(now - widthMs), __to: String(now) }).filter((q) => q.source === 'variable rp');
  expect(variables.map((q) => q.dashboard)).toEqual(['economics.json', 'gpu-hpc.json', 'mining-fleet.json']);
  const picked = await Promise.all(variables.map(async (q) => (await influx.rows(DB, q.query)).map((row) => row.rp)));
  // One answer, the same on every dashboard.
  expect(new Set(picked.map((p) => JSON.stringify(p))).size).toBe(1);
  return picked[0];
};
const continuousQueries = async () => {
  const [result] = await influx.query('', 'SHOW CONTINUOUS QUERIES');
  return new Map((result?.series?.find((s) => s.name === DB)?.values ?? []).map(([name, text]) => [name as string, text as string]));
};

describe('applyRetention on a real InfluxDB', () => {
  it('creates the database, three tiers with raw as default, the tier table\'s policy and sixteen continuous queries (eight measurements × two stages)', async () => {
    expect(await apply(settings)).toEqual({ altered: [], replaced: [] });
    expect(await policies()).toEqual([
      ['autogen', '0s', false],
      ['raw', '168h0m0s', true],
      ['minute', '2160h0m0s', false],
      ['hour', '43800h0m0s', false],
      ['forever', '0s', false],
    ]);
    const cqs = await continuousQueries();
    expect(cqs.size).toBe(16);
    expect(cqs.get('powersite_minute_asic')).toMatch(/^CREATE CONTINUOUS QUERY powersite_minute_asic ON powersite_retention RESAMPLE FOR 10m BEGIN SELECT last\(up\) AS up, /);
    expect(cqs.get('powersite_hour_economics')).toContain('INTO powersite_retention.hour.economics FROM powersite_retention.minute.economics GROUP BY time(1h), *');
  });

  it('changes nothing when applied again', async () => {
    const before = await continuousQueries();
    expect(await apply(settings)).toEqual({ altered: [], replaced: [] });
    expect(await continuousQueries()).toEqual(before);
  });

  it('keeps one tier table point per tier however often it is written', async () => {
    expect(await influx.rows(DB, 'SELECT "rp", "start", "end" FROM "forever"."rp_config" GROUP BY "idx"')).toEqual([
      { time: 0, idx: '1', rp: 'raw', start: 0, end: 2 * DAY_MS },
      { time: 0, idx: '2', rp: 'minute', start: 2 * DAY_MS, end: 60 * DAY_MS },
      { time: 0, idx: '3', rp: 'hour', start: 60 * DAY_MS, end: Number.MAX_SAFE_INTEGER },
    ]);
  });

  it('makes the dashboards read raw points for an hour, 1-minute means for a week and 1-hour means for a year', async () => {
    expect(await tiersFor(HOUR_MS)).toEqual(['raw']);
    expect(await tiersFor(7 * DAY_MS)).toEqual(['minute']);
    expect(await tiersFor(365 * DAY_MS)).toEqual(['hour']);
    // The boundaries: a range of exactly 2 days is still raw, a millisecond more is not.
    expect(await tiersFor(2 * DAY_MS)).toEqual(['raw']);
    expect(await tiersFor(2 * DAY_MS + 1)).toEqual(['minute']);
    expect(await tiersFor(60 * DAY_MS + 1)).toEqual(['hour']);
  });

  it('alters a tier whose duration changed', async () => {
    expect(await apply({ ...settings, raw: 14 * DAY_MS })).toEqual({ altered: ['raw'], replaced: [] });
    expect((await policies())[1]).toEqual(['raw', '336h0m0s', true]);
  });

  it('moves the ranges with the durations: raw kept 12 hours serves no day-long range', async () => {
    expect(await apply({ ...settings, raw: 12 * HOUR_MS })).toEqual({ altered: ['raw'], replaced: [] });
    expect(await tiersFor(12 * HOUR_MS)).toEqual(['raw']);
    expect(await tiersFor(DAY_MS)).toEqual(['minute']);
  });

  it('replaces a continuous query an older version defined differently', async () => {
    await influx.query('', `DROP CONTINUOUS QUERY "powersite_minute_gpu" ON "${DB}"`);
    await influx.query(
      '',
      `CREATE CONTINUOUS QUERY "powersite_minute_gpu" ON "${DB}" BEGIN SELECT mean("power_w") AS "power_w" INTO "${DB}"."minute"."gpu" FROM "${DB}"."raw"."gpu" GROUP BY time(1m), * END`,
    );
    // raw goes back to 7 days too.
    expect(await apply(settings)).toEqual({ altered: ['raw'], replaced: ['powersite_minute_gpu'] });
    expect((await continuousQueries()).get('powersite_minute_gpu')).toContain('max(temp_c) AS temp_c');
  });

  it('rolls raw points up into the minute and hour tiers with the field names kept', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const line = (offsetS: number, fields: string) => `asic,site=tx-1,host=gw-row1,device=10.0.1.7,model=S19 ${fields} ${hour + offsetS * 1000}`;
    await influx.write(
      DB,
      [
        line(0, 'up=true,power_w=3000,temp_c=70,energy_j=0'),
        line(30, 'up=true,power_w=3200,temp_c=74,energy_j=93000'),
        line(60, 'up=false,power_w=3400,temp_c=72,energy_j=195000,error="fan failure"'),
      ].join('\n'),
      'ms',
    );
    for (const statement of backfillStatements(settings, hour, hour + 3_600_000)) await influx.query(DB, statement);

    const columns = 'time, up, power_w, temp_c, energy_j, error';
    expect(await influx.rows(DB, `SELECT ${columns} FROM "minute"."asic" WHERE "device" = '10.0.1.7'`)).toEqual([
      { time: hour, up: true, power_w: 3100, temp_c: 74, energy_j: 93000, error: null },
      { time: hour + 60_000, up: false, power_w: 3400, temp_c: 72, energy_j: 195000, error: 'fan failure' },
    ]);
    expect(await influx.rows(DB, `SELECT ${columns}, "host", "model" FROM "hour"."asic"`)).toEqual([
      { time: hour, up: false, power_w: 3250, temp_c: 74, energy_j: 195000, error: 'fan failure', host: 'gw-row1', model: 'S19' },
    ]);
  });

  it('sums the accounts each stored message carries in every tier, so the history and accounts panels are exact at any resolution', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const message = (host: string, offsetS: number, fields: string) => `agent_message,site=tx-1,host=${host} interval_s=30,${fields} ${hour + offsetS * 1000}`;
    // gw-1 sends four mining messages of 0.5 MWh at 60 USD/MWh, gw-2 two at 72 USD/MWh, energy at
    // 45 USD/MWh: 3 MWh, 192 USD of revenue and 135 USD of energy, a margin of 19 USD/MWh (the mean
    // of the hosts' own margins, 15 and 27, would say 21). gpu-1 sends one HPC message: 0.5 MWh,
    // 100 USD. One of gw-1's messages arrives twice (a resend stored by another collector): the
    // same point, counted once.
    const mining = (revenue: number) => `mining_energy_j=1.8e9,mining_revenue_usd=${revenue},mining_energy_cost_usd=22.5`;
    await influx.write(
      DB,
      [
        ...[0, 30, 60, 90, 90].map((s) => message('gw-1', s, mining(30))),
        ...[0, 60].map((s) => message('gw-2', s, mining(36))),
        message('gpu-1', 0, 'hpc_energy_j=1.8e9,hpc_revenue_usd=100,hpc_energy_cost_usd=22.5'),
      ].join('\n'),
      'ms',
    );
    for (const statement of backfillStatements(settings, hour, hour + 3_600_000)) await influx.query(DB, statement);

    for (const rp of RETENTION_POLICIES) {
      const range = { site: 'tx-1', rp, __interval: '1h', timeFilter: `time >= ${hour}ms AND time < ${hour + 3_600_000}ms` };
      const panels = dashboardQueries(range).filter((q) => q.dashboard === 'economics.json' && q.query.includes('"agent_message"'));
      const shown = Object.fromEntries(await Promise.all(panels.map(async (q) => [`${q.source} ${q.refId}`, await influx.rows(DB, q.query)])));
      const at = (column: string, value: number) => [{ time: hour, [column]: value }];
      expect(shown, rp).toEqual({
        'Revenue A': at('mining', 192),
        'Revenue B': at('hpc', 100),
        'Energy cost A': at('mining', 135),
        'Energy cost B': at('hpc', 22.5),
        'Energy A': at('mining', 3),
        'Energy B': at('hpc', 0.5),
        'Margin per MWh A': at('mining', 19),
        'Margin per MWh B': at('hpc', 155),
        'Margin per MWh history A': at('mining', 19),
        'Margin per MWh history B': at('hpc', 155),
        'Revenue per MWh and energy cost history A': at('mining', 64),
        'Revenue per MWh and energy cost history B': at('hpc', 200),
        'Revenue per MWh and energy cost history C': at('mining', 45),
        'Revenue per MWh and energy cost history D': at('hpc', 45),
      });
    }
  });
});
