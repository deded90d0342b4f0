/**
 * A fast yes for the common case of a zod schema: compiled from the schema's own definition (so it
 * cannot drift from it), `acceptsUnchanged(schema)(value)` is true only when `schema.parse(value)`
 * would succeed and return an equal value (no unknown key stripped, no default or transform), so
 * the caller may use `value` as it is. Anything else, and anything it does not know how to judge,
 * is false: the caller then runs the schema itself, which also words the error. Zod's general
 * machinery (a payload and an issue list per value, checks looked up at run time) costs ~7 µs per
 * device sample; this costs well under one.
 */
import type { z } from 'zod';

type Accepts = (value: unknown) => boolean;

const NEVER: Accepts = () => false;

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
  return compile(schema as unknown as Node);
}

/**
 * One closure per value, checks folded in (bounds as numbers, not a closure each): a generic
 * closure per check costs more than the checks themselves.
 */
function compile(node: Node): Accepts {
  const def = node._zod.def;
  if (def.coerce) return NEVER;
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  switch (def.type) {
    case 'number':
      return numberOf(checks);
    case 'string':
      return stringOf(checks);
    case 'object':
      return withChecks(objectOf(def), checks);
    case 'array':
      return withChecks(arrayOf(def), checks);
    default:
      return withChecks(plainOf(def), checks);
  }
}

function plainOf(def: Def): Accepts {
  switch (def.type) {
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'literal': {
      const values = def.values ?? [];
      return (v) => values.includes(v);
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => values.has(v);
    }
    case 'optional': {
      const inner = compile(def.innerType!);
      return (v) => v === undefined || inner(v);
    }
    case 'union': {
      // The first option that takes the value unchanged is the one zod returns, unchanged.
      const options = (def.options ?? []).map(compile);
      return (v) => options.some((o) => o(v));
    }
    default:
      return NEVER;
  }
}

/** Lower and upper bounds: the tighter of two wins. */
interface Bound {
  value: number;
  inclusive: boolean;
}
const tighter = (a: Bound, b: Bound, lower: boolean): Bound =>
  a.value === b.value ? { value: a.value, inclusive: a.inclusive && b.inclusive } : (lower ? a.value > b.value : a.value < b.value) ? a : b;

function numberOf(checks: CheckDef[]): Accepts {
  let lo: Bound = { value: -Infinity, inclusive: true };
  let hi: Bound = { value: Infinity, inclusive: true };
  let safeInt = false;
  for (const c of checks) {
    if ((c.check === 'greater_than' || c.check === 'less_than') && typeof c.value !== 'number') return NEVER;
    if (c.check === 'greater_than') lo = tighter(lo, { value: c.value as number, inclusive: c.inclusive === true }, true);
    else if (c.check === 'less_than') hi = tighter(hi, { value: c.value as number, inclusive: c.inclusive === true }, false);
    else if (c.check === 'number_format' && c.format === 'safeint') safeInt = true;
    else return NEVER;
  }
  const min = lo.value;
  const max = hi.value;
  const minIn = lo.inclusive;
  const maxIn = hi.inclusive;
  return (v) =>
    typeof v === 'number' && (safeInt ? Number.isSafeInteger(v) : Number.isFinite(v)) && (minIn ? v >= min : v > min) && (maxIn ? v <= max : v < max);
}

function stringOf(checks: CheckDef[]): Accepts {
  let minLength = 0;
  let maxLength = Infinity;
  const tests: ((s: string) => boolean)[] = [];
  for (const c of checks) {
    if (c.check === 'min_length') minLength = Math.max(minLength, c.minimum!);
    else if (c.check === 'max_length') maxLength = Math.min(maxLength, c.maximum!);
    else if (c.check === 'string_format' && c.format === 'regex' && c.pattern) tests.push(matches(c.pattern));
    else if (c.check === 'custom' && c.fn) tests.push(custom(c.fn));
    else return NEVER;
  }
  // Zod counts a string's length in code points, one or two UTF-16 units each: a length in units
  // at most the maximum, or at least twice the minimum less one, settles it; else zod counts.
  return (v) => {
    if (typeof v !== 'string' || v.length > maxLength || Math.ceil(v.length / 2) < minLength) return false;
    for (const t of tests) if (!t(v)) return false;
    return true;
  };
}

function arrayOf(def: Def): Accepts {
  const element = compile(def.element!);
  return (v) => {
    if (!Array.isArray(v)) return false;
    for (const e of v) if (!element(e)) return false;
    return true;
  };
}

function objectOf(def: Def): Accepts {
  // A catchall keeps unknown keys, judged by another schema: not the common case, left to zod.
  if (def.catchall) return NEVER;
  const shape = Object.entries(def.shape ?? {});
  const fields = new Map(shape.map(([key, node]) => [key, compile(node)]));
  const required = shape.filter(([, node]) => node._zod.def.type !== 'optional').map(([key]) => key);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    // An unknown key would be stripped: the value would not come back unchanged.
    for (const key in o) {
      const field = fields.get(key);
      if (!field || !field(o[key])) return false;
    }
    for (const key of required) if (!Object.hasOwn(o, key)) return false;
    return true;
  };
}

/** An object's or array's own checks: refinements, and lengths for arrays. */
function withChecks(type: Accepts, checks: CheckDef[]): Accepts {
  if (type === NEVER) return NEVER;
  if (checks.length === 0) return type;
  const tests: Accepts[] = [];
  for (const c of checks) {
    if (c.check === 'custom' && c.fn) tests.push(custom(c.fn));
    else if (c.check === 'min_length') tests.push((v) => Array.isArray(v) && v.length >= c.minimum!);
    else if (c.check === 'max_length') tests.push((v) => Array.isArray(v) && v.length <= c.maximum!);
    else return NEVER;
  }
  return (v) => {
    if (!type(v)) return false;
    for (const t of tests) if (!t(v)) return false;
    return true;
  };
}

function matches(pattern: RegExp): (s: string) => boolean {
  return (s) => {
    pattern.lastIndex = 0;
    return pattern.test(s);
  };
}

/** A refinement: true only for a truthy answer given at once (an async one is zod's to await). */
function custom(fn: (value: unknown) => unknown): Accepts {
  return (v) => {
    try {
      const r = fn(v);
      return Boolean(r) && !(r instanceof Promise);
    } catch {
      return false;
    }
  };
}
