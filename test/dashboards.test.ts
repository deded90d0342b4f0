// The Grafana dashboards and provisioning files: structure, datasources, variables, and the rule
// that fleet figures come from counter rates, not from one collector's gauges.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TIER_TABLE_MEASUREMENT, TIER_TABLE_POLICY } from '../collector/store/retention.js';
import { allPanels, dashboardQueries, DATASOURCES, loadDashboards, type Panel } from '../dashboards/queries.js';
import { loadRules } from '../dashboards/rules.js';

const dashboards = loadDashboards();
const provisioning = (path: string) => parse(readFileSync(new URL(`../dashboards/provisioning/${path}`, import.meta.url), 'utf8'));
const contentPanels = (file: string): Panel[] => allPanels(dashboards.get(file)!).filter((p) => p.type !== 'row');
const KNOWN = new Map<string, string>(Object.values(DATASOURCES).map((d) => [`\${${d.variable}}`, d.type]));

describe('provisioning', () => {
  it('creates both datasources with the uids the dashboards use', () => {
    const { apiVersion, datasources } = provisioning('datasources/powersite.yml');
    expect(apiVersion).toBe(1);
    expect(datasources.map((d: { uid: string; type: string }) => [d.uid, d.type])).toEqual([
      ['powersite-prometheus', 'prometheus'],
      ['powersite-influxdb', 'influxdb'],
    ]);
    expect(datasources[1].jsonData).toMatchObject({ version: 'InfluxQL', dbName: 'powersite' });
  });

  it('never takes the default datasource of a Grafana that has one', () => {
    const { datasources } = provisioning('datasources/powersite.yml');
    for (const d of datasources) expect(d.isDefault ?? false).toBe(false);
  });

  it('loads the dashboards from files', () => {
    const { apiVersion, providers } = provisioning('dashboards/powersite.yml');
    expect(apiVersion).toBe(1);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ type: 'file', folder: 'powersite', options: { path: expect.stringMatching(/^\//) } });
  });
});

describe('dashboards', () => {
  it.each([...dashboards.keys()])('%s: importable through the UI and into Grafana Cloud: __inputs, datasource variables, no fixed uid', (file) => {
    const raw = readFileSync(new URL(`../dashboards/grafana/${file}`, import.meta.url), 'utf8');
    const d = JSON.parse(raw) as { __inputs: { name: string; type: string; pluginId: string }[]; __requires: { id: string; version: string }[]; templating: { list: { name: string; type: string; query: string; current: { value: string } }[] } };
    const used = Object.values(DATASOURCES).filter((ds) => raw.includes(`\${${ds.variable}}`));
    expect(used.length).toBeGreaterThan(0);
    expect(raw).not.toMatch(/"uid":\s*"powersite-(prometheus|influxdb)"/);
    expect(d.__inputs).toEqual(used.map((ds) => expect.objectContaining({ name: ds.variable, type: 'datasource', pluginId: ds.type })));
    // Provisioned, the variable selects the provisioned datasource; elsewhere the user picks one.
    for (const ds of used) expect(d.templating.list.find((v) => v.name === ds.variable)).toMatchObject({ type: 'datasource', query: ds.type, current: { value: ds.uid } });
    expect(d.__requires.find((r) => r.id === 'grafana')?.version).toBe('10.4.0');
  });

  it('are the site overview, economics, mining fleet and GPU/HPC views, each with its own uid', () => {
    expect([...dashboards.keys()]).toEqual(['economics.json', 'gpu-hpc.json', 'mining-fleet.json', 'site-overview.json']);
    const uids = [...dashboards.values()].map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const d of dashboards.values()) {
      expect(d.uid).toMatch(/^powersite-[a-z-]+$/);
      expect(d.schemaVersion).toBe(39);
    }
  });

  it.each([...dashboards.keys()])('%s: every panel has targets on a provisioned datasource, unique ids and a place on the grid', (file) => {
    const panels = contentPanels(file);
    expect(panels.length).toBeGreaterThan(4);
    const ids = allPanels(dashboards.get(file)!).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const where = `${file}: ${panel.title}`;
      expect(panel.title, where).toBeTruthy();
      expect(KNOWN.get(panel.datasource?.uid ?? ''), where).toBe(panel.datasource?.type);
      expect(panel.targets?.length, where).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, where).toBe(refIds.length);
      for (const target of panel.targets!) expect(target.datasource ?? panel.datasource, where).toEqual(panel.datasource);
      const { x, w } = panel.gridPos!;
      expect(x + w, where).toBeLessThanOrEqual(24);
    }
  });

  it.each([...dashboards.keys()])('%s: no two panels overlap', (file) => {
    const cells = new Map<string, string>();
    for (const panel of allPanels(dashboards.get(file)!)) {
      const { x, y, w, h } = panel.gridPos!;
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.get(`${i},${j}`), `${panel.title} overlaps`).toBeUndefined();
          cells.set(`${i},${j}`, panel.title ?? '');
        }
      }
    }
  });

  it('offer a site variable everywhere, a host variable on the fleet views and a resolution wherever a panel reads one', () => {
    // The datasource pickers come first, then the site.
    const names = (file: string) => dashboards.get(file)!.templating.list.filter((v) => v.type !== 'datasource').map((v) => v.name);
    for (const file of dashboards.keys()) expect(names(file)[0]).toBe('site');
    expect(names('mining-fleet.json')).toContain('host');
    expect(names('gpu-hpc.json')).toContain('host');
    for (const [file, d] of dashboards) {
      const readsTiers = allPanels(d).some((p) => p.targets?.some((t) => t.query?.includes('"$rp".')));
      expect(names(file).includes('rp'), file).toBe(readsTiers);
    }
  });

  it('choose the resolution from the time range, in the tier table the collector writes, refreshed whenever the range changes', () => {
    const withTiers = [...dashboards].filter(([, d]) => d.templating.list.some((v) => v.name === 'rp'));
    expect(withTiers.map(([file]) => file)).toEqual(['economics.json', 'gpu-hpc.json', 'mining-fleet.json']);
    for (const [file, d] of withTiers) {
      const rp = d.templating.list.find((v) => v.name === 'rp')!;
      expect(rp, file).toMatchObject({ type: 'query', datasource: { type: 'influxdb', uid: `\${${DATASOURCES.influxdb.variable}}` }, refresh: 2, hide: 2, multi: false, includeAll: false });
      expect(rp.query, file).toBe(
        `SELECT "rp" FROM "${TIER_TABLE_POLICY}"."${TIER_TABLE_MEASUREMENT}" WHERE $__to - $__from > "start" AND $__to - $__from <= "end"`,
      );
    }
  });
});

describe('queries', () => {
  const raw = dashboardQueries({ site: '$site', host: '$host', rp: '$rp', energy_price: '$energy_price' });

  it('substitutes every variable and macro', () => {
    for (const q of dashboardQueries()) expect(q.query, `${q.dashboard}: ${q.source}`).not.toMatch(/\$\w|\[\[/);
  });

  it('filter every site-labelled PromQL series by $site', () => {
    // Market, halving and collector self-metrics carry no site label.
    const siteless = /^powersite_(hashprice|block_subsidy|blocks_until|next_halving|market_|collector_(?!sequence_gaps))/;
    for (const q of raw.filter((q) => q.language === 'promql' && !q.source.startsWith('variable'))) {
      const metrics = [...q.query.matchAll(/\b(powersite_\w+)/g)].map((m) => m[1]!);
      if (metrics.some((m) => !siteless.test(m))) expect(q.query, `${q.dashboard}: ${q.source}`).toContain('$site');
    }
  });

  it('read InfluxDB through the resolution variable, for the selected sites', () => {
    for (const q of raw.filter((q) => q.language === 'influxql' && !q.source.startsWith('variable'))) {
      // Counting lost messages needs every message: that one query reads the raw tier itself.
      const from = q.query.includes('spread("seq")') ? '"raw"' : '"\\$rp"';
      expect(q.query, `${q.dashboard}: ${q.source}`).toMatch(new RegExp(`FROM ${from}\\.".+" WHERE "site" =~ /\\^\\$site\\$/`));
    }
  });

  it('compute fleet power, per-MWh figures, device counts and GPU utilisation from counter rates, never from one collector\'s gauges', () => {
    // Recorded series (site_workload:powersite_...:rate1h) are sums of counter rates themselves.
    // Only silent devices have no counter: stale counts may read the live gauge.
    const gauges =
      /(?<![\w:])(powersite_(power_watts|revenue_usd_per_hour|revenue_usd_per_mwh|margin_usd_per_mwh|gpu_utilization_ratio)(?![\w:])(?![^}]*scenario="next_halving")|powersite_devices(?![\w:])(?!\{[^}]*state="stale"))/;
    const promql = [...raw.filter((q) => q.language === 'promql').map((q) => q.query), ...loadRules().map((r) => r.expr)];
    for (const query of promql) expect(query).not.toMatch(gauges);
    const using = (counter: string) => promql.filter((q) => q.includes(`rate(${counter}`)).length;
    expect(using('powersite_energy_joules_total')).toBeGreaterThan(10);
    // The three device panels and the two recorded counts; the two utilisation panels and the recorded ratio.
    expect(using('powersite_device_seconds_total')).toBe(5);
    expect(using('powersite_gpu_busy_seconds_total')).toBe(3);
    expect(using('powersite_gpu_metered_seconds_total')).toBe(3);
  });

  it('build money and energy history from the accounts each stored message carries, not from a collector\'s counts or averages', () => {
    const influxql = raw.filter((q) => q.language === 'influxql');
    // The live per-MWh fields are one collector's view; only the next-halving projection (a gauge by nature) may be averaged.
    for (const q of influxql.filter((q) => q.query.includes('"economics"'))) expect(q.query, `${q.dashboard}: ${q.source}`).not.toMatch(/"(margin|revenue|energy_cost)_usd_per_mwh"|"revenue_usd_per_hour"|"power_w"|"revenue_usd"|"energy_j"/);
    // A collector's interval amounts count a resend it did not recognise; agent_message holds each message once.
    const money = influxql.filter((q) => /_(revenue_usd|energy_cost_usd|energy_j)"/.test(q.query));
    expect(money.length).toBe(14);
    for (const q of money) expect(q.query, `${q.dashboard}: ${q.source}`).toContain('FROM "$rp"."agent_message"');
    // A bucket without energy would divide by zero, which InfluxQL answers with 0: those buckets are left out.
    for (const q of money.filter((q) => q.query.includes('/ ("e" / 3600000000)'))) expect(q.query).toMatch(/ WHERE "e" > 0$/);
  });
});
