/**
 * Where a reply ends on the wire. cgminer-family daemons send the JSON followed by one NUL
 * (cgminer api.c sends strlen+1 bytes) and some close without it; Whatsminer API v3 (port 4433)
 * prefixes every message, both ways, with its length as a 4-byte little-endian integer (Whatsminer
 * API v3.0.1; e.g. the ya-whatsminer-cli client packs it with Python's struct "<I").
 */
import { MinerError } from './errors.js';

export interface Framing {
  /** The complete reply payload once `received` holds all of it, else undefined. */
  complete(received: Buffer): Buffer | undefined;
  /** The reply when the peer closed the connection after sending `received` (non-empty). */
  atEof(received: Buffer): Buffer;
}

/** One request per connection; the reply ends at the first NUL, or at EOF for daemons that omit it. */
export const nulTerminated: Framing = {
  complete(received) {
    const end = received.indexOf(0);
    return end === -1 ? undefined : received.subarray(0, end);
  },
  atEof(received) {
    return received;
  },
};

const V3_HEADER_BYTES = 4;

export function encodeLengthPrefixed(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(V3_HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Whatsminer API v3 framing; a declared length above `maxBytes` is refused before it is read. */
export function lengthPrefixed(maxBytes: number): Framing {
  return {
    complete(received) {
      if (received.length < V3_HEADER_BYTES) return undefined;
      const length = received.readUInt32LE(0);
      if (length > maxBytes) throw new MinerError('too-large', `reply declares ${length} bytes, more than the ${maxBytes}-byte limit`);
      const end = V3_HEADER_BYTES + length;
      return received.length >= end ? received.subarray(V3_HEADER_BYTES, end) : undefined;
    },
    atEof(received) {
      const expected = received.length >= V3_HEADER_BYTES ? received.readUInt32LE(0) : undefined;
      throw new MinerError(
        'closed',
        expected === undefined
          ? 'connection closed inside the 4-byte length header'
          : `connection closed after ${received.length - V3_HEADER_BYTES} of ${expected} reply bytes`,
      );
    },
  };
}
