/**
 * A fast yes for the common case of a zod schema: compiled from the schema's own definition (so it
 * cannot drift from it), `acceptsUnchanged(schema)(value)` is true only when `schema.parse(value)`
 * would succeed and return an equal value (no unknown key stripped, no default or transform), so
 * the caller may use `value` as it is. Anything else, and anything it does not know how to judge,
 * is false: the caller then runs the schema itself, which also words the error.
 *
 * Like zod's own fast path, it is generated code (`new Function`): one function per object with
 * its bounds inlined, a switch over its keys. Only the schema goes into the source (keys quoted by
 * JSON.stringify, finite numbers); regexes and refinements are passed in, never written out.
 * Zod's general machinery (a payload and an issue list per value) costs ~7 µs per device sample,
 * closures per check ~1 µs; this, a fraction of that.
 */
import type { z } from 'zod';

type Accepts = (value: unknown) => boolean;

/** The parts of a zod 4 schema and check definition this reads (`schema._zod.def`). */
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  coerce?: boolean;
  shape?: Record<string, Node>;
  catchall?: Node;
  innerType?: Node;
  element?: Node;
  options?: Node[];
  values?: unknown[];
  entries?: Record<string, unknown>;
}
interface CheckDef {
  check: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
  fn?: (value: unknown) => unknown;
}
interface Node {
  _zod: { def: Def };
}

export function acceptsUnchanged(schema: z.ZodType): Accepts {
  const gen = new Generator();
  const root = gen.value(schema as unknown as Node, 'v');
  const source = `${gen.functions.join('\n')}\nreturn (v) => ${root};`;
  try {
    return new Function('c', source)(gen.constants) as Accepts;
  } catch {
    // Code generation disabled (--disallow-code-generation-from-strings): every value goes to zod.
    return () => false;
  }
}

/** Writes one JS expression per value; what it cannot judge is `false` (left to zod). */
class Generator {
  readonly functions: string[] = [];
  readonly constants: unknown[] = [];

  /** A value the generated code reads as c[i]: regexes, refinements, sets. */
  private constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }

  /** An expression, true when the value in variable `v` passes `node` unchanged. */
  value(node: Node, v: string): string {
    const def = node._zod.def;
    if (def.coerce) return 'false';
    const checks = (def.checks ?? []).map((c) => c._zod.def);
    switch (def.type) {
      case 'number':
        return and([`typeof ${v} === "number"`, checks.some((c) => c.check === 'number_format') ? '' : `Number.isFinite(${v})`, ...checks.map((c) => this.numberCheck(c, v))]);
      case 'string':
        return and([`typeof ${v} === "string"`, ...checks.map((c) => this.stringCheck(c, v))]);
      case 'boolean':
        return and([`typeof ${v} === "boolean"`, ...checks.map(() => 'false')]);
      case 'literal':
        return and([or((def.values ?? []).map((x) => (isPlain(x) ? `${v} === ${JSON.stringify(x)}` : 'false'))), ...checks.map(() => 'false')]);
      case 'enum':
        return and([`${this.constant(new Set(Object.values(def.entries ?? {})))}.has(${v})`, ...checks.map(() => 'false')]);
      case 'optional':
        return and([`(${v} === undefined || ${this.value(def.innerType!, v)})`, ...checks.map(() => 'false')]);
      case 'union':
        // The first option that takes the value unchanged is the one zod returns, unchanged.
        return and([or((def.options ?? []).map((o) => this.value(o, v))), ...checks.map(() => 'false')]);
      case 'array':
        return and([`${this.arrayFunction(def)}(${v})`, ...checks.map((c) => this.lengthCheck(c, v))]);
      case 'object':
        return and([`${this.objectFunction(def)}(${v})`, ...checks.map((c) => (c.check === 'custom' && c.fn ? this.custom(c.fn, v) : 'false'))]);
      default:
        return 'false';
    }
  }

  private numberCheck(c: CheckDef, v: string): string {
    const bound = typeof c.value === 'number' && Number.isFinite(c.value) ? `(${String(c.value)})` : undefined;
    if (c.check === 'greater_than' && bound) return `${v} ${c.inclusive ? '>=' : '>'} ${bound}`;
    if (c.check === 'less_than' && bound) return `${v} ${c.inclusive ? '<=' : '<'} ${bound}`;
    if (c.check === 'number_format' && c.format === 'safeint') return `Number.isSafeInteger(${v})`;
    return 'false';
  }

  private stringCheck(c: CheckDef, v: string): string {
    // Zod counts a string's length in code points, one or two UTF-16 units each: a length in
    // units at most the maximum, or at least twice the minimum less one, settles it; else zod counts.
    if (c.check === 'max_length' && Number.isFinite(c.maximum)) return `${v}.length <= ${c.maximum}`;
    if (c.check === 'min_length' && Number.isFinite(c.minimum)) return `${v}.length >= ${2 * c.minimum! - 1}`;
    if (c.check === 'string_format' && c.format === 'regex' && c.pattern) {
      const re = this.constant(c.pattern);
      return `(${re}.lastIndex = 0, ${re}.test(${v}))`;
    }
    if (c.check === 'custom' && c.fn) return this.custom(c.fn, v);
    return 'false';
  }

  private lengthCheck(c: CheckDef, v: string): string {
    if (c.check === 'max_length' && Number.isFinite(c.maximum)) return `${v}.length <= ${c.maximum}`;
    if (c.check === 'min_length' && Number.isFinite(c.minimum)) return `${v}.length >= ${c.minimum}`;
    if (c.check === 'custom' && c.fn) return this.custom(c.fn, v);
    return 'false';
  }

  /** A refinement: true only for a truthy answer given at once (an async one is zod's to await). */
  private custom(fn: (value: unknown) => unknown, v: string): string {
    const refine = this.constant((value: unknown) => {
      try {
        const r = fn(value);
        return Boolean(r) && !(r instanceof Promise);
      } catch {
        return false;
      }
    });
    return `${refine}(${v})`;
  }

  /** Reserves a named function (written after its body, which may reserve others). */
  private reserve(): { name: string; define: (source: string) => void } {
    const index = this.functions.push('') - 1;
    return { name: `f${index}`, define: (source) => (this.functions[index] = source) };
  }

  private arrayFunction(def: Def): string {
    const { name, define } = this.reserve();
    define(`function ${name}(a) {
  if (!Array.isArray(a)) return false;
  for (let i = 0; i < a.length; i++) { const e = a[i]; if (!(${this.value(def.element!, 'e')})) return false; }
  return true;
}`);
    return name;
  }

  private objectFunction(def: Def): string {
    const { name, define } = this.reserve();
    // A catchall keeps unknown keys, judged by another schema: not the common case, left to zod.
    if (def.catchall) {
      define(`function ${name}() { return false; }`);
      return name;
    }
    const shape = Object.entries(def.shape ?? {});
    const cases = shape.map(([key, node]) => `    case ${JSON.stringify(key)}: { const x = o[k]; if (!(${this.value(node, 'x')})) return false; break; }`);
    const required = shape.filter(([, node]) => node._zod.def.type !== 'optional').map(([key]) => `Object.hasOwn(o, ${JSON.stringify(key)})`);
    // An unknown key would be stripped: the value would not come back unchanged.
    define(`function ${name}(o) {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return false;
  for (const k in o) {
    switch (k) {
${cases.join('\n')}
    default: return false;
    }
  }
  return ${and(required)};
}`);
    return name;
  }
}

const isPlain = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
const and = (parts: string[]) => {
  const kept = parts.filter((p) => p !== '');
  return kept.length === 0 ? 'true' : `(${kept.join(' && ')})`;
};
const or = (parts: string[]) => (parts.length === 0 ? 'false' : `(${parts.join(' || ')})`);
