// `powersite agent` as systemd runs it: retained birth on connect, "offline/shutdown" on SIGTERM
// with exit code 0, and the broker's last will "offline/lost" when the process dies with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { eventually } from './support/metrics.js';
import { unitEnvironment } from './support/unit-environment.js';

const bin = fileURLToPath(new URL('../bin/powersite.js', import.meta.url));
let mosquitto: MosquittoHandle;
let dir: string;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), 'powersite-agent-proc-'));
});
afterAll(async () => {
  await mosquitto?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function agentProcess(host: string): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const config = join(dir, `${host}.yaml`);
  await writeFile(
    config,
    // No collector confirms here: the broker's PUBACK releases the spool (release: broker).
    `site: proc\nhost: ${host}\ninterval: 1s\nstate_dir: ${join(dir, host)}\nspool: { release: broker }\nsources:\n  - { type: simulated, workload: hpc, devices: 2, power_w: 500, utilization: 0.5 }\n`,
  );
  // The unit's own environment (its V8 flags); the broker URL as a systemd EnvironmentFile would set it.
  const child = spawn(process.execPath, [bin, 'agent', '--config', config], { stdio: 'ignore', env: { ...process.env, ...unitEnvironment('agent'), POWERSITE_MQTT_URL: mosquitto.url } });
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function watchStatus(host: string) {
  const client = await mqtt.connectAsync(mosquitto.url, { clientId: `watch-${host}` });
  const seen: Record<string, unknown>[] = [];
  let telemetry = 0;
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/status')) seen.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    else telemetry++;
  });
  await client.subscribeAsync([`powersite/v1/proc/${host}/status`, `powersite/v1/proc/${host}/telemetry`], { qos: 1 });
  return { seen, telemetry: () => telemetry, close: () => client.endAsync() };
}

it('publishes a retained birth, then offline on SIGTERM with exit code 0', async () => {
  const watch = await watchStatus('gpu-term');
  const { child, exited } = await agentProcess('gpu-term');
  await eventually(() => watch.seen.some((s) => s.state === 'online') && watch.telemetry() >= 2, 30_000);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await eventually(() => watch.seen.at(-1)?.state === 'offline');
  expect(watch.seen.at(-1)).toMatchObject({ site: 'proc', host: 'gpu-term', state: 'offline', reason: 'shutdown', spool_messages: 0, spool_dropped: 0 });
  await watch.close();
}, 60_000);

it('leaves the broker its last will when killed with SIGKILL', async () => {
  const watch = await watchStatus('gpu-kill');
  const { child, exited } = await agentProcess('gpu-kill');
  await eventually(() => watch.seen.some((s) => s.state === 'online'), 30_000);
  child.kill('SIGKILL');
  await exited;
  // Mosquitto notices the dead connection and publishes the will (retained).
  await eventually(() => watch.seen.at(-1)?.state === 'offline', 30_000);
  expect(watch.seen.at(-1)).toMatchObject({ host: 'gpu-kill', state: 'offline', reason: 'lost' });
  await watch.close();
}, 60_000);

it('the unit\'s NODE_OPTIONS are accepted by node and cap the heap', async () => {
  const env = unitEnvironment('agent');
  expect(env.NODE_OPTIONS).toBeDefined();
  // A flag node refuses in NODE_OPTIONS would stop the service from starting at all.
  const child = spawn(process.execPath, ['-p', 'require("node:v8").getHeapStatistics().heap_size_limit'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect({ code, err }).toEqual({ code: 0, err: '' });
  const cap = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS!)![1]) * 1024 * 1024;
  // The limit is the old space's cap plus the young generation: far below node's default of gigabytes.
  expect(Number(out)).toBeGreaterThanOrEqual(cap);
  expect(Number(out)).toBeLessThan(cap + 64 * 1024 * 1024);
});
