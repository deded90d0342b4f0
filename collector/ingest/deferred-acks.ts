/**
 * MQTT.js sends a QoS 1 PUBACK as soon as `handleMessage` calls back, and reads the next message
 * only after that, so acknowledging after a batched database write would mean one message per
 * write. This moves the PUBACK under our control: `handleMessage` returns at once (the stream
 * flows), the automatic PUBACK is swallowed, and the real one is sent after `ack()` (with the others
 * acknowledged in the same turn of the event loop, or at once by `flush()`). Acks of
 * a connection that has since dropped are discarded: the broker redelivers those messages.
 *
 * MQTT.js's public `customHandleAcks` cannot do this: its PUBACK callback also gates reading the
 * next packet, so deferring it would serialise messages behind database writes. This therefore
 * relies on MQTT.js internals (`_sendPacket`, `handleMessage`): the exact version is pinned in
 * package.json, install refuses any other, and deferred-acks.test.ts proves the contract (no PUBACK
 * before ack(), reading goes on meanwhile) against a real broker.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';

/** The MQTT.js version this hook is proven with (package.json pins it exactly). */
export const MQTT_VERSION = '5.16.0';

export type MessageHandler = (topic: string, payload: Buffer, ack: () => void) => Promise<void> | undefined;

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/** What the collector holds of the hook: `flush` sends owed PUBACKs now (before ending the connection). */
export interface DeferredAcks {
  flush(): void;
}

export function installDeferredAcks(client: MqttClient, handler: MessageHandler): DeferredAcks {
  // The client's own class says which MQTT.js it is (MqttClient.VERSION): no package.json lookup,
  // which the single-file bundle could not do.
  const installed = (client.constructor as { VERSION?: unknown }).VERSION;
  if (installed !== MQTT_VERSION) {
    throw new Error(`ack-after-write is proven with mqtt ${MQTT_VERSION}, found ${installed}: run collector/ingest/deferred-acks.test.ts against it and update MQTT_VERSION`);
  }
  const internal = client as unknown as { _sendPacket: SendPacket };
  const send = internal._sendPacket.bind(client);
  const swallow = new Set<number>();
  let generation = 0;
  client.on('connect', () => {
    generation++;
    swallow.clear();
  });
  // PUBACKs are sent together once per turn of the event loop: MQTT.js writes each packet it is
  // given in a turn with one socket write, and one write per message cost more than the message.
  let owed: { id: number; born: number }[] = [];
  const flush = () => {
    const due = owed;
    owed = [];
    for (const { id, born } of due) if (born === generation && client.connected) send({ cmd: 'puback', messageId: id });
  };

  internal._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined && swallow.delete(packet.messageId)) {
      cb?.();
      return;
    }
    send(packet, cb, ...rest);
  };

  client.handleMessage = (packet: IPublishPacket, callback) => {
    const id = packet.messageId;
    const born = generation;
    let ack: () => void = () => {};
    if (packet.qos === 1 && id !== undefined) {
      swallow.add(id);
      let done = false;
      ack = () => {
        if (done) return;
        done = true;
        if (owed.length === 0) setImmediate(flush);
        owed.push({ id, born });
      };
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    let wait: Promise<void> | undefined;
    try {
      wait = handler(packet.topic, payload, ack);
    } catch {
      // The handler counts and logs its own failures; the stream must keep flowing.
      wait = undefined;
    }
    if (wait) void wait.then(() => callback(), () => callback());
    else callback();
  };
  return { flush };
}
