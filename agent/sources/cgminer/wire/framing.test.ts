import { describe, expect, it } from 'vitest';
import { MinerError } from './errors.js';
import { encodeLengthPrefixed, lengthPrefixed, nulTerminated } from './framing.js';

describe('nulTerminated', () => {
  it('ends the reply at the first NUL and ignores what follows', () => {
    expect(nulTerminated.complete(Buffer.from('{"id":1}'))).toBeUndefined();
    expect(nulTerminated.complete(Buffer.from('{"id":1}\0junk'))?.toString()).toBe('{"id":1}');
  });

  it('takes everything at EOF from daemons that send no NUL', () => {
    expect(nulTerminated.atEof(Buffer.from('{"id":1}')).toString()).toBe('{"id":1}');
  });
});

describe('Whatsminer API v3 length prefix', () => {
  it('encodes the JSON length as 4 bytes little-endian', () => {
    const frame = encodeLengthPrefixed({ cmd: 'get.miner.status', param: 'summary' });
    const json = '{"cmd":"get.miner.status","param":"summary"}';
    expect(frame.readUInt32LE(0)).toBe(json.length);
    expect(frame.subarray(0, 4)).toEqual(Buffer.from([json.length, 0, 0, 0]));
    expect(frame.subarray(4).toString()).toBe(json);
  });

  it('waits for the declared number of bytes, then returns exactly them', () => {
    const framing = lengthPrefixed(1024);
    const frame = encodeLengthPrefixed({ code: 0 });
    expect(framing.complete(frame.subarray(0, 3))).toBeUndefined();
    expect(framing.complete(frame.subarray(0, frame.length - 1))).toBeUndefined();
    expect(framing.complete(Buffer.concat([frame, Buffer.from('xx')]))?.toString()).toBe('{"code":0}');
  });

  it('refuses a declared length over the limit before reading it', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(5_000_000, 0);
    expect(() => lengthPrefixed(1024).complete(header)).toThrow(MinerError);
    expect(() => lengthPrefixed(1024).complete(header)).toThrow(/5000000 bytes/);
  });

  it('reports a connection closed mid-frame as closed', () => {
    const frame = encodeLengthPrefixed({ code: 0 });
    expect(() => lengthPrefixed(1024).atEof(frame.subarray(0, 6))).toThrow(/after 2 of 10 reply bytes/);
    expect(() => lengthPrefixed(1024).atEof(frame.subarray(0, 2))).toThrow(/inside the 4-byte length header/);
  });
});
