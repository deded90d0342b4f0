/** Publishes pre-built messages at QoS 1 with a window of unacknowledged ones, as fast as the broker takes them, or paced. */
import mqtt from 'mqtt';
import type { Traffic } from './traffic.js';

const WINDOW = 500;

export async function publishAll(url: string, traffic: Traffic, clientId: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId });
  try {
    const { messages } = traffic;
    let next = 0;
    let done = 0;
    await new Promise<void>((resolve, reject) => {
      const send = (): void => {
        if (next >= messages.length) return;
        const m = messages[next++]!;
        client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
          if (err) return reject(err);
          if (++done === messages.length) resolve();
          else send();
        });
      };
      for (let i = 0; i < WINDOW; i++) send();
    });
  } finally {
    await client.endAsync();
  }
}

/**
 * Publishes `perSecond` messages a second for `seconds`, each stamped with the time it is sent,
 * so the collector's lag from sample to /metrics is the latency of the whole path.
 */
export async function publishPaced(url: string, make: (n: number, ts: number) => { topic: string; payload: Buffer }, perSecond: number, seconds: number, clientId: string): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId });
  const total = perSecond * seconds;
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  try {
    for (let n = 0; n < total; ) {
      // Catch up to where the clock says we should be (timers are coarse), then wait a tick.
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1);
      for (; n < due; n++) {
        const m = make(n, Date.now());
        sends.push(client.publishAsync(m.topic, m.payload, { qos: 1 }));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(sends);
  } finally {
    await client.endAsync();
  }
  return total;
}
