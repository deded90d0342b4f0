// The agent is a small process on every GPU host and mining gateway: its import graph must never
// reach collector code, the InfluxDB client or prom-client.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every module reachable from `entry` by static imports: local files and bare package names. */
function importGraph(entry: string, dynamic = true): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      if (m[2] && !dynamic) continue;
      // `import type` is erased by the compiler: nothing is loaded.
      if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue;
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

it('the agent does not import collector code, influx or prom-client', () => {
  const { files, packages } = importGraph(resolve(root, 'cli/agent-command.ts'));
  const local = [...files].map((f) => relative(root, f));
  expect(local).toContain('agent/agent.ts');
  expect(local).toContain('agent/sources/nvidia/index.ts');
  expect(local.filter((f) => f.startsWith('collector/'))).toEqual([]);
  expect([...packages]).not.toContain('influx');
  expect([...packages]).not.toContain('prom-client');
  expect([...packages]).toContain('mqtt');
});

it('the agent loads a device family\'s code and packages only when its config names that family', () => {
  const { files, packages } = importGraph(resolve(root, 'cli/agent-command.ts'), false);
  const local = [...files].map((f) => relative(root, f));
  // Every family's schema is there, to validate any config; no family's implementation is.
  expect(local).toContain('agent/sources/snmp/definition.ts');
  expect(local.filter((f) => /^agent\/sources\/[a-z]+\/index\.ts$/.test(f) || f.includes('/cgminer/fleet/'))).toEqual([]);
  for (const heavy of ['net-snmp', 'modbus-serial', 'systeminformation']) expect([...packages]).not.toContain(heavy);
  // and the dynamic graph does reach them, so the test looks at the real thing
  expect([...importGraph(resolve(root, 'cli/agent-command.ts')).packages]).toEqual(expect.arrayContaining(['net-snmp', 'modbus-serial', 'systeminformation']));
});

it('the CLI loads subcommands on demand, so `powersite agent` never loads the collector', () => {
  const { files, packages } = importGraph(resolve(root, 'cli/main.ts'), false);
  expect([...files].map((f) => relative(root, f)).filter((f) => f.startsWith('collector/') || f.startsWith('agent/'))).toEqual([]);
  expect([...packages]).not.toContain('prom-client');
  // and the dynamic graph does reach them, so the test above looks at the real thing
  expect([...importGraph(resolve(root, 'cli/main.ts')).files].some((f) => f.includes('/collector/'))).toBe(true);
});
