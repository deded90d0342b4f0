// Every alert links its runbook: a section of docs/troubleshooting.md that exists.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

const alerts = parse(readFileSync(new URL('./prometheus/alerts.yml', import.meta.url), 'utf8')) as { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
const doc = readFileSync(new URL('../docs/troubleshooting.md', import.meta.url), 'utf8');
// GitHub's anchors: the heading in lower case.
const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));

it('every alert has a runbook_url to its section of docs/troubleshooting.md', () => {
  const rules = alerts.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  expect(rules.length).toBeGreaterThan(10);
  for (const rule of rules) {
    expect(rule.annotations?.runbook_url, rule.alert).toBe(`docs/troubleshooting.md#${rule.alert!.toLowerCase()}`);
    expect(anchors.has(rule.alert!.toLowerCase()), `${rule.alert} has no section`).toBe(true);
  }
});
