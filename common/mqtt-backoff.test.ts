// A broker that is not there: attempts back off (doubling from the configured period) and the
// error is logged once, not once per attempt. Real mqtt.js against a loopback port nobody listens on.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { endClient, reconnectWithBackoff } from './mqtt.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('backs off and logs a refused connection once', async () => {
  const lines: { msg: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  const client = mqtt.connect(`mqtt://127.0.0.1:${await closedPort()}`, { reconnectPeriod: 20, connectTimeout: 1000 });
  reconnectWithBackoff(client, logger, 'test-broker');
  let closes = 0;
  await new Promise<void>((resolve) => client.on('close', () => ++closes === 5 && resolve()));
  // Five failed attempts: the period doubled after each, 20 ms → 640 ms; one log line for them all.
  expect(client.options.reconnectPeriod).toBe(640);
  expect(lines.filter((l) => l.msg.startsWith('MQTT error'))).toHaveLength(1);
  await endClient(client, true, 2000);
  expect(client.options.reconnectPeriod).toBe(0);
}, 60_000);
