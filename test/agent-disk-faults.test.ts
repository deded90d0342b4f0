// An agent's disk fills up and goes read-only under it (a real tmpfs, mounted and remounted as
// root): the agent keeps publishing to a real Mosquitto from memory, says "degraded" with the
// reason in its retained status (a real collector shows it on /metrics), recovers by itself when
// the disk is back, and loses no seq. Files are 0600 in 0700 directories.
import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, readdir, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { statusTopic, telemetryTopic, type Status } from '../protocol/index.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const run = promisify(execFile);
const SITE = 'disk-site';
const HOST = 'gw-disk';

let mosquitto: MosquittoHandle;
let collector: Collector;
let watcher: MqttClient;
let mountPoint: string;
const seqs: number[] = [];
let status: Status | undefined;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  collector = await startCollector({ mqtt: { url: mosquitto.url, client_id: 'disk-collector' } });
  mountPoint = await mkdtemp(join(tmpdir(), 'powersite-disk-'));
  // 512 KiB: a few cycles of telemetry fit, and a filler file fills the rest.
  await run('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0755', 'tmpfs', mountPoint]);
  watcher = await mqtt.connectAsync(mosquitto.url, { clientId: 'disk-watcher' });
  watcher.on('message', (topic, payload) => {
    if (topic.endsWith('/telemetry')) seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq);
    else status = JSON.parse(payload.toString()) as Status;
  });
  await watcher.subscribeAsync({ [telemetryTopic(SITE, HOST)]: { qos: 1 }, [statusTopic(SITE, HOST)]: { qos: 1 } });
});

afterAll(async () => {
  await watcher?.endAsync();
  await collector?.stop();
  await mosquitto?.stop();
  if (mountPoint) {
    await run('umount', ['-l', mountPoint]).catch(() => {});
    await rm(mountPoint, { recursive: true, force: true });
  }
});

const agent = () =>
  new Agent(
    AgentConfig.parse({
      site: SITE,
      host: HOST,
      interval: '1h',
      state_dir: join(mountPoint, 'state'),
      mqtt: { url: mosquitto.url, reconnect_period: '200ms' },
      sources: [{ type: 'simulated', workload: 'mining', kind: 'asic', devices: 20, power_w: 3000, hashrate_hs: 1e14 }],
    }),
    { logger: silentLogger() },
  );

/** Writes zeros until the tmpfs refuses more (ENOSPC). */
async function fillDisk(path: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.alloc(16 * 1024);
    for (let i = 0; i < 1000; i++) await handle.write(chunk);
    throw new Error('the tmpfs never filled up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
}

const degradedAgents = async () => metricValue(await scrape(collector.metricsUrl), 'powersite_agents_degraded', { site: SITE });
const mode = async (path: string) => (await stat(path)).mode & 0o777;

it('keeps publishing through a full and a read-only disk, reports it, and recovers by itself', async () => {
  const t0 = Date.now() - 3_600_000;
  let i = 0;
  const cycle = (a: Agent) => a.cycle(t0 + i++ * 10_000);
  const a = agent();
  await a.start();
  try {
    await eventually(() => status?.state === 'online');
    await cycle(a);
    await cycle(a);
    await eventually(() => seqs.length === 2);
    expect(status?.degraded).toBeUndefined();

    // Private files in private directories.
    const stateDir = join(mountPoint, 'state');
    const spoolDir = join(stateDir, 'spool');
    expect(await mode(stateDir)).toBe(0o700);
    expect(await mode(spoolDir)).toBe(0o700);
    expect(await mode(join(stateDir, 'agent-state.json'))).toBe(0o600);
    await eventually(async () => (await readdir(spoolDir)).includes('cursor.json'));
    for (const f of await readdir(spoolDir)) expect({ f, mode: await mode(join(spoolDir, f)) }).toEqual({ f, mode: 0o600 });

    // Full disk: every write fails with ENOSPC, yet each cycle's message reaches the broker.
    const filler = join(mountPoint, 'filler');
    await fillDisk(filler);
    for (let k = 0; k < 3; k++) await cycle(a);
    await eventually(() => seqs.length === 5);
    await eventually(() => status?.degraded?.includes('ENOSPC'));
    expect(status?.degraded).toMatch(/spool: ENOSPC/);
    expect(status?.degraded).toMatch(/state: ENOSPC/);
    await eventually(async () => (await degradedAgents()) === 1);
    // Nothing was only in memory for long: the broker acknowledged each, so nothing is at risk.
    await eventually(() => a.spool.unsaved === 0);

    // The disk is back: the next cycle writes again, the status says so, and the saved seq is current.
    await unlink(filler);
    await cycle(a);
    await eventually(() => seqs.length === 6);
    await eventually(() => status !== undefined && status.degraded === undefined);
    await eventually(async () => (await degradedAgents()) === 0);
    expect(JSON.parse(await readFile(join(stateDir, 'agent-state.json'), 'utf8'))).toMatchObject({ seq: 6 });

    // Read-only remount (a failing disk's usual end): the same, with EROFS.
    // The kernel refuses (EBUSY) while a write is open on the file system: the agent's retries and
    // state saves open files briefly, so try again until one lands between them.
    await eventually(() => run('mount', ['-o', 'remount,ro', mountPoint]).then(() => true, () => false), 30_000);
    try {
      for (let k = 0; k < 2; k++) await cycle(a);
      await eventually(() => seqs.length === 8);
      await eventually(() => status?.degraded?.includes('EROFS'));
      await eventually(async () => (await degradedAgents()) === 1);
    } finally {
      await run('mount', ['-o', 'remount,rw', mountPoint]);
    }
    await cycle(a);
    await eventually(() => seqs.length === 9);
    await eventually(() => status !== undefined && status.degraded === undefined);
    expect(JSON.parse(await readFile(join(stateDir, 'agent-state.json'), 'utf8'))).toMatchObject({ seq: 9 });
  } finally {
    await a.stop();
  }
  // A restart continues the sequence: no seq was reused, none skipped, nothing dropped.
  const b = agent();
  await b.start();
  try {
    await cycle(b);
    await eventually(() => seqs.length === 10);
  } finally {
    await b.stop();
  }
  expect(seqs).toEqual(Array.from({ length: 10 }, (_, k) => k));
  expect(b.spool.dropped).toBe(0);
});
