/**
 * Loads a YAML config file, applies POWERSITE_* environment overrides and validates it with a zod
 * schema. Every error names the file (or the environment variable) and the key path.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { closest } from './did-you-mean.js';

export const ENV_PREFIX = 'POWERSITE_';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The env variable for a key path: mqtt.url -> POWERSITE_MQTT_URL. */
export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.map((p) => p.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()).join('_');
}

type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType && ['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

/**
 * Every key path the schema accepts, leaves and objects alike, so that each can be overridden by
 * its env variable. Arrays and records are leaves: their override is a YAML/JSON value.
 */
export function keyPaths(schema: AnySchema, prefix: string[] = []): string[][] {
  const s = unwrap(schema);
  const def = s._zod.def as { type: string; shape?: Record<string, AnySchema> };
  if (def.type !== 'object' || !def.shape) return prefix.length ? [prefix] : [];
  const out: string[][] = [];
  for (const [key, child] of Object.entries(def.shape)) {
    const path = [...prefix, key];
    const inner = unwrap(child)._zod.def as { type: string };
    if (inner.type === 'object') out.push(...keyPaths(child, path));
    else out.push(path);
  }
  return out;
}

/** Every key name the schema knows anywhere (in objects, lists, unions, records): the "did you mean" candidates. */
export function knownKeyNames(schema: AnySchema, out = new Set<string>(), seen = new Set<AnySchema>()): Set<string> {
  if (seen.has(schema)) return out;
  seen.add(schema);
  const def = schema._zod.def as { type: string; shape?: Record<string, AnySchema>; innerType?: AnySchema; in?: AnySchema; out?: AnySchema; element?: AnySchema; options?: AnySchema[]; valueType?: AnySchema; left?: AnySchema; right?: AnySchema };
  for (const key of Object.keys(def.shape ?? {})) out.add(key);
  const children = [...Object.values(def.shape ?? {}), def.innerType, def.in, def.out, def.element, def.valueType, def.left, def.right, ...(def.options ?? [])];
  for (const child of children) if (child?._zod) knownKeyNames(child, out, seen);
  return out;
}

/** "unknown key", with the closest key the schema knows when one is close. */
export function unknownKeyMessage(key: string, schema: AnySchema): string {
  const hint = closest(key, knownKeyNames(schema));
  return `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Env values are read as YAML scalars, so "10", "true" and "[a, b]" become what they say. */
function parseEnvValue(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') || '(top level)';
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/** The document with the POWERSITE_* overrides applied, and which key each variable set. */
export function withEnvOverrides(schema: AnySchema, document: unknown, env: NodeJS.ProcessEnv): { doc: Record<string, unknown>; fromEnv: Map<string, string> } {
  const doc: Record<string, unknown> =
    typeof document === 'object' && document !== null && !Array.isArray(document) ? structuredClone(document as Record<string, unknown>) : {};
  const fromEnv = new Map<string, string>();
  for (const path of keyPaths(schema)) {
    const name = envName(path);
    const raw = env[name];
    // An empty variable counts as unset, as systemd EnvironmentFile placeholders expect.
    if (raw === undefined || raw === '') continue;
    setPath(doc, path, parseEnvValue(raw));
    fromEnv.set(path.join('.'), name);
  }
  return { doc, fromEnv };
}

/** Validates an already-parsed document; `file` is only used in messages. */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  document: unknown,
  file: string,
  options: LoadOptions = {},
): z.output<S> {
  if (document !== null && document !== undefined && (typeof document !== 'object' || Array.isArray(document))) {
    throw new ConfigError(file, ['(top level): expected a mapping of keys, like "site: tx-1"']);
  }
  const { doc, fromEnv } = withEnvOverrides(schema, document, options.env ?? process.env);
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${formatPath([...issue.path, k])}: ${unknownKeyMessage(k, schema)}`).join('\n  - ');
    const source = fromEnv.get(issue.path.join('.'));
    return `${key}: ${issue.message}${source ? ` (set by environment variable ${source})` : ''}`;
  });
  throw new ConfigError(file, problems);
}

/** Reads, parses and validates a YAML config file; a missing path means "defaults and env only". */
export async function loadConfig<S extends z.ZodType>(schema: S, file: string | undefined, options: LoadOptions = {}): Promise<z.output<S>> {
  if (!file) return validateConfig(schema, {}, '(defaults and environment)', options);
  return validateConfig(schema, await readConfigDocument(file), file, options);
}

/** The YAML document of a config file, unvalidated; unreadable files and bad YAML are a ConfigError. */
export async function readConfigDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [`cannot read the file (${code ?? String(err)})`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new ConfigError(file, [`not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`]);
  }
  return document;
}
