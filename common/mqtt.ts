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
    url: z.string().regex(/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/, 'expected a broker URL like mqtt://host:1883 or mqtts://host:8883').default('mqtt://localhost:1883').describe('Broker URL: mqtt://host:1883, or mqtts://host:8883 for TLS (then set `ca` unless the broker has a public certificate).'),
    username: z.string().optional().describe('MQTT username; the shipped ACL expects an agent\'s username to be its `host`.'),
    password: z.string().optional().describe('Prefer password_file or the POWERSITE_MQTT_PASSWORD variable: config files get copied around.'),
    password_file: z.string().optional().describe('File holding the MQTT password, readable by the service user only.'),
    ca: z.string().optional().describe("PEM file of the CA that signed the broker's certificate."),
    cert: z.string().optional().describe('Client certificate and key (PEM files) for mutual TLS.'),
    key: z.string().optional().describe('Private key (PEM file) of the client certificate `cert`.'),
    client_id: z.string().min(1).max(128).optional().describe('MQTT client id; default `powersite-agent-<site>-<host>` or `powersite-collector-<hostname>`, stable so the broker keeps the session across restarts.'),
    keepalive: Duration.prefault(30).describe('MQTT keepalive: the broker declares the client lost (and publishes its last will) after 1.5 times this without traffic.'),
    connect_timeout: Duration.prefault(10).describe('How long one connection attempt to the broker may take.'),
    reconnect_period: Duration.prefault(2).describe('First wait before reconnecting to a lost broker; it doubles while the broker stays away, up to 60s.'),
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
