/**
 * Turns one cycle's device samples into telemetry payloads, split so no payload exceeds the size
 * limit. Each device is serialised once; payloads are assembled by concatenation.
 */
import type { DeviceSample } from '../protocol/index.js';

export interface BuiltMessage {
  seq: number;
  payload: string;
  devices: number;
}

export interface BuildInput {
  site: string;
  host: string;
  ts: number;
  intervalS: number;
  firstSeq: number;
  maxBytes: number;
  devices: readonly DeviceSample[];
}

export function buildTelemetry(input: BuildInput): BuiltMessage[] {
  const head = (seq: number) =>
    `{"v":1,"site":${JSON.stringify(input.site)},"host":${JSON.stringify(input.host)},"seq":${seq},"ts":${input.ts},"interval_s":${input.intervalS},"devices":[`;
  const overhead = Buffer.byteLength(head(Number.MAX_SAFE_INTEGER)) + 2;
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = overhead;
  for (const device of input.devices) {
    const json = JSON.stringify(device);
    const bytes = Buffer.byteLength(json) + 1;
    if (current.length > 0 && size + bytes > input.maxBytes) {
      chunks.push(current);
      current = [];
      size = overhead;
    }
    current.push(json);
    size += bytes;
  }
  // An empty cycle still sends a message: it proves the agent is alive and keeps seq contiguous.
  chunks.push(current);
  return chunks.map((devices, i) => {
    const seq = input.firstSeq + i;
    return { seq, payload: `${head(seq)}${devices.join(',')}]}`, devices: devices.length };
  });
}
