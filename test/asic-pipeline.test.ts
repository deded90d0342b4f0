// A mining LAN end to end: 600 fake CGMiner-API miners on loopback (replaying real firmware replies,
// a few hung or dead) polled by one agent, split across several messages, through a real Mosquitto
// to a real collector and a real InfluxDB. Every miner must arrive; hung and dead ones as up: false.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { FakeMinerServer } from './fakes/cgminer-server.js';
import { asicFixture } from './fixtures/asic/index.js';
import { startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const MINERS = 600;
const HUNG = new Set([7, 300, 599]);
/** Nothing listens at these: a miner unplugged. */
const DEAD = new Set([11, 420]);
const DB = 'powersite_lan';
const fakes = new FakeMinerServer();
let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let collector: Collector;
let agent: Agent;
let stateDir: string;
const addresses: string[] = [];

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-lan-'));
  const whatsminer = { replies: { summary: asicFixture('whatsminer-m31s-summary.json'), edevs: asicFixture('whatsminer-m31s-edevs.json') } };
  const antminer = {
    replies: {
      version: '{"STATUS":[{"STATUS":"S","Code":22,"Description":"cgminer 1.0.0"}],"VERSION":[{"Type":"Antminer S19 Pro"}],"id":1}',
      summary: asicFixture('antminer-s19pro-bmminer-summary.json'),
      stats: asicFixture('antminer-s19pro-bmminer-stats.json'),
    },
  };
  for (let i = 0; i < MINERS; i++) {
    if (DEAD.has(i)) {
      // The fakes listen on 127.0.0.1 only: nothing answers on another loopback address.
      addresses.push(`127.0.0.${240 + (addresses.length % 10)}:9`);
      continue;
    }
    const m = await fakes.listen(HUNG.has(i) ? { behaviour: 'hang' } : i % 2 ? whatsminer : antminer);
    addresses.push(`${m.host}:${m.port}`);
  }
  collector = await startCollector({ mqtt: { url: mosquitto.url, client_id: 'lan-collector' }, influx: { url: influx.url, database: DB, flush_interval: '200ms' } });
  agent = new Agent(
    AgentConfig.parse({
      site: 'lan-site',
      host: 'gw-row1',
      interval: '10s',
      state_dir: stateDir,
      max_message_bytes: '64KiB',
      mqtt: { url: mosquitto.url },
      sources: [{ type: 'cgminer', miners: addresses, timeout: '2s' }],
    }),
    { logger: silentLogger() },
  );
  await agent.start();
  await eventually(() => collector.connected);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await collector?.stop();
  await fakes.close();
  await Promise.all([mosquitto?.stop(), influx?.stop(), stateDir && rm(stateDir, { recursive: true, force: true })]);
});

it('every miner of a 600-miner LAN reaches InfluxDB and /metrics, hung and dead ones as down', async () => {
  const ts = Date.now();
  const report = await agent.cycle(ts);
  expect(report.devices).toBe(MINERS);
  expect(report.messages).toBeGreaterThan(1);

  const rows = await eventually(async () => {
    const r = await influx.rows(DB, `SELECT device, up, hashrate_hs, power_source FROM asic WHERE time = ${ts}ms`);
    return r.length === MINERS ? r : undefined;
  }, 30_000);
  expect(new Set(rows.map((r) => r.device))).toEqual(new Set(addresses));
  const down = rows.filter((r) => r.up === false).map((r) => r.device);
  expect(down.sort()).toEqual([...HUNG, ...DEAD].map((i) => addresses[i]).sort());
  const errors = await influx.rows(DB, `SELECT device, error FROM asic WHERE time = ${ts}ms AND up = false`);
  for (const r of errors) expect(r.error, String(r.device)).toMatch(DEAD.has(addresses.indexOf(r.device as string)) ? /refused/i : /no complete reply .* within 2000 ms/);
  for (const r of rows.filter((x) => x.up === true)) expect(r.hashrate_hs as number).toBeGreaterThan(1e12);
  // Stock Antminers report no power: estimated from the model table; Whatsminers report theirs.
  expect(new Set(rows.filter((r) => r.up === true).map((r) => r.power_source))).toEqual(new Set(['estimated', 'reported']));

  const messages = await influx.rows(DB, 'SELECT seq, devices FROM agent_message');
  expect(messages.reduce((n, m) => n + (m.devices as number), 0)).toBe(MINERS);

  const text = await scrape(collector.metricsUrl);
  expect(metricValue(text, 'powersite_devices', { site: 'lan-site', workload: 'mining', kind: 'asic', state: 'up' })).toBe(MINERS - HUNG.size - DEAD.size);
  expect(metricValue(text, 'powersite_devices', { site: 'lan-site', workload: 'mining', kind: 'asic', state: 'down' })).toBe(HUNG.size + DEAD.size);
  expect(metricValue(text, 'powersite_hashrate_hashes_per_second', { site: 'lan-site', workload: 'mining' })).toBeGreaterThan(1e16);
}, 120_000);
