import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createSelfSignedCertificate,
  freePort,
  launch,
  makeTempDir,
  sampleValue,
  ServiceExitedError,
  startInflux,
  startMosquitto,
  startPrometheus,
} from './harness/index.js';

async function mqttClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(url, { reconnectPeriod: 0, ...options });
  onTestFinished(() => client.endAsync(true));
  return client;
}

/** Subscribes, then resolves with the first message on `topic`. */
async function nextMessage(client: MqttClient, topic: string): Promise<{ payload: string; retain: boolean }> {
  const received = new Promise<{ payload: string; retain: boolean }>((resolve) => {
    client.on('message', (t, payload, packet) => {
      if (t === topic) resolve({ payload: payload.toString(), retain: packet.retain });
    });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return received;
}

async function listenTcp(server: Server, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A node one-liner that listens on `port` and says so: a stand-in service for testing the process plumbing. */
function nodeListener(port: number, extra = ''): { command: string; args: string[]; ready: { logLine: RegExp } } {
  return {
    command: process.execPath,
    args: [
      '-e',
      `${extra}require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`,
    ],
    ready: { logLine: /^listening$/m },
  };
}

describe('service processes', () => {
  it('retries a port clash with fresh ports when the ports are its own to pick', async () => {
    const taken = await listenTcp(createTcpServer());
    const tried: number[] = [];
    const { service, port } = await launch(
      'listener',
      async () => {
        const port = tried.length === 0 ? taken : await freePort();
        tried.push(port);
        return { port, spec: nodeListener(port) };
      },
      { portsFixed: false },
    );
    onTestFinished(() => service.stop());
    expect(tried).toHaveLength(2);
    expect(tried[0]).toBe(taken);
    expect(port).toBe(tried[1]);
    expect(service.running).toBe(true);
  });

  it('fails with the end of the log when the process dies before it is ready, and leaves no dir', async () => {
    const taken = await listenTcp(createTcpServer());
    let dir = '';
    const failure = launch(
      'listener',
      async (d) => {
        dir = d;
        return { spec: nodeListener(taken) };
      },
      { portsFixed: true },
    );
    await expect(failure).rejects.toThrow(ServiceExitedError);
    await expect(failure).rejects.toThrow(/EADDRINUSE/);
    expect(existsSync(dir)).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the grace period is over, then removes its dir', async () => {
    const port = await freePort();
    const { service } = await launch(
      'stubborn',
      async () => ({
        spec: { ...nodeListener(port, "process.on('SIGTERM', () => {});"), stopGraceMs: 200 },
      }),
      { portsFixed: true },
    );
    await service.stop();
    expect(service.running).toBe(false);
    expect(existsSync(service.dir)).toBe(false);
    await expect(service.start()).rejects.toThrow(/stopped for good/);
  });
});

describe('mosquitto', () => {
  it('delivers a QoS 1 message from one client to another', async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const subscriber = await mqttClient(broker.url);
    const message = nextMessage(subscriber, 'powersite/v1/tx-1/gw-1/telemetry');
    const publisher = await mqttClient(broker.url);
    await publisher.publishAsync('powersite/v1/tx-1/gw-1/telemetry', '{"v":1}', { qos: 1 });
    expect(await message).toEqual({ payload: '{"v":1}', retain: false });
  });

  it('keeps retained messages on disk across a restart, and comes back after kill9 on the same port', async () => {
    const broker = await startMosquitto({ persistence: true });
    onTestFinished(() => broker.stop());
    const publisher = await mqttClient(broker.url);
    await publisher.publishAsync('powersite/v1/tx-1/gw-1/status', '{"state":"online"}', { qos: 1, retain: true });
    await publisher.endAsync();

    await broker.restart();
    // Written by the broker itself on the way down, even when the tests run as root.
    expect(existsSync(join(broker.dir, 'mosquitto.db'))).toBe(true);
    const afterRestart = await mqttClient(broker.url);
    expect(await nextMessage(afterRestart, 'powersite/v1/tx-1/gw-1/status')).toEqual({
      payload: '{"state":"online"}',
      retain: true,
    });

    await broker.kill9();
    await expect(connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 2_000 })).rejects.toThrow();
    await broker.start();
    const afterCrash = await mqttClient(broker.url);
    expect(afterCrash.connected).toBe(true);
  });

  it('speaks MQTT over TLS on a second listener', async () => {
    const certDir = await makeTempDir('certs');
    onTestFinished(() => rm(certDir, { recursive: true, force: true }));
    const { certFile, keyFile } = await createSelfSignedCertificate(certDir);
    const broker = await startMosquitto({ tls: { certFile, keyFile } });
    onTestFinished(() => broker.stop());
    expect(broker.tlsUrl).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
    const ca = await readFile(certFile);
    const subscriber = await mqttClient(broker.url);
    const message = nextMessage(subscriber, 'secure');
    const tlsPublisher = await mqttClient(broker.tlsUrl ?? '', { ca });
    await tlsPublisher.publishAsync('secure', 'over tls', { qos: 1 });
    expect((await message).payload).toBe('over tls');
    // A client that does not trust the certificate is refused.
    await expect(connectAsync(broker.tlsUrl ?? '', { reconnectPeriod: 0 })).rejects.toThrow(/self[- ]signed/i);
  });

  it('fails at once, in the broker\'s own words, when a fixed port is taken', async () => {
    const first = await startMosquitto();
    onTestFinished(() => first.stop());
    await expect(startMosquitto({ port: first.port })).rejects.toThrow(/Address already in use/);
  });

  it('refuses to start on a bad config and shows why', async () => {
    await expect(startMosquitto({ configExtra: 'no_such_option true' })).rejects.toThrow(/no_such_option/);
  });
});

describe('influxd', () => {
  it('stores a point written as line protocol and returns it to InfluxQL, also after a crash', async () => {
    const influx = await startInflux();
    onTestFinished(() => influx.stop());
    expect(influx.url).toBe(`http://127.0.0.1:${influx.port}`);
    await influx.createDatabase('powersite');
    await influx.write('powersite', 'power,site=tx-1,workload=mining watts=3245.5 1764000000000', 'ms');
    const expected = [{ time: 1764000000000, site: 'tx-1', workload: 'mining', watts: 3245.5 }];
    expect(await influx.rows('powersite', 'SELECT watts, site, workload FROM power')).toEqual(expected);

    await influx.kill9();
    await influx.start();
    expect(await influx.rows('powersite', 'SELECT watts, site, workload FROM power')).toEqual(expected);
  });

  it('reports InfluxQL errors instead of returning nothing', async () => {
    const influx = await startInflux();
    onTestFinished(() => influx.stop());
    await expect(influx.query('powersite', 'SELECT FROM')).rejects.toThrow(/InfluxDB query failed/);
    await expect(influx.write('nodb', 'm v=1')).rejects.toThrow(/database not found/);
  });
});

describe('prometheus', () => {
  it('scrapes a /metrics endpoint and evaluates rule files', async () => {
    const exporter = createHttpServer((_request, response) => {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end('# TYPE demo_metric gauge\ndemo_metric 42\n');
    });
    const exporterPort = await listenTcp(exporter);
    const ruleDir = await makeTempDir('rules');
    onTestFinished(() => rm(ruleDir, { recursive: true, force: true }));
    const ruleFile = join(ruleDir, 'rules.yml');
    await writeFile(ruleFile, 'groups:\n  - name: demo\n    rules:\n      - record: demo_metric:doubled\n        expr: demo_metric * 2\n');

    const prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${exporterPort}`], ruleFiles: [ruleFile] });
    onTestFinished(() => prometheus.stop());
    const scraped = await prometheus.waitFor('demo_metric', (result) => result.length > 0, 20_000);
    expect(scraped).toHaveLength(1);
    expect(scraped[0]?.metric).toEqual({ __name__: 'demo_metric', instance: `127.0.0.1:${exporterPort}`, job: 'powersite' });
    expect(scraped.map(sampleValue)).toEqual([42]);

    const recorded = await prometheus.waitFor('demo_metric:doubled', (result) => result.length > 0, 20_000);
    expect(recorded.map(sampleValue)).toEqual([84]);
    await expect(prometheus.query('sum(')).rejects.toThrow(/Prometheus query failed \(400\)/);
  });
});
