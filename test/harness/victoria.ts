import { join } from 'node:path';
import { parseJson } from './json.js';
import { freePort } from './ports.js';
import { controls, launch, requireBinary, type ServiceControls } from './process.js';
import type { PromSample } from './prometheus.js';

export interface VictoriaHandle extends ServiceControls {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Makes everything written so far searchable (VictoriaMetrics buffers recent samples for a second or so). */
  flush(): Promise<void>;
  /** Instant MetricsQL/PromQL query at `timeMs` (default now); the expression must give a vector. */
  query(promql: string, timeMs?: number): Promise<PromSample[]>;
}

/** Starts a single-node VictoriaMetrics (Debian's victoria-metrics) on loopback with its storage in a temp dir. */
export async function startVictoria(): Promise<VictoriaHandle> {
  const command = requireBinary('victoria-metrics');
  const { service, port } = await launch(
    'victoria-metrics',
    async (dir) => {
      const port = await freePort();
      return {
        port,
        spec: {
          command,
          args: [
            `-httpListenAddr=127.0.0.1:${port}`,
            `-storageDataPath=${join(dir, 'data')}`,
            // Tests write samples from the past and read them at once: no 30 s query offset, no cache.
            '-search.latencyOffset=0s',
            '-search.disableCache',
            // History of any age is accepted (the default keeps one month).
            '-retentionPeriod=100y',
            '-loggerLevel=WARN',
          ],
          ready: { http: `http://127.0.0.1:${port}/health`, status: 200 },
        },
      };
    },
    { portsFixed: false },
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    ...controls(service),
    url,
    port,
    flush: async () => {
      const response = await fetch(`${url}/internal/force_flush`);
      if (!response.ok) throw new Error(`VictoriaMetrics force_flush failed (${response.status}): ${await response.text()}`);
    },
    query: async (promql, timeMs = Date.now()) => {
      const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: promql, time: String(timeMs / 1000) }) });
      const text = await response.text();
      const body = parseJson(text) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] } } | undefined;
      if (body?.status !== 'success' || !body.data) throw new Error(`VictoriaMetrics query failed (${response.status}): ${body?.error ?? text}: ${promql}`);
      if (body.data.resultType !== 'vector') throw new Error(`VictoriaMetrics query gave a ${body.data.resultType}, not a vector: ${promql}`);
      return body.data.result;
    },
  };
}
