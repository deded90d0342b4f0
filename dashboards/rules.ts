/**
 * The Prometheus rules of powersite (recording and alerting), read from their YAML files, and the
 * rewriting that lets a test ask whether an alert's expression has data to work on at all.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const file = (name: string) => fileURLToPath(new URL(`./prometheus/${name}`, import.meta.url));

/** Loaded in this order: alerts read the recorded series. */
export const RULE_FILES = [file('recording.yml'), file('alerts.yml')];
export const RULE_TESTS_FILE = file('alerts.test.yml');
export const PROMETHEUS_CONFIG_FILE = file('prometheus.yml');

export interface Rule {
  file: string;
  group: string;
  kind: 'alert' | 'record';
  /** The alert name or the recorded series. */
  name: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

export function loadRules(files = RULE_FILES): Rule[] {
  return files.flatMap((path) =>
    (parse(readFileSync(path, 'utf8')) as RuleFile).groups.flatMap((group) =>
      group.rules.map((rule) => ({
        file: path,
        group: group.name,
        kind: rule.alert !== undefined ? ('alert' as const) : ('record' as const),
        name: (rule.alert ?? rule.record)!,
        expr: rule.expr,
        labels: rule.labels ?? {},
        annotations: rule.annotations ?? {},
      })),
    ),
  );
}

/** Opening character → closing one, for the parts of PromQL whose text is not operators. */
const ENCLOSED: Readonly<Record<string, string>> = { '{': '}', '[': ']', '"': '"', "'": "'", '`': '`' };

/**
 * The expression with every comparison made a `bool` comparison and every `offset` removed: it
 * then returns a series wherever its inputs exist and its joins match, whether or not the alert
 * would fire, and without needing hours of history. A rule whose rewritten expression returns
 * nothing against live collectors refers to a metric or label that does not exist.
 */
export function nonFiltering(expr: string): string {
  let out = '';
  let code = '';
  const flush = (): void => {
    out += code.replace(/\s+offset\s+-?(?:\d+[a-z]+)+/gi, '').replace(/(==|!=|>=|<=|>|<)(?!\s*bool\b)/g, '$1 bool');
    code = '';
  };
  for (let i = 0; i < expr.length; ) {
    const close = ENCLOSED[expr[i]!];
    if (close === undefined) {
      code += expr[i++];
      continue;
    }
    flush();
    // Label matchers hold strings, which may hold the closing brace; strings hold escapes.
    let j = i + 1;
    while (j < expr.length && expr[j] !== close) {
      const inner = ENCLOSED[expr[j]!];
      if (close === '}' && inner !== undefined && inner === expr[j]) j = expr.indexOf(inner, j + 1);
      else if (expr[j] === '\\' && close !== '}' && close !== ']') j++;
      if (j < 0) throw new Error(`unterminated string in: ${expr}`);
      j++;
    }
    out += expr.slice(i, j + 1);
    i = j + 1;
  }
  flush();
  return out;
}
