import { join } from 'node:path';
import { parseJson } from './json.js';
import { freePort } from './ports.js';
import { controls, launch, requireBinary, type ServiceControls } from './process.js';

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxStatementResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
}

export interface InfluxHandle extends ServiceControls {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /**
   * Runs InfluxQL (several statements may be separated by `;`) against `db` ('' for none) with
   * times as epoch milliseconds; throws on any error.
   */
  query(db: string, influxql: string): Promise<InfluxStatementResult[]>;
  /** The rows of the first statement, one object per row, series tags merged in. */
  rows(db: string, influxql: string): Promise<Record<string, unknown>[]>;
  /** Writes line protocol (timestamps in `precision`, default nanoseconds); throws unless accepted. */
  write(db: string, lineProtocol: string, precision?: 'ns' | 'u' | 'ms' | 's'): Promise<void>;
  createDatabase(db: string): Promise<void>;
}

/** Starts InfluxDB 1.x (Debian's influxd) on loopback with all its state in a temp dir. */
export async function startInflux(): Promise<InfluxHandle> {
  const command = requireBinary('influxd');
  const { service, port } = await launch(
    'influxd',
    async (dir) => {
      const port = await freePort();
      const rpcPort = await freePort();
      return {
        port,
        spec: {
          command,
          // An empty config file leaves every setting at its default, so the environment decides.
          args: ['run', '-config', '/dev/null'],
          env: {
            INFLUXDB_HTTP_BIND_ADDRESS: `127.0.0.1:${port}`,
            // The backup/RPC port defaults to 8088: give each instance its own.
            INFLUXDB_BIND_ADDRESS: `127.0.0.1:${rpcPort}`,
            INFLUXDB_META_DIR: join(dir, 'meta'),
            INFLUXDB_DATA_DIR: join(dir, 'data'),
            INFLUXDB_DATA_WAL_DIR: join(dir, 'wal'),
            INFLUXDB_REPORTING_DISABLED: 'true',
            // No _internal database: less disk and CPU per instance.
            INFLUXDB_MONITOR_STORE_ENABLED: 'false',
            INFLUXDB_HTTP_LOG_ENABLED: 'false',
            INFLUXDB_DATA_QUERY_LOG_ENABLED: 'false',
            INFLUXDB_LOGGING_LEVEL: 'warn',
            INFLUXDB_LOGGING_SUPPRESS_LOGO: 'true',
          },
          ready: { http: `http://127.0.0.1:${port}/ping`, status: 204 },
        },
      };
    },
    { portsFixed: false },
  );
  const url = `http://127.0.0.1:${port}`;

  const query = async (db: string, influxql: string): Promise<InfluxStatementResult[]> => {
    // POST, because InfluxDB 1.x refuses statements that change anything over GET.
    const form = new URLSearchParams({ q: influxql, epoch: 'ms' });
    if (db !== '') form.set('db', db);
    const response = await fetch(`${url}/query`, { method: 'POST', body: form });
    const text = await response.text();
    const body = parseJson(text) as { results?: InfluxStatementResult[]; error?: string } | undefined;
    if (!response.ok || body === undefined || body.error !== undefined) {
      throw new Error(`InfluxDB query failed (${response.status}): ${body?.error ?? text}: ${influxql}`);
    }
    const results = body.results ?? [];
    const failed = results.find((result) => result.error !== undefined);
    if (failed !== undefined) throw new Error(`InfluxDB statement ${failed.statement_id} failed: ${failed.error}: ${influxql}`);
    return results;
  };

  return {
    ...controls(service),
    url,
    port,
    query,
    rows: async (db, influxql) => seriesRows((await query(db, influxql))[0]?.series ?? []),
    write: async (db, lineProtocol, precision = 'ns') => {
      const params = new URLSearchParams({ db, precision });
      const response = await fetch(`${url}/write?${params}`, { method: 'POST', body: lineProtocol });
      if (response.status !== 204) throw new Error(`InfluxDB write failed (${response.status}): ${await response.text()}`);
    },
    createDatabase: async (db) => {
      await query('', `CREATE DATABASE ${JSON.stringify(db)}`);
    },
  };
}

/** Flattens InfluxDB series into one object per row, with the series tags as fields. */
export function seriesRows(series: InfluxSeries[]): Record<string, unknown>[] {
  return series.flatMap(({ tags, columns, values }) =>
    values.map((row) => ({ ...tags, ...Object.fromEntries(columns.map((column, i) => [column, row[i]])) })),
  );
}
