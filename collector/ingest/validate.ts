/**
 * Validation of every incoming MQTT message, pure: a message is either accepted with its typed
 * payload or rejected with a reason that becomes a metric label and a rate-limited log line.
 */
import { acceptsUnchanged } from '../../common/accepts-unchanged.js';
import { BOUNDS, parseTopic, Status, Telemetry } from '../../protocol/index.js';
import { nestsDeeperThan } from './json-depth.js';

/** Why a message is rejected; `unwritable` is InfluxDB refusing its points for good, after validation. */
export const REJECT_REASONS = ['too_large', 'bad_topic', 'bad_utf8', 'too_deep', 'bad_json', 'schema', 'topic_mismatch', 'too_many_devices', 'unwritable'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Limits {
  maxMessageBytes: number;
  maxDevicesPerMessage: number;
}

export type Validated =
  | { ok: true; kind: 'telemetry'; message: Telemetry }
  | { ok: true; kind: 'status'; message: Status }
  | { ok: false; reason: RejectReason; detail: string };

/** The common case, judged from the schemas without zod's per-value machinery; the rest goes through zod. */
const plainTelemetry = acceptsUnchanged(Telemetry);
const plainStatus = acceptsUnchanged(Status);

/** Invalid bytes are refused rather than stored as U+FFFD in a device id. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function reject(reason: RejectReason, detail: string): Validated {
  return { ok: false, reason, detail };
}

export function validateMessage(topic: string, payload: Uint8Array, limits: Limits): Validated {
  if (payload.byteLength > limits.maxMessageBytes) return reject('too_large', `${payload.byteLength} bytes > limit ${limits.maxMessageBytes}`);
  const parsedTopic = parseTopic(topic);
  if (!parsedTopic) return reject('bad_topic', `not a powersite/v1/<site>/<host>/(telemetry|status) topic: ${topic.slice(0, 200)}`);
  let text: string;
  try {
    text = strictUtf8.decode(payload);
  } catch {
    return reject('bad_utf8', 'payload is not valid UTF-8');
  }
  if (nestsDeeperThan(payload, BOUNDS.json_depth)) return reject('too_deep', `JSON nested deeper than ${BOUNDS.json_depth} levels`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return reject('bad_json', (err as Error).message.slice(0, 200));
  }
  const telemetry = parsedTopic.kind === 'telemetry';
  let message: Telemetry | Status;
  if (telemetry ? plainTelemetry(json) : plainStatus(json)) message = json as Telemetry | Status;
  else {
    const result = telemetry ? Telemetry.safeParse(json) : Status.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      return reject('schema', `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}${result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more)` : ''}`);
    }
    message = result.data;
  }
  // A host may only speak for itself: the payload must name the site and host of its topic.
  if (message.site !== parsedTopic.site || message.host !== parsedTopic.host) {
    return reject('topic_mismatch', `payload says ${message.site}/${message.host}, topic says ${parsedTopic.site}/${parsedTopic.host}`);
  }
  if ('devices' in message) {
    if (message.devices.length > limits.maxDevicesPerMessage) return reject('too_many_devices', `${message.devices.length} devices > limit ${limits.maxDevicesPerMessage}`);
    return { ok: true, kind: 'telemetry', message };
  }
  return { ok: true, kind: 'status', message };
}
