/**
 * One request, one reply, one TCP connection: how every miner API here is spoken. Separate
 * connect and total deadlines (a dead host and a hung daemon fail differently), a cap on the reply
 * size, and the socket is destroyed on every path so a fleet of thousands never leaks descriptors.
 */
import { connect, type Socket } from 'node:net';
import { MinerError } from './errors.js';
import type { Framing } from './framing.js';

export interface Target {
  host: string;
  port: number;
}

export interface ExchangeOptions {
  connectTimeoutMs: number;
  /** Deadline for the whole exchange, connect included. */
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export function exchange(target: Target, request: Buffer, framing: Framing, options: ExchangeOptions): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new MinerError('aborted', 'cycle deadline passed before connecting'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const where = `${target.host}:${target.port}`;
    const socket: Socket = connect({ host: target.host, port: target.port });

    const finish = (error: MinerError | undefined, reply?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const onAbort = (): void => finish(new MinerError('aborted', `cycle deadline passed while talking to ${where}`));
    const connectTimer = setTimeout(
      () => finish(new MinerError('connect-timeout', `no connection to ${where} within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    const totalTimer = setTimeout(
      () => finish(new MinerError('timeout', `no complete reply from ${where} within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });

    socket.setNoDelay(true);
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) {
        finish(new MinerError('too-large', `reply from ${where} exceeds ${options.maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
      try {
        const reply = framing.complete(chunks.length === 1 ? chunk : Buffer.concat(chunks, size));
        if (reply) finish(undefined, reply);
      } catch (error) {
        finish(error as MinerError);
      }
    });
    const atEof = (): void => {
      if (size === 0) {
        finish(new MinerError('closed', `${where} closed the connection without replying`));
        return;
      }
      try {
        finish(undefined, framing.atEof(Buffer.concat(chunks, size)));
      } catch (error) {
        finish(error as MinerError);
      }
    };
    socket.on('end', atEof);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Some daemons reset instead of closing once they have written the reply.
      if (error.code === 'ECONNRESET' && size > 0) atEof();
      else finish(socketError(error, where));
    });
    socket.on('close', () => finish(new MinerError('closed', `${where} closed the connection without replying`)));
  });
}

function socketError(error: NodeJS.ErrnoException, where: string): MinerError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new MinerError('refused', `connection refused by ${where} (API disabled or wrong port?)`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ETIMEDOUT':
      return new MinerError('unreachable', `${where} unreachable (${error.code})`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new MinerError('closed', `${where} reset the connection`);
    default:
      return new MinerError('unreachable', `${where}: ${error.message}`);
  }
}
