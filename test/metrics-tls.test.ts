// /metrics and /healthz over TLS with basic auth from a Prometheus web-config file (the format
// node_exporter reads): refused without or with wrong credentials, served with the right ones, and
// scraped by a real Prometheus with the matching scrape config. A bad web-config file stops
// start-up naming the file and key, without echoing a hash.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config-file.js';
import { silentLogger } from '../common/logger.js';
import { Collector } from '../collector/collector.js';
import { CollectorConfig } from '../collector/config.js';
import { createSelfSignedCertificate, freePort, startMosquitto, startPrometheus, type CertificateFiles, type MosquittoHandle, type PrometheusHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';

const PASSWORD = 'scrape-secret-7f3a';
let dir: string;
let certs: CertificateFiles;
let webConfig: string;
let mosquitto: MosquittoHandle;
let collector: Collector;
let prometheus: PrometheusHandle | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powersite-web-'));
  certs = await createSelfSignedCertificate(dir);
  webConfig = join(dir, 'web.yml');
  // Relative paths, as node_exporter resolves them: next to the web-config file.
  await writeFile(webConfig, `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: ${bcrypt.hashSync(PASSWORD, 10)}\n`);
  mosquitto = await startMosquitto();
  collector = await startCollector({ mqtt: { url: mosquitto.url, client_id: 'tls-collector' }, http: { host: '127.0.0.1', port: await freePort(), web_config_file: webConfig } });
});

afterAll(async () => {
  await prometheus?.stop();
  await collector?.stop();
  await mosquitto?.stop();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string, auth?: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, collector.metricsUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(certs.certFile), headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/metrics behind a web-config file', () => {
  it('serves over TLS only, and only with the right credentials', async () => {
    expect(collector.metricsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // The site page and its JSON show the same money: the same guard.
    for (const path of ['/metrics', '/healthz', '/', '/api/site', '/api/site/history']) {
      expect((await get(path)).status).toBe(401);
      expect((await get(path, 'prometheus:wrong')).status).toBe(401);
      expect((await get(path, `nobody:${PASSWORD}`)).status).toBe(401);
    }
    const ok = await get('/metrics', `prometheus:${PASSWORD}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('powersite_collector_messages_total');
    // The verified password is remembered: a second scrape is served too (and not a stale 401).
    expect((await get('/healthz', `prometheus:${PASSWORD}`)).status).toBe(200);
    const page = await get('/', `prometheus:${PASSWORD}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>powersite');
    expect(JSON.parse((await get('/api/site', `prometheus:${PASSWORD}`)).body)).toHaveProperty('sites');
    // Plain HTTP on the TLS port gets no metrics.
    const plain = await fetch(collector.metricsUrl.replace('https:', 'http:')).then((r) => r.status, () => 'refused');
    expect(plain).not.toBe(200);
  });

  it('is scraped by a real Prometheus with basic_auth and tls_config', async () => {
    const port = new URL(collector.metricsUrl).port;
    prometheus = await startPrometheus({
      scrapeTargets: [`127.0.0.1:${port}`],
      scrapeJob: { scheme: 'https', basic_auth: { username: 'prometheus', password: PASSWORD }, tls_config: { ca_file: certs.certFile } },
    });
    const up = await prometheus.waitFor('up{job="powersite"}', (r) => r[0]?.value[1] === '1', 30_000);
    expect(up[0]?.value[1]).toBe('1');
    const series = await prometheus.waitFor('powersite_collector_build_info', (r) => r.length === 1, 30_000);
    expect(series.length).toBe(1);
  });

  it('stops start-up on a bad web-config file, naming the key, never the hash', async () => {
    const hash = bcrypt.hashSync(PASSWORD, 4);
    const bad = join(dir, 'bad.yml');
    await writeFile(bad, `tls_server_config:\n  cert_file: missing.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: ${hash}\n`);
    const start = (file: string) => new Collector(CollectorConfig.parse({ mqtt: { url: mosquitto.url }, http: { host: '127.0.0.1', port: 0, web_config_file: file } }), silentLogger()).start();
    const err = await start(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toContain('tls_server_config.cert_file');
    expect((err as Error).message).not.toContain(hash);
    // A plain-text password where the hash belongs is refused without being echoed.
    await writeFile(bad, `basic_auth_users:\n  prometheus: ${PASSWORD}\n`);
    const err2 = await start(bad).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ConfigError);
    expect((err2 as Error).message).toContain('basic_auth_users.prometheus');
    expect((err2 as Error).message).not.toContain(PASSWORD);
  });
});
