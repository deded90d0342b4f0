/**
 * Fake miners for tests: each listens on its own loopback address/port and replays recorded replies
 * per command, the way cgminer-family daemons and Whatsminer API v3 answer. It reads one request per
 * connection (`{"command":"summary"}`, `{"command":"summary+stats"}` or btminer's `{"cmd":…}`; for v3,
 * a 4-byte little-endian length then JSON), answers, appends the NUL terminator (unless told not to)
 * and closes. Per miner it can also be slow, hang, close early, or send garbage.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type FakeBehaviour =
  | 'reply' // answer normally
  | 'hang' // accept, read, never answer
  | 'close' // close as soon as the request arrives, sending nothing
  | 'truncate' // send the first half of the reply, then close
  | 'garbage'; // send bytes that are not JSON

export interface FakeMiner {
  /** Reply text per command (or per exact multi-command such as "summary+stats"). v3: per "cmd" or "cmd param". */
  replies?: Record<string, string>;
  /** One reply for every request, whatever it asks (e.g. a firmware that rejects the request format). */
  replyAll?: string;
  framing?: 'cgminer' | 'v3';
  /** Append the NUL terminator after a cgminer reply (default true). */
  nul?: boolean;
  delayMs?: number;
  behaviour?: FakeBehaviour;
}

/** cgminer's answer to a command it does not know (MSG_INVCMD). */
export const INVALID_COMMAND =
  '{"STATUS":[{"STATUS":"E","When":0,"Code":14,"Msg":"Invalid command","Description":"fake cgminer"}],"id":1}';
const V3_INVALID = '{"code":-1,"when":0,"msg":"invalid command","desc":"fake btminer"}';

export interface Listening {
  host: string;
  port: number;
  /** Requests received so far, as "command" or "cmd param" (v3). */
  requests: string[];
}

export class FakeMinerServer {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  /** Starts one fake miner; `miner` is read on every request, so tests may change it between polls. */
  async listen(miner: FakeMiner, host = '127.0.0.1', port = 0): Promise<Listening> {
    const requests: string[] = [];
    const server = createServer((socket) => this.serve(socket, miner, requests));
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake miner has no TCP address');
    return { host, port: address.port, requests };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.servers.length = 0;
  }

  private serve(socket: Socket, miner: FakeMiner, requests: string[]): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let received = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      received = Buffer.concat([received, chunk]);
      const request = miner.framing === 'v3' ? readV3Request(received) : readCgminerRequest(received);
      if (request === undefined) return;
      answered = true;
      requests.push(request);
      const behaviour = miner.behaviour ?? 'reply';
      if (behaviour === 'hang') return;
      if (behaviour === 'close') {
        socket.destroy();
        return;
      }
      const send = (): void => {
        if (socket.destroyed) return;
        const body = replyFor(miner, request);
        if (behaviour === 'garbage') socket.end(Buffer.from([0x16, 0x03, 0x01, 0x7b, 0xff, 0x00]));
        else if (behaviour === 'truncate') socket.end(body.subarray(0, Math.floor(body.length / 2)));
        else socket.end(body);
      };
      if (miner.delayMs) setTimeout(send, miner.delayMs);
      else send();
    });
  }
}

function readCgminerRequest(received: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(received.toString('utf8')) as { command?: unknown; cmd?: unknown };
    if (typeof parsed.command === 'string') return parsed.command;
    if (typeof parsed.cmd === 'string') return parsed.cmd;
    return '';
  } catch {
    return undefined; // not all of it yet
  }
}

function readV3Request(received: Buffer): string | undefined {
  if (received.length < 4 || received.length < 4 + received.readUInt32LE(0)) return undefined;
  const parsed = JSON.parse(received.subarray(4, 4 + received.readUInt32LE(0)).toString('utf8')) as { cmd?: string; param?: string };
  return parsed.param === undefined ? String(parsed.cmd) : `${parsed.cmd} ${parsed.param}`;
}

function replyFor(miner: FakeMiner, request: string): Buffer {
  if (miner.framing === 'v3') {
    const text = miner.replyAll ?? miner.replies?.[request] ?? miner.replies?.[request.split(' ')[0]!] ?? V3_INVALID;
    const body = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length, 0);
    return Buffer.concat([header, body]);
  }
  const text = miner.replyAll ?? cgminerReply(miner.replies ?? {}, request);
  return Buffer.from(miner.nul === false ? text : `${text}\0`, 'utf8');
}

/** Exact reply if recorded; a multi-command is composed like cgminer does: {"a":[<a>],"b":[<b>],"id":1}. */
function cgminerReply(replies: Record<string, string>, command: string): string {
  const exact = replies[command];
  if (exact !== undefined) return exact;
  const parts = command.split('+');
  if (parts.length === 1) return INVALID_COMMAND;
  return `{${parts.map((part) => `${JSON.stringify(part)}:[${(replies[part] ?? INVALID_COMMAND).trim()}]`).join(',')},"id":1}`;
}
