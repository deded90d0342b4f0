/** Reading Prometheus text format in tests, and polling until a condition holds (bounded). */
import { spawn } from 'node:child_process';

export async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** The value of one series; undefined when absent. Labels must match exactly (all of them). */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (have === wanted) return Number(m[3]);
  }
  return undefined;
}

/** Polls `check` every 100 ms until it returns something truthy (which is returned) or 20 s pass. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What `promtool check metrics` says about the powersite_* series of a scrape: '' when clean. */
export async function promtoolLint(text: string): Promise<{ code: number | null; out: string; lines: number }> {
  const ours = text.split('\n').filter((l) => /^(# (HELP|TYPE) )?powersite_/.test(l)).join('\n') + '\n';
  const promtool = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  promtool.stdout.on('data', (d: Buffer) => (out += d.toString()));
  promtool.stderr.on('data', (d: Buffer) => (out += d.toString()));
  promtool.stdin.end(ours);
  const code = await new Promise<number | null>((resolve) => promtool.once('exit', resolve));
  return { code, out, lines: ours.split('\n').length };
}
