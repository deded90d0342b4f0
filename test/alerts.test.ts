// The alert and recording rules through Debian's promtool: syntax, the unit tests of every rule,
// and the example Prometheus configuration that loads them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadRules, PROMETHEUS_CONFIG_FILE, RULE_FILES, RULE_TESTS_FILE } from '../dashboards/rules.js';
import { requireBinary } from './harness/index.js';

const run = promisify(execFile);
let promtool: string;

/** promtool's exit code and everything it printed; never throws on a non-zero exit. */
async function promtoolRun(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool, args, { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const rules = loadRules();
const alerts = rules.filter((r) => r.kind === 'alert');
const records = rules.filter((r) => r.kind === 'record');

beforeAll(() => {
  promtool = requireBinary('promtool');
});

describe('promtool', () => {
  it('checks every rule file and finds every rule', async () => {
    const { code, output } = await promtoolRun('check', 'rules', ...RULE_FILES);
    expect(code, output).toBe(0);
    for (const file of RULE_FILES) {
      const count = rules.filter((r) => r.file === file).length;
      expect(output).toContain(`Checking ${file}\n  SUCCESS: ${count} rules found`);
    }
  });

  it('passes the unit tests of every rule', async () => {
    const { code, output } = await promtoolRun('test', 'rules', RULE_TESTS_FILE);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Unit Testing: +.*alerts\.test\.yml\n +SUCCESS/);
  });

  it('accepts the example Prometheus configuration, which loads both rule files', async () => {
    const { code, output } = await promtoolRun('check', 'config', PROMETHEUS_CONFIG_FILE);
    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS: 2 rule files found');
  });

  describe('the unit tests bite', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'powersite-rules-'));
      for (const file of [...RULE_FILES, RULE_TESTS_FILE]) await copyFile(file, join(dir, basename(file)));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('fails when a threshold changes', async () => {
      const alertsFile = join(dir, 'alerts.yml');
      const original = await readFile(alertsFile, 'utf8');
      expect(original).toContain('> 0.02');
      await writeFile(alertsFile, original.replace('> 0.02', '> 0.06'));
      const { code, output } = await promtoolRun('test', 'rules', join(dir, 'alerts.test.yml'));
      expect(code).not.toBe(0);
      expect(output).toContain('alertname: PowersiteDevicesDown');
    });
  });
});

describe('rule coverage', () => {
  interface RuleTest {
    alert_rule_test?: { alertname: string; exp_alerts?: { exp_annotations?: Record<string, string> }[] }[];
    promql_expr_test?: { expr: string }[];
  }
  const tests = (parse(readFileSync(RULE_TESTS_FILE, 'utf8')) as { tests: RuleTest[] }).tests;
  const alertCases = tests.flatMap((t) => t.alert_rule_test ?? []);
  const exprCases = tests.flatMap((t) => t.promql_expr_test ?? []);

  it('has the rule groups of economics, power, fleet, telemetry and market', () => {
    expect([...new Set(rules.map((r) => r.group))]).toEqual([
      'powersite-recording',
      'powersite-economics',
      'powersite-power',
      'powersite-fleet',
      'powersite-telemetry',
      'powersite-market',
    ]);
  });

  it.each(alerts.map((a) => a.name))('%s has a case where it fires, with its annotations, and one where it must not', (name) => {
    const cases = alertCases.filter((c) => c.alertname === name);
    expect(cases.some((c) => (c.exp_alerts ?? []).length > 0 && c.exp_alerts!.every((a) => a.exp_annotations?.summary && a.exp_annotations.description))).toBe(true);
    expect(cases.some((c) => (c.exp_alerts ?? []).length === 0)).toBe(true);
  });

  it.each(records.map((r) => r.name))('recorded series %s has its values tested', (name) => {
    expect(exprCases.some((c) => c.expr.includes(name))).toBe(true);
  });

  it.each(alerts.map((a) => a.name))('%s has a severity, and a summary and description naming the place and the number', (name) => {
    const { labels, annotations } = alerts.find((a) => a.name === name)!;
    expect(['critical', 'warning', 'info']).toContain(labels.severity);
    expect(annotations.summary).toMatch(/\$labels\.(site|instance)/);
    expect(annotations.description).toMatch(/\$labels\.(site|instance)/);
    // The alert's own value, or the figure behind it fetched with the query template function.
    expect(annotations.description).toMatch(/\$value|\| query \}\}/);
  });
});
