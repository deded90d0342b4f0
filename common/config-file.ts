/**
 * Loads a YAML config file, applies POWERSITE_* environment overrides and validates it with a zod
 * schema. Every error names the file (or the environment variable) and the key path.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

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

/** Validates an already-parsed document; `file` is only used in messages. */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  document: unknown,
  file: string,
  options: LoadOptions = {},
): z.output<S> {
  const env = options.env ?? process.env;
  const doc: Record<string, unknown> =
    typeof document === 'object' && document !== null && !Array.isArray(document) ? structuredClone(document as Record<string, unknown>) : {};
  if (document !== null && document !== undefined && (typeof document !== 'object' || Array.isArray(document))) {
    throw new ConfigError(file, ['(top level): expected a mapping of keys, like "site: tx-1"']);
  }
  const fromEnv = new Map<string, string>();
  for (const path of keyPaths(schema)) {
    const name = envName(path);
    const raw = env[name];
    // An empty variable counts as unset, as systemd EnvironmentFile placeholders expect.
    if (raw === undefined || raw === '') continue;
    setPath(doc, path, parseEnvValue(raw));
    fromEnv.set(path.join('.'), name);
  }
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = formatPath(issue.path);
    const source = fromEnv.get(issue.path.join('.'));
    return `${key}: ${issue.message}${source ? ` (set by environment variable ${source})` : ''}`;
  });
  throw new ConfigError(file, problems);
}

/** Reads, parses and validates a YAML config file; a missing path means "defaults and env only". */
export async function loadConfig<S extends z.ZodType>(schema: S, file: string | undefined, options: LoadOptions = {}): Promise<z.output<S>> {
  if (!file) return validateConfig(schema, {}, '(defaults and environment)', options);
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
  return validateConfig(schema, document, file, options);
}
