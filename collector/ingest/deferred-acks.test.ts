// The contract deferred acks rest on, checked against the MQTT.js version installed: with the hook
// installed the client keeps reading messages while none is acknowledged, sends no PUBACK until
// ack() is called, then exactly one for that message. A new MQTT.js that changes when PUBACKs go
// out fails here (and installDeferredAcks refuses any version but the pinned one).
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { installDeferredAcks, MQTT_VERSION } from './deferred-acks.js';

let broker: Aedes;
let server: Server;
let url: string;
/** Payloads whose PUBACK the broker received, in order. */
const acked: string[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker();
  broker.on('ack', (packet) => {
    if (packet && 'payload' in packet) acked.push(Buffer.from(packet.payload as Buffer).toString());
  });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

it('is pinned to the MQTT.js version it was proven with', async () => {
  const { createRequire } = await import('node:module');
  const installed = (createRequire(import.meta.url)('mqtt/package.json') as { version: string }).version;
  expect(installed).toBe(MQTT_VERSION);
  // The hook reads the version from the client's class, which the bundle keeps.
  expect(mqtt.MqttClient.VERSION).toBe(installed);
});

it('refuses a client of another MQTT.js version', () => {
  class OtherMqttClient extends mqtt.MqttClient {
    static override VERSION = '4.0.0';
  }
  const client = new OtherMqttClient(() => new PassThrough(), { manualConnect: true });
  expect(() => installDeferredAcks(client, () => undefined)).toThrow(`ack-after-write is proven with mqtt ${MQTT_VERSION}, found 4.0.0`);
});

it('reads on while nothing is acknowledged, and sends each PUBACK only when ack() is called', async () => {
  const subscriber = mqtt.connect(url, { clientId: 'deferred-sub', clean: false, manualConnect: true });
  const received: { payload: string; ack: () => void }[] = [];
  installDeferredAcks(subscriber, (_topic, payload, ack) => {
    received.push({ payload: payload.toString(), ack });
    return undefined;
  });
  subscriber.connect();
  await new Promise<void>((resolve) => subscriber.once('connect', () => resolve()));
  await subscriber.subscribeAsync('contract/#', { qos: 1 });

  const publisher = await mqtt.connectAsync(url, { clientId: 'deferred-pub' });
  for (const payload of ['m1', 'm2', 'm3']) await publisher.publishAsync('contract/t', payload, { qos: 1 });
  // All three handed over although none is acknowledged: the stream did not wait for a PUBACK.
  await until(() => received.length === 3);
  // Give a premature PUBACK every chance to arrive: a publish round trip on the subscriber's own connection.
  await subscriber.publishAsync('other/t', 'round trip', { qos: 1 });
  expect(acked).toEqual([]);

  received[1]!.ack();
  await until(() => acked.length === 1);
  expect(acked).toEqual(['m2']);
  received[1]!.ack(); // twice: still one PUBACK
  received[0]!.ack();
  received[2]!.ack();
  await until(() => acked.length === 3);
  await subscriber.publishAsync('other/t', 'round trip', { qos: 1 });
  expect(acked).toEqual(['m2', 'm1', 'm3']);
  await Promise.all([publisher.endAsync(), subscriber.endAsync()]);
});

it('sends the PUBACKs of messages acknowledged as they arrive together, not one socket write each', async () => {
  const subscriber = mqtt.connect(url, { clientId: 'deferred-batch', clean: false, manualConnect: true });
  const received: string[] = [];
  // As the collector without a store does: each message acknowledged the moment it is handled.
  installDeferredAcks(subscriber, (_topic, payload, ack) => {
    received.push(payload.toString());
    ack();
    return undefined;
  });
  subscriber.connect();
  await new Promise<void>((resolve) => subscriber.once('connect', () => resolve()));
  await subscriber.subscribeAsync('batch/#', { qos: 1 });
  const stream = subscriber.stream as unknown as { pause(): void; resume(): void; _write: (...a: unknown[]) => void; _writev?: (...a: unknown[]) => void };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = stream[method]?.bind(stream);
    if (original) stream[method] = (...a: unknown[]) => (writes++, original(...a));
  }
  // Not read until all 50 wait on the socket, so they arrive in a burst, as under load.
  stream.pause();
  const publisher = await mqtt.connectAsync(url, { clientId: 'deferred-batch-pub' });
  const before = acked.length;
  await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publishAsync('batch/t', `b${i}`, { qos: 1 })));
  stream.resume();
  await until(() => acked.length === before + 50);
  expect(received).toHaveLength(50);
  expect(acked.slice(before)).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`));
  expect(writes).toBeLessThan(50);
  await Promise.all([publisher.endAsync(), subscriber.endAsync()]);
});
