/**
 * The shapes of CGMiner API replies: `{"STATUS":[{STATUS,Code,Msg,Description}], "<SECTION>":[rows], "id":1}`,
 * the flat shape btminer's own commands use (`{"STATUS":"S","Code":131,"Msg":{...}}`), and the
 * multi-command container `{"summary":[<reply>],"stats":[<reply>],"id":1}`.
 */
import { MinerError } from './errors.js';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, or undefined (numeric strings were already turned into numbers by the parser). */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export interface ReplyStatus {
  ok: boolean;
  code?: number;
  message?: string;
  /** The daemon's self-description, e.g. "cgminer 4.9.2", "BOSminer+ 0.2.0", "whatsminer v1.3". */
  description?: string;
}

export function replyStatus(reply: JsonRecord): ReplyStatus {
  const status = reply.STATUS;
  const entry = Array.isArray(status) ? status[0] : reply;
  if (!isRecord(entry)) return { ok: true };
  const letter = Array.isArray(status) ? entry.STATUS : status;
  // cgminer status letters: S success, I info, W warning, E error, F fatal.
  const ok = letter !== 'E' && letter !== 'F';
  const result: ReplyStatus = { ok };
  const code = num(entry.Code);
  if (code !== undefined) result.code = code;
  const message = str(entry.Msg);
  if (message !== undefined) result.message = message;
  const description = str(entry.Description);
  if (description !== undefined) result.description = description;
  return result;
}

/** The reply itself when its status is not an error, else an `api` MinerError naming the command. */
export function checkReply(command: string, reply: JsonRecord): JsonRecord {
  const status = replyStatus(reply);
  if (status.ok) return reply;
  const code = status.code === undefined ? '' : ` (code ${status.code})`;
  throw new MinerError('api', `${command}: ${status.message ?? 'error reply'}${code}`, status.code);
}

/**
 * Splits a multi-command reply into one reply per command. Firmware that cannot join commands
 * answers with one plain error reply instead; each command then gets that error.
 */
export function splitMulti(reply: JsonRecord, commands: readonly string[]): Map<string, JsonRecord | MinerError> {
  const parts = new Map<string, JsonRecord | MinerError>();
  for (const command of commands) {
    const section = reply[command];
    const part = Array.isArray(section) ? section[0] : undefined;
    if (isRecord(part)) parts.set(command, part);
    else if (reply.STATUS !== undefined) parts.set(command, reply);
    else parts.set(command, new MinerError('malformed', `multi-command reply has no "${command}" section`));
  }
  return parts;
}

/** The rows of a section such as SUMMARY, STATS or DEVS (empty when absent). */
export function rows(reply: JsonRecord | undefined, section: string): JsonRecord[] {
  const value = reply?.[section];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function firstRow(reply: JsonRecord | undefined, section: string): JsonRecord | undefined {
  return rows(reply, section)[0];
}

/** The model a bmminer-style daemon names in VERSION or STATS `Type` ("Antminer S19 Pro"). */
export function minerType(reply: JsonRecord): string | undefined {
  return str(firstRow(reply, 'VERSION')?.Type) ?? rows(reply, 'STATS').map((row) => str(row.Type)).find((t) => t !== undefined);
}
