// While no collector confirms anything (its database is down, or none runs), an agent sends its
// unconfirmed messages again less and less often, and at the first confirmation goes back to the
// configured timeout (real Mosquitto; the confirmation published as a collector would).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from '../agent/agent.js';
import { AgentConfig } from '../agent/config.js';
import { silentLogger } from '../common/logger.js';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { eventually } from './support/metrics.js';

let mosquitto: MosquittoHandle;
let stateDir: string;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  stateDir = await mkdtemp(join(tmpdir(), 'powersite-backoff-'));
});
afterAll(async () => {
  await mosquitto?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('backs off its resends while nothing is confirmed, and resets at the first confirmation', async () => {
  const agent = new Agent(
    AgentConfig.parse({
      site: 'bo-site',
      host: 'gw-1',
      interval: '10s',
      state_dir: stateDir,
      mqtt: { url: mosquitto.url, reconnect_period: '200ms' },
      spool: { confirm_timeout: '200ms' },
      sources: [{ type: 'simulated', workload: 'mining', kind: 'asic', devices: 2, power_w: 3000, hashrate_hs: 1e14 }],
    }),
    { logger: silentLogger() },
  );
  const resent = () => (agent as unknown as { forwarder: { resent: number } }).forwarder.resent;
  await agent.start();
  await eventually(() => (agent as unknown as { publisher: { connected: boolean } }).publisher.connected);
  await agent.cycle(Date.now());

  // Without backoff a 200 ms timeout would resend about 17 times in 3.5 s; doubling each round
  // (0.2, 0.4, 0.8, 1.6 s after each copy) leaves about 4.
  await sleep(3500);
  expect(resent()).toBeGreaterThanOrEqual(2);
  expect(resent()).toBeLessThanOrEqual(6);
  expect(agent.spool.depth).toBe(1);

  // A collector confirms seq 0: released, and the next message waits the plain timeout again.
  const collector = await mqtt.connectAsync(mosquitto.url, { clientId: 'bo-collector' });
  await collector.publishAsync('powersite/v1/bo-site/gw-1/confirm', JSON.stringify({ v: 1, seqs: [[0, 0]] }), { qos: 1 });
  await eventually(() => agent.spool.depth === 0);
  const before = resent();
  await agent.cycle(Date.now());
  await eventually(() => resent() > before, 2000);
  await collector.endAsync();
  await agent.stop();
});
