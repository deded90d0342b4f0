/**
 * Every query of the powersite Grafana dashboards, ready to run: read from the dashboard JSON with
 * Grafana's template variables and macros substituted, so tests can prove against real Prometheus
 * and InfluxDB that every panel (and every variable) shows data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('./grafana/', import.meta.url));

/**
 * The datasources: the uid the provisioning files create, and the datasource variable (also the
 * import input, `__inputs`) every panel refers to it by, so the dashboards import anywhere.
 */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'powersite-prometheus', variable: 'DS_PROMETHEUS' },
  influxdb: { type: 'influxdb', uid: 'powersite-influxdb', variable: 'DS_INFLUXDB' },
} as const;

export type QueryLanguage = 'promql' | 'influxql';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

/** The parts of Grafana's dashboard JSON that hold queries. */
export interface Target {
  refId?: string;
  datasource?: DatasourceRef;
  /** PromQL */
  expr?: string;
  /** InfluxQL, when rawQuery is set */
  query?: string;
  rawQuery?: boolean;
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: DatasourceRef;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  /** The panels of a collapsed row. */
  panels?: Panel[];
}

export interface Variable {
  name: string;
  type: string;
  datasource?: DatasourceRef;
  query?: string | { query?: string };
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
  options?: { value: string }[];
  /** 1: on load, 2: whenever the time range changes. */
  refresh?: number;
  /** 2: not shown. */
  hide?: number;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface DashboardQuery {
  /** The dashboard's file name. */
  dashboard: string;
  /** The panel title, or `variable <name>`. */
  source: string;
  refId: string;
  language: QueryLanguage;
  /** With every variable and macro substituted. */
  query: string;
}

const NOW = Date.now();

/** Grafana's built-in macros as it fills them in for the last hour (`$__from` and `$__to` in epoch ms). */
export const MACROS: Readonly<Record<string, string>> = {
  __from: String(NOW - 3_600_000),
  __to: String(NOW),
  __interval: '1m',
  __interval_ms: '60000',
  __rate_interval: '1m',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
  timeFilter: 'time > now() - 1h',
  __timeFilter: 'time > now() - 1h',
};

/** Every dashboard of `dir`, by file name. */
export function loadDashboards(dir = DASHBOARD_DIR): Map<string, Dashboard> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return new Map(files.map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard]));
}

/** Every panel, the panels of collapsed rows included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/**
 * Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` by `values[name]`; an unknown name
 * throws, so a typo in a dashboard fails the tests instead of silently showing nothing.
 */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)(?::\w+)?\]\]/g, (_match, braced?: string, plain?: string, old?: string) => {
    const name = (braced ?? plain ?? old)!;
    const value = values[name];
    if (value === undefined) throw new Error(`unknown Grafana variable $${name} in: ${text}`);
    return value;
  });
}

/** The value a variable takes unless the caller sets one: "All" where offered, else its current value. */
function defaultValue(variable: Variable): string | undefined {
  if (variable.includeAll && variable.allValue !== undefined) return variable.allValue;
  const current = variable.current?.value;
  return Array.isArray(current) ? current[0] : (current ?? variable.options?.[0]?.value);
}

function languageOf(datasource: DatasourceRef | undefined): QueryLanguage | undefined {
  if (datasource?.type === DATASOURCES.prometheus.type) return 'promql';
  if (datasource?.type === DATASOURCES.influxdb.type) return 'influxql';
  return undefined;
}

/**
 * The query a variable runs, as a plain query: Grafana's `label_values(metric, label)` asks for the
 * series of `metric` and `query_result(expr)` evaluates `expr`. Custom variables run nothing.
 */
function variableQuery(variable: Variable): { language: QueryLanguage; query: string } | undefined {
  const language = languageOf(variable.datasource);
  const raw = typeof variable.query === 'string' ? variable.query : variable.query?.query;
  if (variable.type !== 'query' || language === undefined || raw === undefined) return undefined;
  if (language === 'influxql') return { language, query: raw };
  const labelValues = /^\s*label_values\((.+),\s*\w+\s*\)\s*$/.exec(raw);
  const queryResult = /^\s*query_result\((.+)\)\s*$/.exec(raw);
  const query = labelValues?.[1] ?? queryResult?.[1];
  if (query === undefined) throw new Error(`variable $${variable.name}: unsupported query ${raw}`);
  return { language, query };
}

/**
 * Every query of every dashboard (panels and variables) with variables and macros substituted.
 * `values` overrides a variable's default (e.g. `{ site: 'tx-1', rp: 'minute' }`) or a macro.
 */
export function dashboardQueries(values: Readonly<Record<string, string>> = {}, dashboards = loadDashboards()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const [file, dashboard] of dashboards) {
    const vars: Record<string, string> = { ...MACROS };
    for (const variable of dashboard.templating.list) {
      const value = values[variable.name] ?? defaultValue(variable);
      if (value === undefined) throw new Error(`${file}: variable $${variable.name} has no default value; pass one`);
      vars[variable.name] = value;
    }
    Object.assign(vars, values);
    const add = (source: string, refId: string, language: QueryLanguage, query: string) =>
      queries.push({ dashboard: file, source, refId, language, query: substitute(query, vars) });

    for (const variable of dashboard.templating.list) {
      const q = variableQuery(variable);
      if (q) add(`variable ${variable.name}`, variable.name, q.language, q.query);
    }
    for (const panel of allPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        const where = `${file}: panel "${panel.title}" ${target.refId}`;
        const language = languageOf(target.datasource ?? panel.datasource);
        const text = language === 'promql' ? target.expr : target.rawQuery ? target.query : undefined;
        if (language === undefined || text === undefined) throw new Error(`${where}: expected PromQL (expr) or raw InfluxQL (rawQuery + query)`);
        add(panel.title ?? '', target.refId ?? '', language, text);
      }
    }
  }
  return queries;
}
