/** The demo's embedded MQTT broker (aedes, MQTT 3.1.1), on loopback only. */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  const close = () =>
    new Promise<void>((resolve) => {
      server.close();
      aedes.close(() => resolve());
    });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    // aedes keeps timers of its own: a broker that could not listen must not keep the process alive.
    await close();
    throw err;
  }
  const actual = (server.address() as AddressInfo).port;
  return { url: `mqtt://${host}:${actual}`, port: actual, close };
}
