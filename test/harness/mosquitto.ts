import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { controls, launch, requireBinary, type ServiceControls } from './process.js';

/** The broker's certificate and key (PEM files), e.g. from createSelfSignedCertificate(). */
export interface MosquittoTls {
  certFile: string;
  keyFile: string;
}

export interface MosquittoOptions {
  /** Lines appended to the generated mosquitto.conf (later integer options override earlier ones). */
  configExtra?: string;
  /** Keep sessions and queued messages on disk in the temp dir, saved every second. */
  persistence?: boolean;
  /** Default true; turn off to test credentials (add password_file etc. through configExtra). */
  allowAnonymous?: boolean;
  /** Fixed plain-MQTT port; by default a free one. */
  port?: number;
  /** Adds a second listener speaking MQTT over TLS. */
  tls?: MosquittoTls;
}

export interface MosquittoHandle extends ServiceControls {
  /** mqtt://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** mqtts://127.0.0.1:TLSPORT when started with `tls`. */
  readonly tlsUrl: string | undefined;
  readonly tlsPort: number | undefined;
}

/** Starts a Mosquitto 2 broker on loopback, configured from scratch in a temp dir. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const command = requireBinary('mosquitto');
  const { service, port, tlsPort } = await launch(
    'mosquitto',
    async (dir) => {
      const port = options.port ?? (await freePort());
      const tlsPort = options.tls === undefined ? undefined : await freePort();
      const configFile = join(dir, 'mosquitto.conf');
      await writeFile(configFile, mosquittoConfig({ dir, port, tlsPort, options }));
      return {
        port,
        tlsPort,
        spec: { command, args: ['-c', configFile], ready: { logLine: RUNNING }, readyTimeoutMs: 10_000 },
      };
    },
    { portsFixed: options.port !== undefined },
  );
  return {
    ...controls(service),
    url: `mqtt://127.0.0.1:${port}`,
    port,
    tlsUrl: tlsPort === undefined ? undefined : `mqtts://127.0.0.1:${tlsPort}`,
    tlsPort,
  };
}

/** Logged once every listener is open. */
const RUNNING = /mosquitto version \S+ running/;

function mosquittoConfig({
  dir,
  port,
  tlsPort,
  options,
}: {
  dir: string;
  port: number;
  tlsPort: number | undefined;
  options: MosquittoOptions;
}): string {
  const lines = [
    // As root, Mosquitto drops to user `mosquitto`, which cannot write our temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${options.allowAnonymous ?? true}`,
    // Tests park a subscriber and publish bursts at it: queue generously instead of Mosquitto's 1000
    // (which drops messages silently), and let more QoS 1 messages be in flight than the default 20.
    'max_queued_messages 100000',
    'max_inflight_messages 1000',
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
  ];
  if (options.persistence === true) {
    // Saved every second, so kill9() loses about a second of broker state rather than half an hour.
    lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1');
  }
  if (options.tls !== undefined && tlsPort !== undefined) {
    lines.push(`listener ${tlsPort} 127.0.0.1`, `certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`);
  }
  if (options.configExtra !== undefined) lines.push(options.configExtra);
  return `${lines.join('\n')}\n`;
}
