import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJson } from './json.js';
import { freePort } from './ports.js';
import { controls, launch, requireBinary, type ServiceControls } from './process.js';

export interface PrometheusOptions {
  /** host:port of each /metrics endpoint to scrape (job "powersite"). */
  scrapeTargets: string[];
  /** Scrape and rule evaluation interval; default 1s so tests see data quickly. */
  scrapeInterval?: string;
  /** Alerting/recording rule files to load. */
  ruleFiles?: string[];
  /** More settings of the scrape job (scheme, basic_auth, tls_config), as in prometheus.yml. */
  scrapeJob?: Record<string, unknown>;
}

/** One sample of an instant vector, as the HTTP API returns it. */
export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as a string] */
  value: [number, string];
}

export interface PrometheusHandle extends ServiceControls {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Instant query; the expression must give a vector. Throws on any API error. */
  query(promql: string): Promise<PromSample[]>;
  /** Polls query(promql) until `predicate` holds (returns that result) or `timeoutMs` passes (throws). */
  waitFor(promql: string, predicate: (result: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
}

/** A sample's value as a number. */
export function sampleValue(sample: PromSample): number {
  return Number(sample.value[1]);
}

/** Starts Prometheus on loopback, scraping the given targets, with its TSDB in a temp dir. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  const command = requireBinary('prometheus');
  const { service, port } = await launch(
    'prometheus',
    async (dir) => {
      const port = await freePort();
      const configFile = join(dir, 'prometheus.yml');
      await writeFile(configFile, JSON.stringify(prometheusConfig(options), null, 2));
      return {
        port,
        spec: {
          command,
          args: [
            `--config.file=${configFile}`,
            `--storage.tsdb.path=${join(dir, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--log.level=warn',
          ],
          ready: { http: `http://127.0.0.1:${port}/-/ready`, status: 200 },
        },
      };
    },
    { portsFixed: false },
  );
  const url = `http://127.0.0.1:${port}`;

  const query = async (promql: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: promql }) });
    const text = await response.text();
    const body = parseJson(text) as
      | { status: 'success'; data: { resultType: string; result: PromSample[] } }
      | { status: 'error'; error: string }
      | undefined;
    if (body?.status !== 'success') {
      throw new Error(`Prometheus query failed (${response.status}): ${body?.error ?? text}: ${promql}`);
    }
    if (body.data.resultType !== 'vector') {
      throw new Error(`Prometheus query gave a ${body.data.resultType}, not a vector: ${promql}`);
    }
    return body.data.result;
  };

  const waitFor = async (
    promql: string,
    predicate: (result: PromSample[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<PromSample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last: PromSample[] = [];
    while (Date.now() < deadline) {
      last = await query(promql);
      if (predicate(last)) return last;
      await sleep(250);
    }
    throw new Error(`Prometheus: ${promql} did not reach the expected result within ${timeoutMs} ms; last result: ${JSON.stringify(last)}`);
  };

  return { ...controls(service), url, port, query, waitFor };
}

// JSON is YAML, so the config needs no YAML writer.
function prometheusConfig({ scrapeTargets, scrapeInterval = '1s', ruleFiles = [], scrapeJob = {} }: PrometheusOptions): object {
  return {
    global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
    rule_files: ruleFiles.map((file) => resolve(file)),
    scrape_configs: [{ job_name: 'powersite', static_configs: [{ targets: scrapeTargets }], ...scrapeJob }],
  };
}
