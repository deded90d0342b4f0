/**
 * The agent's MQTT edge: QoS 1 telemetry, a retained status with a birth message on every connect,
 * a last will for when the agent vanishes, and an "offline" published by a clean shutdown.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { withDeadline } from '../common/deadline.js';
import type { Logger } from '../common/logger.js';
import { endClient, mqttOptions, reconnectWithBackoff, redactUrl, type MqttClientConfig } from '../common/mqtt.js';
import { Confirmation, confirmTopic, statusTopic, type Status } from '../protocol/index.js';
import { VERSION } from '../common/version.js';

export interface PublisherOptions {
  site: string;
  host: string;
  mqtt: MqttClientConfig;
  logger: Logger;
}

function statusPayload(site: string, host: string, state: Status['state'], extra: Partial<Status> = {}): string {
  const status: Status = { ...extra, v: 1, site, host, state, ts: Date.now(), version: VERSION };
  return JSON.stringify(status);
}

export class Publisher {
  private client: MqttClient | undefined;
  private connectedOnce = false;
  private readonly connectListeners: (() => void)[] = [];
  private readonly confirmListeners: ((ranges: [number, number][]) => void)[] = [];
  /** Extra fields of the birth message (spool state), read at each connect. */
  statusExtra: () => Partial<Status> = () => ({});
  /** In every status: lets the collector tell two agents configured with one host name apart. */
  private readonly instance = randomUUID().slice(0, 8);

  constructor(private readonly options: PublisherOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { site, host, logger } = this.options;
    const opts = await mqttOptions(this.options.mqtt, `powersite-agent-${site}-${host}`);
    const topic = statusTopic(site, host);
    opts.will = { topic, payload: Buffer.from(statusPayload(site, host, 'offline', { reason: 'lost', instance: this.instance })), qos: 1, retain: true };
    // A persistent session lets the broker finish in-flight QoS 1 exchanges across reconnects.
    opts.clean = false;
    // mqtt-packet's default pre-builds 65,536 two-byte Buffers for packet ids: ~7 MB of heap, a
    // tenth of the agent's memory, to save allocating two bytes per publish.
    opts.writeCache = false;
    const url = redactUrl(this.options.mqtt.url);
    const client = mqtt.connect(this.options.mqtt.url, opts);
    this.client = client;
    const confirms = confirmTopic(site, host);
    client.on('message', (topic, payload) => {
      if (topic !== confirms) return;
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        json = undefined;
      }
      const parsed = Confirmation.safeParse(json);
      if (!parsed.success) {
        logger.warn({ topic }, 'ignored a malformed delivery confirmation');
        return;
      }
      for (const listener of this.confirmListeners) listener(parsed.data.seqs);
    });
    client.on('connect', () => {
      // Collectors confirm what they stored here; the subscription is part of the persistent session too.
      client.subscribe(confirms, { qos: 1 }, (err, granted) => {
        if (err) logger.warn({ err: err.message }, 'could not subscribe to delivery confirmations');
        else if (granted?.some((g) => g.qos === 128)) logger.error({ topic: confirms }, 'the broker refused the delivery confirmations subscription (check the ACL): the spool will resend until it is allowed');
      });
      logger.info({ broker: url }, this.connectedOnce ? 'reconnected to MQTT broker' : 'connected to MQTT broker');
      this.connectedOnce = true;
      this.publishStatus();
      for (const listener of this.connectListeners) listener();
    });
    client.on('offline', () => logger.warn({ broker: url }, 'MQTT broker unreachable; telemetry is queued until it returns'));
    reconnectWithBackoff(client, logger, url);
  }

  /** (Re)publishes the retained "online" status with the current extras: at connect, and when they change. */
  publishStatus(): void {
    const client = this.client;
    if (!client?.connected) return;
    const { site, host, logger } = this.options;
    client.publish(statusTopic(site, host), statusPayload(site, host, 'online', { ...this.statusExtra(), instance: this.instance }), { qos: 1, retain: true }, (err) => {
      if (err) logger.warn({ err: err.message }, 'status not delivered');
    });
  }

    onConnect(listener: () => void): void {
    this.connectListeners.push(listener);
  }

  /** Seq ranges a collector confirmed as stored. */
  onConfirm(listener: (ranges: [number, number][]) => void): void {
    this.confirmListeners.push(listener);
  }

  /** Resolves when the broker acknowledged the message (PUBACK). */
  publish(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('publisher not started'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Clean shutdown: retained "offline", then disconnect without triggering the last will. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { site, host } = this.options;
    if (client.connected) {
      const offline = statusPayload(site, host, 'offline', { ...this.statusExtra(), reason: 'shutdown', instance: this.instance });
      await withDeadline(new Promise<void>((resolve) => client.publish(statusTopic(site, host), offline, { qos: 1, retain: true }, () => resolve())), 2000);
    }
    // Wait briefly for in-flight acks, then close regardless: a dead broker must not hang shutdown.
    await endClient(client, false, 3000);
    if (!client.disconnected) await client.endAsync(true);
    this.client = undefined;
  }
}
