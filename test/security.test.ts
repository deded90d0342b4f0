// The shipped broker security (deploy/mosquitto/mosquitto.conf and acl) on a real Mosquitto, with
// only paths and ports changed: TLS, per-host passwords, the ACL, the broker's message limit and
// persistent queues; then the real collector and agent over TLS with credentials, a spoofed
// payload, and logs that never contain a password.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { controls, createSelfSignedCertificate, freePort, launch, makeTempDir, requireBinary, type CertificateFiles, type ServiceControls } from './harness/index.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const CONF = fileURLToPath(new URL('../deploy/mosquitto/mosquitto.conf', import.meta.url));
const ACL = fileURLToPath(new URL('../deploy/mosquitto/acl', import.meta.url));
const MIB = 1024 * 1024;

interface Broker extends ServiceControls {
  tlsUrl: string;
  plainUrl: string;
}

/** The deployed config with its paths and ports pointed at the test's own; fails if a line moved. */
function adaptConfig(conf: string, to: { dir: string; tlsPort: number; plainPort: number; certs: CertificateFiles; passwd: string }): string {
  const replacements: [RegExp, string][] = [
    [/^pid_file .*$/m, ''],
    [/^log_dest file .*$/m, 'log_dest stderr'],
    [/^password_file \/etc\/mosquitto\/passwd$/m, `password_file ${to.passwd}`],
    [/^acl_file \/etc\/mosquitto\/acl$/m, `acl_file ${ACL}`],
    [/^persistence_location \/var\/lib\/mosquitto\/$/m, `persistence_location ${to.dir}/`],
    [/^listener 8883$/m, `listener ${to.tlsPort} 127.0.0.1`],
    // Self-signed: the certificate is its own CA.
    [/^cafile \/etc\/mosquitto\/certs\/ca\.crt$/m, `cafile ${to.certs.certFile}`],
    [/^certfile \/etc\/mosquitto\/certs\/server\.crt$/m, `certfile ${to.certs.certFile}`],
    [/^keyfile \/etc\/mosquitto\/certs\/server\.key$/m, `keyfile ${to.certs.keyFile}`],
    [/^listener 1883 127\.0\.0\.1$/m, `listener ${to.plainPort} 127.0.0.1`],
  ];
  let adapted = conf;
  for (const [line, replacement] of replacements) {
    if (!line.test(adapted)) throw new Error(`deploy/mosquitto/mosquitto.conf has no line matching ${line}`);
    adapted = adapted.replace(line, replacement);
  }
  // As root, Mosquitto drops to user `mosquitto`, which cannot read our temp dir.
  return process.getuid?.() === 0 ? `user root\n${adapted}` : adapted;
}

async function startProductionBroker(certs: CertificateFiles, passwd: string): Promise<Broker> {
  const conf = readFileSync(CONF, 'utf8');
  const { service, tlsPort, plainPort } = await launch(
    'mosquitto-production',
    async (dir) => {
      const tlsPort = await freePort();
      const plainPort = await freePort();
      const configFile = join(dir, 'mosquitto.conf');
      await writeFile(configFile, adaptConfig(conf, { dir, tlsPort, plainPort, certs, passwd }));
      return {
        tlsPort,
        plainPort,
        spec: { command: requireBinary('mosquitto'), args: ['-c', configFile], ready: { logLine: /mosquitto version \S+ running/ }, readyTimeoutMs: 10_000 },
      };
    },
    { portsFixed: false },
  );
  return {
    ...controls(service),
    tlsUrl: `mqtts://127.0.0.1:${tlsPort}`,
    plainUrl: `mqtt://127.0.0.1:${plainPort}`,
  };
}

/** One password per user, random per run, so a search of the logs cannot hit it by chance. */
const passwords = { 'gpu-01': secret(), 'gpu-02': secret(), 'collector-1': secret(), 'collector-2': secret() };
type User = keyof typeof passwords;
function secret(): string {
  return randomBytes(18).toString('base64url');
}

let secrets: string;
let certs: CertificateFiles;
let ca: Buffer;
let broker: Broker;
let clientNumber = 0;

beforeAll(async () => {
  secrets = await makeTempDir('security');
  certs = await createSelfSignedCertificate(secrets);
  ca = readFileSync(certs.certFile);
  const passwd = join(secrets, 'passwd');
  const mosquittoPasswd = requireBinary('mosquitto_passwd');
  let create = true;
  for (const [user, password] of Object.entries(passwords)) {
    await promisify(execFile)(mosquittoPasswd, [...(create ? ['-c'] : []), '-b', passwd, user, password]);
    create = false;
  }
  for (const [user, password] of Object.entries(passwords)) await writeFile(join(secrets, `${user}.pass`), `${password}\n`, { mode: 0o600 });
  broker = await startProductionBroker(certs, passwd);
});

afterAll(async () => {
  await broker?.stop();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

function connect(user: User | undefined, options: IClientOptions & { url?: string } = {}): Promise<MqttClient> {
  const { url = broker.tlsUrl, ...rest } = options;
  const credentials = user === undefined ? {} : { username: user, password: passwords[user] };
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ca, clientId: `security-${clientNumber++}`, ...credentials, ...rest });
}

async function client(user: User, options: IClientOptions & { url?: string } = {}): Promise<MqttClient> {
  const c = await connect(user, options);
  onTestFinished(() => c.endAsync(true));
  return c;
}

/** Every message a client receives, in order; `live` leaves out retained messages replayed on subscribing. */
function record(c: MqttClient, { live = false } = {}): { topic: string; payload: string }[] {
  const seen: { topic: string; payload: string }[] = [];
  c.on('message', (topic, payload, packet) => {
    if (!(live && packet.retain)) seen.push({ topic, payload: payload.toString() });
  });
  return seen;
}

/** A collector user watching live traffic. */
async function collectorSubscriber(filter = 'powersite/v1/#') {
  const c = await client('collector-1');
  const seen = record(c, { live: true });
  await c.subscribeAsync(filter, { qos: 1 });
  return { client: c, seen };
}

describe('the deployed Mosquitto config', () => {
  it('refuses anonymous clients and wrong passwords on both listeners', async () => {
    await expect(connect(undefined)).rejects.toThrow(/not authori[sz]ed/i);
    await expect(connect(undefined, { url: broker.plainUrl })).rejects.toThrow(/not authori[sz]ed/i);
    await expect(connect(undefined, { username: 'gpu-01', password: 'not-the-password' })).rejects.toThrow(/not authori[sz]ed/i);
    await expect(connect(undefined, { username: 'nobody', password: passwords['gpu-01'] })).rejects.toThrow(/not authori[sz]ed/i);
    // Nor does a client that does not trust the broker's certificate get as far as the password.
    await expect(connect('gpu-01', { ca: undefined })).rejects.toThrow(/self[- ]signed/i);
    // The right password works on both.
    const plain = await client('gpu-01', { url: broker.plainUrl });
    expect(plain.connected).toBe(true);
  });

  it('lets a host publish its own telemetry, which a collector user receives', async () => {
    const collector = await collectorSubscriber();
    const host = await client('gpu-01');
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', 'own telemetry', { qos: 1 });
    // Retained, as the agent's status is: the next test checks that other hosts cannot read it either.
    const status = JSON.stringify({ v: 1, site: 'tx-1', host: 'gpu-01', state: 'online', ts: Date.now() });
    await host.publishAsync('powersite/v1/tx-1/gpu-01/status', status, { qos: 1, retain: true });
    await eventually(() => collector.seen.length === 2);
    expect(collector.seen).toEqual([
      { topic: 'powersite/v1/tx-1/gpu-01/telemetry', payload: 'own telemetry' },
      { topic: 'powersite/v1/tx-1/gpu-01/status', payload: status },
    ]);
  });

  it('drops what a host publishes as another host, another site, or outside powersite/', async () => {
    const collector = await collectorSubscriber('#');
    const host = await client('gpu-01');
    // MQTT 3.1.1 cannot refuse a publish: the broker acknowledges it and delivers it to no one.
    await host.publishAsync('powersite/v1/tx-1/gpu-02/telemetry', 'spoofed host', { qos: 1 });
    await host.publishAsync('powersite/v1/tx-2/gpu-01/telemetry', 'spoofed site', { qos: 1 });
    await host.publishAsync('elsewhere/gpu-01', 'outside', { qos: 1 });
    // A collector user writes nothing either (another collector's user: the client id is the user
    // name, so a second collector-1 connection would close the first).
    const reader = await client('collector-2');
    await reader.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', 'collector posing as a host', { qos: 1 });
    // Sentinels: the broker handles one client's publishes in order, so once each sentinel is
    // delivered, every earlier publish of that client has been either delivered or dropped.
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', 'sentinel', { qos: 1 });
    await eventually(() => collector.seen.some((m) => m.payload === 'sentinel'));
    expect(collector.seen).toEqual([{ topic: 'powersite/v1/tx-1/gpu-01/telemetry', payload: 'sentinel' }]);
  });

  it('gives a host nothing of other hosts, even when it subscribes to everything', async () => {
    const collector = await collectorSubscriber();
    const snoop = await client('gpu-02');
    const snooped = record(snoop);
    await snoop.subscribeAsync(
      { 'powersite/v1/tx-1/gpu-01/telemetry': { qos: 1 }, 'powersite/v1/#': { qos: 1 }, '#': { qos: 1 }, '$share/snoops/powersite/v1/#': { qos: 1 } },
    );
    const host = await client('gpu-01');
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', 'private', { qos: 1 });
    await eventually(() => collector.seen.some((m) => m.payload === 'private'));
    // The broker has now routed "private"; anything it sent the snoop precedes the acknowledgement
    // of the snoop's own later publish on the same connection.
    await snoop.publishAsync('powersite/v1/tx-1/gpu-02/telemetry', 'snoop sentinel', { qos: 1 });
    await eventually(() => collector.seen.some((m) => m.payload === 'snoop sentinel'));
    expect(snooped).toEqual([]);
  });

  it('lets only collectors write a host\'s delivery confirmations, and only that host read them', async () => {
    const host = await client('gpu-01');
    const received = record(host);
    await host.subscribeAsync('powersite/v1/tx-1/gpu-01/confirm', { qos: 1 });
    const snoop = await client('gpu-02');
    const snooped = record(snoop);
    await snoop.subscribeAsync({ 'powersite/v1/tx-1/gpu-01/confirm': { qos: 1 }, 'powersite/v1/+/+/confirm': { qos: 1 }, '#': { qos: 1 } });
    // A host confirming its own messages (releasing its spool unstored), or another host's: dropped.
    await host.publishAsync('powersite/v1/tx-1/gpu-01/confirm', '{"v":1,"seqs":[[0,99]]}', { qos: 1 });
    await snoop.publishAsync('powersite/v1/tx-1/gpu-01/confirm', '{"v":1,"seqs":[[100,199]]}', { qos: 1 });
    const collector = await client('collector-1');
    await collector.publishAsync('powersite/v1/tx-1/gpu-01/confirm', '{"v":1,"seqs":[[7,7]]}', { qos: 1 });
    await eventually(() => received.length > 0);
    expect(received).toEqual([{ topic: 'powersite/v1/tx-1/gpu-01/confirm', payload: '{"v":1,"seqs":[[7,7]]}' }]);
    // Anything routed to the snoop precedes the acknowledgement of its own later publish.
    const watcher = await collectorSubscriber();
    await snoop.publishAsync('powersite/v1/tx-1/gpu-02/telemetry', 'snoop sentinel', { qos: 1 });
    await eventually(() => watcher.seen.some((m) => m.payload === 'snoop sentinel'));
    expect(snooped).toEqual([]);
  });

  it('passes a payload over the collector\'s 1 MiB limit on to it, and closes a connection over max_packet_size, naming the host in its log', async () => {
    const limit = CollectorConfig.parse({}).limits.max_message_bytes;
    expect(limit).toBe(MIB);
    const conf = readFileSync(CONF, 'utf8');
    // message_size_limit would drop what exceeds it silently (Mosquitto 2.0 counts it nowhere).
    expect(conf).not.toMatch(/^message_size_limit/m);
    const maxPacket = Number(/^max_packet_size (\d+)$/m.exec(conf)?.[1]);
    expect(maxPacket).toBeGreaterThan(limit);
    const collector = await collectorSubscriber();
    const host = await client('gpu-01');
    // 1.41 MB, as the hostile host of the issue sent: the collector gets it (and counts it too_large, below).
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', Buffer.alloc(1_410_000, 'x'), { qos: 1 });
    await eventually(() => collector.seen.length > 0);
    expect(collector.seen.map((m) => m.payload.length)).toEqual([1_410_000]);
    // Over the packet limit: the broker closes the sender's connection and says who it was.
    const logStart = readFileSync(broker.logFile, 'utf8').length;
    const oversize = await connect('gpu-01', { clientId: 'gpu-01' });
    const closed = new Promise<void>((resolve) => oversize.once('close', () => resolve()));
    oversize.publish('powersite/v1/tx-1/gpu-01/telemetry', Buffer.alloc(maxPacket, 'z'), { qos: 0 });
    await closed;
    oversize.end(true);
    await eventually(() => readFileSync(broker.logFile, 'utf8').slice(logStart).includes('Client gpu-01 disconnected due to oversize packet'));
    expect(collector.seen).toHaveLength(1);
  });

  it('lets a host retain only its own telemetry and status, however many topics it tries', async () => {
    const host = await client('gpu-02');
    for (let i = 0; i < 20; i++) await host.publishAsync(`powersite/v1/tx-1/gpu-02/telemetry/${i}`, `hoard ${i}`, { qos: 1, retain: true });
    await host.publishAsync('powersite/v1/tx-1/gpu-02/status', 'kept status', { qos: 1, retain: true });
    // A new subscriber gets every retained message under the host's prefix on subscribing.
    const reader = await client('collector-2');
    const retained = record(reader);
    await reader.subscribeAsync('powersite/v1/tx-1/gpu-02/#', { qos: 1 });
    await host.publishAsync('powersite/v1/tx-1/gpu-02/telemetry', 'sentinel', { qos: 1 });
    await eventually(() => retained.some((m) => m.payload === 'sentinel'));
    expect(retained).toEqual([
      { topic: 'powersite/v1/tx-1/gpu-02/status', payload: 'kept status' },
      { topic: 'powersite/v1/tx-1/gpu-02/telemetry', payload: 'sentinel' },
    ]);
  });

  it('ties client ids to user names: a host can take neither the collector\'s session nor another host\'s', async () => {
    const collector = await client('collector-1', { clientId: 'powersite-collector-c1', clean: false });
    await collector.subscribeAsync('powersite/v1/+/+/telemetry', { qos: 1 });
    const seen = record(collector);
    const victim = await client('gpu-02', { clientId: 'powersite-agent-tx-1-gpu-02' });
    let drops = 0;
    collector.on('close', () => drops++);
    victim.on('close', () => drops++);
    // gpu-01's credentials with the client ids of the collector (its user's and its configured
    // one) and of the other agent, clean session: each used to close that session, or wipe it.
    for (const clientId of ['collector-1', 'powersite-collector-c1', 'gpu-02', 'powersite-agent-tx-1-gpu-02']) {
      const attacker = await connect('gpu-01', { clientId, clean: true });
      await attacker.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', `as ${clientId}`, { qos: 1 });
      await attacker.endAsync();
    }
    // The collector's session kept its subscription and got all four; nobody was knocked off.
    await eventually(() => seen.length === 4);
    expect(drops).toBe(0);
    expect(collector.connected && victim.connected).toBe(true);
  });

  it('keeps a collector\'s queued messages across a broker restart', async () => {
    const session = { clientId: 'security-persistent-collector', clean: false };
    const first = await connect('collector-1', session);
    await first.subscribeAsync('powersite/v1/+/+/telemetry', { qos: 1 });
    await first.endAsync();
    const host = await connect('gpu-01');
    for (let i = 0; i < 3; i++) await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', `queued ${i}`, { qos: 1 });
    await host.endAsync();

    await broker.restart();
    const back = await connect('collector-1', session);
    onTestFinished(() => back.endAsync(true));
    const seen = record(back);
    await eventually(() => seen.length === 3);
    expect(seen.map((m) => m.payload)).toEqual(['queued 0', 'queued 1', 'queued 2']);
  });
});

describe('collector and agent over TLS with credentials', () => {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) }));
  let collector: Collector;
  let stateDir: string;

  const agentConfig = (user: User, passwordFile: string) =>
    AgentConfig.parse({
      site: 'tx-1',
      host: user,
      interval: '10s',
      state_dir: join(stateDir, user),
      mqtt: { url: broker.tlsUrl, username: user, password_file: passwordFile, ca: certs.certFile },
      sources: [{ type: 'simulated', workload: 'hpc', devices: 2, power_w: 500, utilization: 0.5 }],
    });

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'powersite-security-agent-'));
    collector = new Collector(
      CollectorConfig.parse({
        mqtt: { url: broker.tlsUrl, username: 'collector-1', password_file: join(secrets, 'collector-1.pass'), ca: certs.certFile, client_id: 'security-collector', share_group: 'collectors' },
        http: { host: '127.0.0.1', port: 0 },
      }),
      logger.child({ name: 'collector' }),
    );
    await collector.start();
    await eventually(() => collector.connected);
  });

  afterAll(async () => {
    await collector?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('delivers an agent\'s telemetry to the collector end to end', async () => {
    const agent = new Agent(agentConfig('gpu-01', join(secrets, 'gpu-01.pass')), { logger: logger.child({ name: 'agent' }) });
    await agent.start();
    try {
      await eventually(() => agent.pendingMessages === 0 && logs.some((l) => l.includes('"name":"agent"') && l.includes('connected to MQTT broker')));
      await agent.cycle(Date.now());
      const text = await eventually(async () => {
        const t = await scrape(collector.metricsUrl);
        return metricValue(t, 'powersite_power_watts', { site: 'tx-1', workload: 'hpc' }) === 1000 ? t : undefined;
      });
      expect(metricValue(text, 'powersite_devices', { site: 'tx-1', workload: 'hpc', kind: 'gpu', state: 'up' })).toBe(2);
      expect(metricValue(text, 'powersite_gpu_utilization_ratio', { site: 'tx-1', workload: 'hpc' })).toBe(0.5);
      // Over TLS, through the ACL: the collector's confirmation reached the agent, which released its spool.
      await eventually(() => agent.pendingMessages === 0);
    } finally {
      await agent.stop();
    }
  });

  it('rejects and counts a payload that names another host than its topic', async () => {
    const before = metricValue(await scrape(collector.metricsUrl), 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' })!;
    const host = await client('gpu-01');
    const telemetry = { v: 1, site: 'tx-1', host: 'gpu-01', seq: 0, ts: Date.now(), interval_s: 10, devices: [] };
    // The ACL lets gpu-01 publish only on its own topic; the payload is where it could still lie.
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', JSON.stringify({ ...telemetry, host: 'gpu-02' }), { qos: 1 });
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', JSON.stringify({ ...telemetry, site: 'tx-2' }), { qos: 1 });
    const text = await eventually(async () => {
      const t = await scrape(collector.metricsUrl);
      return metricValue(t, 'powersite_collector_messages_total', { result: 'rejected', reason: 'topic_mismatch' }) === 2 ? t : undefined;
    });
    expect(metricValue(text, 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' })).toBe(before);
    expect([...collector.state.activity().keys()]).toEqual(['tx-1']);
  });

  it('counts a payload over its 1 MiB limit as too_large, which the broker let through', async () => {
    const host = await client('gpu-01');
    await host.publishAsync('powersite/v1/tx-1/gpu-01/telemetry', Buffer.alloc(1_410_000, 'x'), { qos: 1 });
    await eventually(async () => metricValue(await scrape(collector.metricsUrl), 'powersite_collector_messages_total', { result: 'rejected', reason: 'too_large' }) === 1);
    expect(logs.some((l) => l.includes('"reason":"too_large"') && l.includes('powersite/v1/tx-1/gpu-01/telemetry'))).toBe(true);
  });

  it('writes no password into the logs, at debug level, on success or on a refused login', async () => {
    const wrong = secret();
    const wrongFile = join(secrets, 'wrong.pass');
    await writeFile(wrongFile, wrong);
    const intruder = new Agent(agentConfig('gpu-02', wrongFile), { logger: logger.child({ name: 'intruder' }) });
    await intruder.start();
    try {
      await eventually(() => logs.some((l) => l.includes('"name":"intruder"') && /not authori[sz]ed/i.test(l)));
    } finally {
      await intruder.stop();
    }
    const text = logs.join('');
    // The log holds what it should (so the search below searched something real)...
    expect(text).toContain('connected to MQTT broker');
    expect(text).toContain('message rejected');
    expect(text).toContain('"level":20');
    // ...and none of the secrets.
    for (const password of [...Object.values(passwords), wrong]) expect(text).not.toContain(password);
  });
});
