/**
 * Writes docs/configuration.md from the zod schemas, so the reference cannot drift from what the
 * code accepts: every key of agent.yaml (and of each source type) and of collector.yaml, with its
 * type, default, environment variable and description. Descriptions are the schemas' own
 * `.describe()` texts, so they travel with the key wherever its schema is reused. `npm run docs`
 * rewrites the file; docs/config-reference.test.ts fails when it is out of date or a key has no
 * description.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** A table row per leaf key; `missing` collects the keys without a description. */
function rows(schema: JsonSchema, missing: string[], path: string[] = [], env = true): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const here = [...path, key];
    if (child.properties !== undefined) {
      out.push(...rows(child, missing, here, env));
      continue;
    }
    if (!child.description) missing.push(here.join('.'));
    const description = (child.description ?? '').replace(/\|/g, '\\|');
    out.push(`| \`${here.join('.')}\` | ${typeOf(child)} | ${defaultOf(here, child)} | ${env ? `\`${envName(here)}\`` : ''} | ${description} |`);
  }
  return out;
}

const HEADER = '| key | type | default | environment | description |\n|---|---|---|---|---|';

interface Section {
  title: string;
  schema: z.ZodType;
  env: boolean;
}

/** Every table of the reference: agent.yaml, each source type, collector.yaml. */
function sections(): Section[] {
  return [
    { title: 'agent.yaml', schema: AgentConfig, env: true },
    ...[...SOURCE_DEFINITIONS].sort((a, b) => a.type.localeCompare(b.type)).map((def) => ({ title: `type: ${def.type}`, schema: def.schema, env: false })),
    { title: 'collector.yaml', schema: CollectorConfig, env: true },
  ];
}

function table(section: Section, missing: string[]): string {
  const json = z.toJSONSchema(section.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return `${HEADER}\n${rows(json, missing, [], section.env).join('\n')}\n`;
}

/** Keys without a description, as "agent.yaml: mqtt.url" (empty when every key has one). */
export function undocumentedKeys(): string[] {
  return sections().flatMap((section) => {
    const missing: string[] = [];
    table(section, missing);
    return missing.map((key) => `${section.title}: ${key}`);
  });
}

export function configReference(): string {
  const [agent, ...rest] = sections();
  const collector = rest.pop()!;
  const ignored: string[] = [];
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
    table(agent!, ignored),
    '### Sources',
    '',
    'Each entry of `sources:` has a `type` and its own keys; set in the file (or all of `POWERSITE_SOURCES`).',
    '',
  ];
  for (const source of rest) parts.push(`#### \`${source.title}\``, '', table(source, ignored));
  parts.push('## collector.yaml', '', table(collector, ignored));
  return `${parts.join('\n')}`;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  writeFileSync(REFERENCE_FILE, configReference());
  process.stdout.write(`wrote ${relative(root, REFERENCE_FILE)}\n`);
}
