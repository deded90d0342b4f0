/** MQTT connection settings shared by agent and collector: URL, credentials and TLS material from files. */
import { readFile } from 'node:fs/promises';
import type { IClientOptions, MqttClient } from 'mqtt';
import { withDeadline } from './deadline.js';
import type { Logger } from './logger.js';
import { z } from 'zod';
import { Duration } from './units.js';
import { shownSecretPath } from './secret-path.js';

export const MqttClientConfig = z
  .object({
    url: z.string().regex(/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/, 'expected a broker URL like mqtt://host:1883 or mqtts://host:8883').default('mqtt://localhost:1883'),
    username: z.string().optional(),
    /** Prefer password_file or the POWERSITE_MQTT_PASSWORD variable: config files get copied around. */
    password: z.string().optional(),
    password_file: z.string().optional(),
    /** PEM file of the CA that signed the broker's certificate. */
    ca: z.string().optional(),
    /** Client certificate and key (PEM files) for mutual TLS. */
    cert: z.string().optional(),
    key: z.string().optional(),
    client_id: z.string().min(1).max(128).optional(),
    keepalive: Duration.prefault(30),
    connect_timeout: Duration.prefault(10),
    reconnect_period: Duration.prefault(2),
  })
  .strict();
export type MqttClientConfig = z.infer<typeof MqttClientConfig>;

export async function readSecretFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`cannot read ${what} file ${shownSecretPath(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Resolves files into mqtt.js options. Errors name the file, never its content. */
export async function mqttOptions(config: MqttClientConfig, clientId: string): Promise<IClientOptions> {
  const options: IClientOptions = {
    clientId: config.client_id ?? clientId,
    protocolVersion: 4,
    keepalive: Math.round(config.keepalive / 1000),
    connectTimeout: config.connect_timeout,
    reconnectPeriod: config.reconnect_period,
  };
  if (config.username !== undefined) options.username = config.username;
  if (config.password_file) options.password = (await readSecretFile(config.password_file, 'mqtt.password_file')).toString('utf8').trim();
  else if (config.password !== undefined) options.password = config.password;
  if (config.ca) options.ca = await readSecretFile(config.ca, 'mqtt.ca');
  if (config.cert) options.cert = await readSecretFile(config.cert, 'mqtt.cert');
  if (config.key) options.key = await readSecretFile(config.key, 'mqtt.key');
  return options;
}

/** The broker URL without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * Ends a client for good within `deadlineMs`. mqtt.js reconnects a client that is ended while it
 * is still connecting, which would keep a stopped process alive forever: reconnecting goes off first.
 */
export async function endClient(client: MqttClient, force: boolean, deadlineMs: number): Promise<void> {
  client.options.reconnectPeriod = 0;
  await withDeadline(client.endAsync(force), deadlineMs);
}

/** The longest wait between reconnection attempts: a broker down for hours is tried once a minute. */
export const MAX_RECONNECT_PERIOD_MS = 60_000;

/**
 * Reconnects with backoff (the configured period, doubling per failed attempt up to a minute,
 * back to the start once connected) and logs an error once per change, not once per attempt.
 */
export function reconnectWithBackoff(client: MqttClient, logger: Logger, broker: string): void {
  const base = client.options.reconnectPeriod ?? 1000;
  let lastError: string | undefined;
  client.on('connect', () => {
    lastError = undefined;
    if (client.options.reconnectPeriod) client.options.reconnectPeriod = base;
  });
  client.on('close', () => {
    // 0 means "ended for good" (endClient): keep it so.
    if (client.options.reconnectPeriod) client.options.reconnectPeriod = Math.min(MAX_RECONNECT_PERIOD_MS, client.options.reconnectPeriod * 2);
  });
  client.on('error', (err) => {
    if (err.message === lastError) return;
    lastError = err.message;
    logger.warn({ broker, err: err.message, next_attempt_s: (client.options.reconnectPeriod ?? 0) / 1000 }, 'MQTT error; retrying with backoff (logged again only if the error changes)');
  });
}
