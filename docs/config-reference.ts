/**
 * Writes docs/configuration.md from the zod schemas, so the reference cannot drift from what the
 * code accepts: every key of agent.yaml (and of each source type) and of collector.yaml, with its
 * type, default, environment variable and description. Descriptions are the schemas' own doc
 * comments, read with the TypeScript compiler. `npm run docs` rewrites the file;
 * docs/config-reference.test.ts fails when it is out of date.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { z } from 'zod';
import { AgentConfig, defaultHost } from '../agent/config.js';
import { SOURCE_DEFINITIONS } from '../agent/sources/registry.js';
import { CollectorConfig } from '../collector/config.js';
import { envName } from '../common/config-file.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const REFERENCE_FILE = join(root, 'docs/configuration.md');

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
}

/** The doc comment of every property assignment in these files, by key name (first file wins). */
function docComments(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
        const doc = ts.getJSDocCommentsAndTags(node).map((d) => (typeof d.comment === 'string' ? d.comment : '')).join(' ').replace(/\s+/g, ' ').trim();
        if (doc && !out.has(node.name.text)) out.set(node.name.text, doc);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(root, dir, f));
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  if (t === 'array') return `list of ${s.items?.type ? typeOf(s.items) : 'entries'}`;
  // Durations and sizes: a number or a string with a unit.
  return t === 'number or string' ? 'number, or string with a unit' : t;
}

function defaultOf(path: string[], s: JsonSchema): string {
  if (s.default === undefined) return '';
  // Defaults computed from the machine are named, not the value on the machine that wrote the docs.
  if (path.join('.') === 'host' && s.default === defaultHost()) return "this machine's short hostname";
  if (typeof s.default === 'object' && s.default !== null && Object.keys(s.default).length === 0) return '';
  return `\`${JSON.stringify(s.default)}\``;
}

function rows(schema: JsonSchema, docs: Map<string, string>, path: string[] = [], env = true): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const here = [...path, key];
    const isObject = child.properties !== undefined;
    const description = (child.description ?? docs.get(key) ?? '').replace(/\|/g, '\\|');
    if (!isObject) out.push(`| \`${here.join('.')}\` | ${typeOf(child)} | ${defaultOf(here, child)} | ${env ? `\`${envName(here)}\`` : ''} | ${description} |`);
    else out.push(...rows(child, docs, here, env));
  }
  return out;
}

const HEADER = '| key | type | default | environment | description |\n|---|---|---|---|---|';

function table(schema: z.ZodType, docFiles: string[], env = true): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return `${HEADER}\n${rows(json, docComments(docFiles), [], env).join('\n')}\n`;
}

export function configReference(): string {
  const agentFiles = [join(root, 'agent/config.ts'), ...tsFiles('common')];
  const parts = [
    '# Configuration reference',
    '',
    '<!-- Generated from the zod schemas by docs/config-reference.ts (`npm run docs`); do not edit by hand. -->',
    '',
    'YAML files; durations are written `10s`, `500ms`, `5m` (a bare number is seconds), sizes `512MiB`, `1GB`.',
    'Every key can be set by its environment variable (an empty variable counts as unset); lists',
    '(`sources`) are set whole, as YAML. `powersite check-config FILE` checks a file, `--print` shows',
    'the effective configuration.',
    '',
    '## agent.yaml',
    '',
    table(AgentConfig, agentFiles),
    '### Sources',
    '',
    'Each entry of `sources:` has a `type` and its own keys; set in the file (or all of `POWERSITE_SOURCES`).',
    '',
  ];
  for (const def of [...SOURCE_DEFINITIONS].sort((a, b) => a.type.localeCompare(b.type))) {
    parts.push(`#### \`type: ${def.type}\``, '', table(def.schema, [...tsFiles(`agent/sources/${def.type}`), ...agentFiles], false));
  }
  parts.push('## collector.yaml', '', table(CollectorConfig, [join(root, 'collector/config.ts'), ...tsFiles('collector'), ...tsFiles('common')]));
  return `${parts.join('\n')}`;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  writeFileSync(REFERENCE_FILE, configReference());
  process.stdout.write(`wrote ${relative(root, REFERENCE_FILE)}\n`);
}
