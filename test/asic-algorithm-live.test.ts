// An L3+ is never priced as bitcoin, end to end: fake miners replay the published replies of an
// Antminer L3+ (scrypt) and an S19 Pro; the real agent reads them over the CGMiner API and publishes
// through a real Mosquitto to a real collector, whose /metrics must price the S19 Pro alone, show the
// L3+'s hashrate apart, and call the site's mining revenue unknown while the L3+ hashes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import type { Collector } from '../collector/collector.js';
import { FakeMinerServer } from './fakes/cgminer-server.js';
import { realworldReplies } from './fixtures/asic/index.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { startCollector } from './support/collector.js';
import { eventually, metricValue, scrape } from './support/metrics.js';

const BTC_USD = 95_000;
const DIFFICULTY = 1.1e14;
const FEES = 0.03;
const POOL_FEE = 0.02;
// What the captures say (test/asic-realworld.test.ts works them out): the S19 Pro's rate_30m and the L3+'s "GHS 5s" in MH/s.
const S19_HS = 111975.81e9;
const L3_HS = 504.56e6;
const INTERVAL_S = 10;
const s19UsdPerHour = ((S19_HS * (3.125 + FEES) * (1 - POOL_FEE) * BTC_USD) / (DIFFICULTY * 2 ** 32)) * 3600;

const fakes = new FakeMinerServer();
let mosquitto: MosquittoHandle;
let collector: Collector;
let stateDir: string;
let agent: Agent;
let text: string;

async function fakeOf(dir: string) {
  const at = await fakes.listen({ replies: realworldReplies(dir) });
  return `${at.host}:${at.port}`;
}

beforeAll(async () => {
  mosquitto = await startMosquitto();
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-algo-'));
  collector = await startCollector({
    mqtt: { url: mosquitto.url, client_id: 'algo-collector' },
    economics: {
      energy: { price_usd_per_mwh: 80 },
      bitcoin: { btc_usd: BTC_USD, difficulty: DIFFICULTY, height: 920_000, fees_btc_per_block: FEES, pool_fee: POOL_FEE },
    },
  });
  const miners = [await fakeOf('antminer-l3plus'), await fakeOf('antminer-s19pro-cold')];
  agent = new Agent(
    AgentConfig.parse({ site: 'algo-site', host: 'gw-ltc', interval: `${INTERVAL_S}s`, state_dir: stateDir, mqtt: { url: mosquitto.url }, sources: [{ type: 'cgminer', miners, jitter: 0 }] }),
    { logger: silentLogger() },
  );
  await agent.start();
  const now = Date.now();
  for (const ts of [now - INTERVAL_S * 1000, now]) await agent.cycle(ts);
  text = await eventually(async () => {
    const t = await scrape(collector.metricsUrl);
    return (metricValue(t, 'powersite_collector_messages_total', { result: 'accepted', reason: 'none' }) ?? 0) >= 2 ? t : undefined;
  });
});

afterAll(async () => {
  await agent?.stop();
  await collector?.stop();
  await mosquitto?.stop();
  await fakes.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('a scrypt miner beside a SHA-256 one', () => {
  const mining = { site: 'algo-site', workload: 'mining' };

  it('bitcoin hashrate is the S19 Pro alone; the L3+ is shown apart by algorithm', () => {
    expect(metricValue(text, 'powersite_hashrate_hashes_per_second', mining)).toBeCloseTo(S19_HS, -3);
    expect(metricValue(text, 'powersite_other_hashrate_hashes_per_second', { ...mining, algorithm: 'scrypt' })).toBeCloseTo(L3_HS, -1);
  });

  it('the revenue counter advances by the S19 Pro only, and hashes count SHA-256 work only', () => {
    expect(metricValue(text, 'powersite_revenue_usd_total', mining)).toBeCloseTo(s19UsdPerHour * ((2 * INTERVAL_S) / 3600), 9);
    expect(metricValue(text, 'powersite_hashes_total', mining)).toBeCloseTo(S19_HS * 2 * INTERVAL_S, -6);
  });

  it("the site's mining revenue per hour is unknown (no series), not the S19 Pro's alone and not 0", () => {
    expect(metricValue(text, 'powersite_revenue_usd_per_hour', mining)).toBeUndefined();
    // The market itself is known: the hashprice is on /metrics.
    expect(Number(/^powersite_hashprice_usd_per_petahash_day(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});
