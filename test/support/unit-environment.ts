/**
 * The environment a shipped systemd unit gives its part (its `Environment=` lines: the agent's V8
 * flags in NODE_OPTIONS), so tests and the bench run a part as it is deployed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function unitEnvironment(part: string): Record<string, string> {
  const unit = fileURLToPath(new URL(`../../deploy/systemd/powersite-${part}.service`, import.meta.url));
  const env: Record<string, string> = {};
  if (!existsSync(unit)) return env;
  for (const line of readFileSync(unit, 'utf8').split('\n')) {
    const m = /^\s*Environment=(.*)$/.exec(line);
    if (!m) continue;
    // systemd: one or more assignments a line, each double-quoted where its value holds spaces.
    for (const a of m[1]!.matchAll(/"([^"]*)"|(\S+)/g)) {
      const assignment = a[1] ?? a[2]!;
      const eq = assignment.indexOf('=');
      if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}
