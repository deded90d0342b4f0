/**
 * Turns the JSON that miner firmware really sends into data. cgminer forks emit replies that
 * strict parsers reject (bmminer's `}{`, btminer's `\'`, Avalon's bare `nan`, stray bytes after the
 * object); those quirks are fixed by our own scanner first because each fix is exact. Only what is
 * left goes to `jsonrepair`. A reply cut short is completed only when the cut fell between values,
 * never inside one: a truncated "GHS 5s":11056 would be a wrong number, not a repaired one.
 */
import { jsonrepair } from 'jsonrepair';
import { MinerError } from './errors.js';

export const REPAIR_KINDS = [
  'nul', // NUL bytes inside the reply text (the terminator itself is framing, not a repair)
  'invalid_escape', // `\'` and other escapes JSON does not have
  'missing_comma', // `}{` between array elements
  'non_finite', // bare nan / inf / -inf, read as null (missing)
  'trailing_bytes', // bytes after the complete top-level object
  'truncated', // reply cut between values: missing closers added
  'numeric_string', // numbers sent as strings ("GHS 5s":"11781.40")
  'generic', // anything else jsonrepair could fix
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

/** Replies repaired, by kind (a reply with two quirks counts under both), plus those beyond repair. */
export type RepairStats = Record<RepairKind | 'unrepairable', number>;

export function newRepairStats(): RepairStats {
  const stats = { unrepairable: 0 } as RepairStats;
  for (const kind of REPAIR_KINDS) stats[kind] = 0;
  return stats;
}

/** Parses one miner reply (a JSON object), repairing known firmware quirks; throws a `malformed` MinerError otherwise. */
export function parseMinerJson(text: string, stats?: RepairStats): Record<string, unknown> {
  const applied = new Set<RepairKind>();
  try {
    let body = text;
    if (body.includes('\0')) {
      body = body.replaceAll('\0', '');
      applied.add('nul');
    }
    body = body.trim();
    if (body === '') throw new MinerError('malformed', 'empty reply');
    const value = coerceNumericStrings(parseRepaired(body, applied), applied);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MinerError('malformed', `reply is not a JSON object: ${snippet(body)}`);
    }
    if (stats) for (const kind of applied) stats[kind] += 1;
    return value as Record<string, unknown>;
  } catch (error) {
    if (stats) stats.unrepairable += 1;
    throw error;
  }
}

function parseRepaired(body: string, applied: Set<RepairKind>): unknown {
  try {
    return JSON.parse(body);
  } catch {
    // fall through to the repairs
  }
  const fixed = fixQuirks(body, applied);
  try {
    return JSON.parse(fixed);
  } catch {
    // fall through to the generic repair
  }
  try {
    const value: unknown = JSON.parse(jsonrepair(fixed));
    applied.add('generic');
    return value;
  } catch {
    throw new MinerError('malformed', `unparseable reply: ${snippet(body)}`);
  }
}

const VALID_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);
const NON_FINITE = /^-?(?:nan|inf|infinity)$/i;
const WORD = /-?[A-Za-z]+/y;
/** After one of these, a cut reply lost only closing brackets, never part of a value. */
const SAFE_CUT = new Set(['}', ']', ',', '{', '[']);

/** One pass over the text outside strings: the firmware quirks listed in REPAIR_KINDS. */
function fixQuirks(text: string, applied: Set<RepairKind>): string {
  let out = '';
  const closers: string[] = [];
  let inString = false;
  let last = ''; // last significant character emitted outside a string
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') {
        const next = text[i + 1];
        if (next !== undefined && VALID_ESCAPES.has(next)) {
          out += c + next;
          i += 2;
        } else {
          applied.add('invalid_escape'); // drop the backslash, keep the character
          i += 1;
        }
        continue;
      }
      if (c === '"') {
        inString = false;
        last = c;
      }
      out += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i += 1;
      continue;
    }
    if (c === '{' || c === '[') {
      if (last === '}' || last === ']') {
        out += ',';
        applied.add('missing_comma');
      }
      closers.push(c === '{' ? '}' : ']');
      out += c;
      last = c;
      i += 1;
      continue;
    }
    if (c === '}' || c === ']') {
      closers.pop();
      out += c;
      last = c;
      i += 1;
      if (closers.length === 0) {
        if (text.slice(i).trim() !== '') applied.add('trailing_bytes');
        return out;
      }
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text)?.[0];
    if (word !== undefined) {
      if (NON_FINITE.test(word)) {
        out += 'null';
        applied.add('non_finite');
      } else {
        out += word;
      }
      last = word.at(-1)!;
      i += word.length;
      continue;
    }
    out += c;
    if (!/\s/.test(c)) last = c;
    i += 1;
  }
  if (closers.length === 0) return out;
  if (inString || !SAFE_CUT.has(last)) throw new MinerError('malformed', 'truncated reply: cut inside a value');
  applied.add('truncated');
  if (last === ',') out = out.trimEnd().slice(0, -1);
  return out + closers.reverse().join('');
}

const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Beyond 15 significant digits a string is an identifier (serial, DNA), not a measurement. */
const MAX_DIGITS = 15;

function coerceNumericStrings(value: unknown, applied: Set<RepairKind>): unknown {
  if (typeof value === 'string') {
    if (NUMERIC.test(value) && value.split(/[eE]/)[0]!.replace(/\D/g, '').length <= MAX_DIGITS) {
      applied.add('numeric_string');
      return Number(value);
    }
    return value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = coerceNumericStrings(value[i], applied);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = coerceNumericStrings(record[key], applied);
  }
  return value;
}

function snippet(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 60 ? `${printable.slice(0, 60)}…` : printable);
}
