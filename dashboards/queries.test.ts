import { describe, expect, it } from 'vitest';
import { dashboardQueries, MACROS, substitute, type Dashboard } from './queries.js';

describe('substitute', () => {
  it('fills every variable syntax Grafana knows', () => {
    const values = { site: 'tx-1', rp: 'minute', ...MACROS };
    expect(substitute('rate(x{site=~"$site"}[$__rate_interval])', values)).toBe('rate(x{site=~"tx-1"}[1m])');
    expect(substitute('FROM "${rp}"."asic" WHERE "site" =~ /^$site$/ AND $timeFilter', values)).toBe(
      'FROM "minute"."asic" WHERE "site" =~ /^tx-1$/ AND time > now() - 1h',
    );
    expect(substitute('${site:regex} [[rp]] $__interval_ms $__range_s', values)).toBe('tx-1 minute 60000 3600');
  });

  it('fills the time range as Grafana does: one hour, in epoch milliseconds', () => {
    const width = substitute('$__to - $__from', MACROS).split(' - ').map(Number);
    expect(width[0]! - width[1]!).toBe(3_600_000);
    expect(substitute('${__to}', MACROS)).toMatch(/^\d{13}$/);
  });

  it('throws on a variable nobody defined', () => {
    expect(() => substitute('x{site=~"$sitee"}', { site: 'a' })).toThrow(/unknown Grafana variable \$sitee/);
  });
});

describe('dashboardQueries', () => {
  const dashboard: Dashboard = {
    uid: 'd',
    title: 'D',
    schemaVersion: 39,
    templating: {
      list: [
        { name: 'site', type: 'query', datasource: { type: 'prometheus', uid: 'p' }, query: { query: 'label_values(up{job="x"}, site)' }, includeAll: true, allValue: '.*' },
        { name: 'host', type: 'query', datasource: { type: 'influxdb', uid: 'i' }, query: 'SHOW TAG VALUES FROM "gpu" WITH KEY = "host" WHERE "site" =~ /^$site$/', includeAll: true, allValue: '.*' },
        { name: 'rp', type: 'custom', query: 'raw,minute', current: { value: 'raw' } },
        { name: 'price', type: 'query', datasource: { type: 'prometheus', uid: 'p' }, query: 'query_result(max(price{site=~"$site"}))', current: { value: '0' } },
      ],
    },
    panels: [
      { type: 'row', title: 'collapsed', panels: [{ type: 'stat', title: 'inner', datasource: { type: 'prometheus', uid: 'p' }, targets: [{ refId: 'A', expr: 'sum(x{site=~"$site"})' }] }] },
      {
        type: 'timeseries',
        title: 'mixed',
        datasource: { type: 'influxdb', uid: 'i' },
        targets: [
          { refId: 'A', rawQuery: true, query: 'SELECT mean("power_w") FROM "$rp"."gpu" WHERE $timeFilter GROUP BY time($__interval)' },
          { refId: 'B', datasource: { type: 'prometheus', uid: 'p' }, expr: 'rate(y[$__rate_interval]) * $price' },
        ],
      },
    ],
  };
  const dashboards = new Map([['d.json', dashboard]]);

  it('lists variable and panel queries with defaults: All for query variables, the current value otherwise', () => {
    expect(dashboardQueries({}, dashboards)).toEqual([
      { dashboard: 'd.json', source: 'variable site', refId: 'site', language: 'promql', query: 'up{job="x"}' },
      { dashboard: 'd.json', source: 'variable host', refId: 'host', language: 'influxql', query: 'SHOW TAG VALUES FROM "gpu" WITH KEY = "host" WHERE "site" =~ /^.*$/' },
      { dashboard: 'd.json', source: 'variable price', refId: 'price', language: 'promql', query: 'max(price{site=~".*"})' },
      { dashboard: 'd.json', source: 'inner', refId: 'A', language: 'promql', query: 'sum(x{site=~".*"})' },
      { dashboard: 'd.json', source: 'mixed', refId: 'A', language: 'influxql', query: 'SELECT mean("power_w") FROM "raw"."gpu" WHERE time > now() - 1h GROUP BY time(1m)' },
      { dashboard: 'd.json', source: 'mixed', refId: 'B', language: 'promql', query: 'rate(y[1m]) * 0' },
    ]);
  });

  it('takes the values it is given, macros included', () => {
    const queries = dashboardQueries({ site: 'tx-1', rp: 'hour', price: '45', __rate_interval: '30s' }, dashboards);
    expect(queries.map((q) => q.query)).toContain('SELECT mean("power_w") FROM "hour"."gpu" WHERE time > now() - 1h GROUP BY time(1m)');
    expect(queries.map((q) => q.query)).toContain('rate(y[30s]) * 45');
    expect(queries.map((q) => q.query)).toContain('max(price{site=~"tx-1"})');
  });

  it('refuses InfluxDB builder queries, which it cannot read', () => {
    const builder: Dashboard = { ...dashboard, panels: [{ type: 'stat', title: 'b', datasource: { type: 'influxdb', uid: 'i' }, targets: [{ refId: 'A' }] }] };
    expect(() => dashboardQueries({}, new Map([['b.json', builder]]))).toThrow(/b.json: panel "b" A: expected PromQL \(expr\) or raw InfluxQL/);
  });
});
