/**
 * A fake power meter on loopback: a real Modbus TCP server (modbus-serial's ServerTCP) answering
 * register reads from a function, so tests replay register words of real meters and the demo serves
 * a live site meter. It can misbehave as meters and RTU gateways do: hang, refuse (exception 2,
 * illegal address) or drop the connection.
 */
import { createServer } from 'node:net';
import { ServerTCP } from 'modbus-serial';

export type MeterBehaviour = 'ok' | 'hang' | 'refuse' | 'close';
export type RegisterTable = 'input' | 'holding';

export interface FakeMeter {
  host: string;
  port: number;
  behave(behaviour: MeterBehaviour): void;
  close(): Promise<void>;
}

/** 16-bit words from 0-based addresses; undefined = no such register (the meter answers exception 2). */
export type RegisterSource = (table: RegisterTable, address: number) => number | undefined;

/** Words of one value for a register file: writes `words` at `address` of `table`. */
export function registerFile(entries: readonly { table: RegisterTable; address: number; words: readonly number[] }[]): RegisterSource {
  const map = new Map<string, number>();
  for (const e of entries) e.words.forEach((w, i) => map.set(`${e.table}:${e.address + i}`, w));
  return (table, address) => map.get(`${table}:${address}`);
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startFakeMeter(registers: RegisterSource, unitId = 1): Promise<FakeMeter> {
  let behaviour: MeterBehaviour = 'ok';
  const port = await freeLoopbackPort();
  const read = (table: RegisterTable) => (address: number, length: number) => {
    // 'close' drops the connection before any answer leaves, so no request can slip through.
    if (behaviour === 'close') for (const sock of socks.keys()) sock.destroy();
    if (behaviour === 'hang' || behaviour === 'close') return Array.from({ length }, () => new Promise<number>(() => undefined));
    const words = Array.from({ length }, (_, i) => registers(table, address + i));
    if (behaviour === 'refuse' || words.some((w) => w === undefined)) throw { modbusErrorCode: 0x02, msg: 'Illegal data address' };
    return words as number[];
  };
  // 'close': every request drops its connection, as a gateway that lost the meter does.
  let socks = new Map<import('node:net').Socket, number>();
  const server = new ServerTCP(
    { getMultipleInputRegisters: read('input'), getMultipleHoldingRegisters: read('holding') } as never,
    { host: '127.0.0.1', port, unitID: unitId },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('serverError', reject);
  });
  // A client that hangs up mid-answer is the client's problem, not a reason to stop the demo.
  server.on('error', () => undefined);
  server.on('socketError', () => undefined);
  socks = (server as unknown as { socks: typeof socks }).socks;
  return {
    host: '127.0.0.1',
    port,
    behave: (b) => {
      behaviour = b;
      if (b === 'close') for (const sock of socks.keys()) sock.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of socks.keys()) sock.destroy();
        server.close(() => resolve());
      }),
  };
}
