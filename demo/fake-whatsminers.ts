/**
 * The demo's mining row of fake Whatsminers: one loopback TCP server each, speaking the CGMiner API
 * the way btminer does (one JSON request per connection, reply ended by NUL), so the demo's miners
 * go through the real `cgminer` source: detection, polling, parsing and power as reported.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FakeWhatsminer {
  /** TH/s and W at full speed; a slow wave moves both a little. */
  hashrateThs: number;
  powerW: number;
}

export interface FakeWhatsminerFleet {
  /** Where each miner listens, for a cgminer source's `miners:`. */
  miners: { host: string; port: number }[];
  close(): Promise<void>;
}

const status = (code: number, msg: string, ok = true) => [{ STATUS: ok ? 'S' : 'E', When: Math.floor(Date.now() / 1000), Code: code, Msg: msg, Description: 'btminer' }];

/** btminer's replies, with the fields the real firmware sends that the source reads. */
export function whatsminerReply(command: string, miner: FakeWhatsminer, index: number, nowMs: number): object {
  const wave = 1 + 0.03 * Math.sin(nowMs / 60_000 + index);
  const mhs = miner.hashrateThs * 1e6 * wave;
  const temp = 70 + 4 * Math.sin(nowMs / 90_000 + index);
  switch (command) {
    case 'summary':
      return {
        STATUS: status(11, 'Summary'),
        SUMMARY: [
          {
            Elapsed: Math.floor(nowMs / 1000) % 1_000_000, 'MHS av': mhs, 'MHS 5s': mhs, 'MHS 1m': mhs, 'MHS 5m': mhs, Accepted: 1000 + index, Rejected: 1,
            'Hardware Errors': 0, Temperature: temp, 'Fan Speed In': 5700, 'Fan Speed Out': 5600, Power: Math.round(miner.powerW * wave), Power_RT: Math.round(miner.powerW * wave),
          },
        ],
        id: 1,
      };
    case 'edevs':
      return { STATUS: status(9, '3 ASC(s)'), DEVS: [0, 1, 2].map((slot) => ({ ASC: slot, Slot: slot, Temperature: temp - slot })), id: 1 };
    default:
      return { STATUS: status(14, 'Invalid command', false), id: 1 };
  }
}

export async function startFakeWhatsminers(count: number, miner: FakeWhatsminer): Promise<FakeWhatsminerFleet> {
  const servers: Server[] = [];
  const miners: { host: string; port: number }[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((socket) => {
      let request = '';
      socket.setEncoding('utf8');
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: string) => {
        request += chunk;
        if (!request.includes('}')) return;
        let command = '';
        try {
          command = String((JSON.parse(request) as { command?: unknown }).command ?? '');
        } catch {
          // an unreadable request gets btminer's error reply
        }
        socket.end(`${JSON.stringify(whatsminerReply(command, miner, i, Date.now()))}\u0000`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    miners.push({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  }
  return {
    miners,
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}
