// SIGHUP on real processes (real Mosquitto): the agent takes new sources and a new interval live,
// names each key that needs a restart, and keeps running its config when the file is bad YAML or
// invalid; the collector validates and names what needs a restart.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from './harness/index.js';
import { eventually } from './support/metrics.js';
import { partProcess, type PartProcess } from './support/part-process.js';

let mosquitto: MosquittoHandle;
let dir: string;
const parts: PartProcess[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), 'powersite-reload-'));
});
afterAll(async () => {
  for (const part of parts) part.child.kill('SIGKILL');
  await mosquitto?.stop();
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[]): PartProcess {
  // The broker URL from the environment, as systemd's EnvironmentFile would set it.
  const part = partProcess(args, 'info', { POWERSITE_MQTT_URL: mosquitto.url });
  parts.push(part);
  return part;
}

const agentYaml = (devices: number, maxBytes: string) =>
  `site: hup\nhost: gpu-01\ninterval: 1s\nstate_dir: ${join(dir, 'state')}\nspool: { release: broker, max_bytes: ${maxBytes} }\n` +
  `sources:\n  - { type: simulated, workload: hpc, kind: gpu, devices: ${devices}, model: Sim GPU, power_w: 300 }\n`;

it('agent: new sources applied live, a restart-only key named, bad files logged while it keeps publishing', async () => {
  const file = join(dir, 'agent.yaml');
  await writeFile(file, agentYaml(2, '64MiB'));
  const watch = await mqtt.connectAsync(mosquitto.url);
  const counts: number[] = [];
  watch.on('message', (_topic, payload) => counts.push((JSON.parse(payload.toString()) as { devices: unknown[] }).devices.length));
  await watch.subscribeAsync('powersite/v1/hup/gpu-01/telemetry', { qos: 1 });
  const agent = start(['agent', '-c', file]);
  await eventually(() => counts.includes(2), 60_000);

  await writeFile(file, agentYaml(3, '128MiB'));
  agent.child.kill('SIGHUP');
  await eventually(() => counts.at(-1) === 3, 30_000);
  const messages = () => agent.lines().map((l) => l.msg);
  expect(messages()).toEqual(expect.arrayContaining(['spool.max_bytes changed: restart to apply', 'config reloaded: applied sources', 'simulated(3 gpu): 3 GPUs (3× Sim GPU)']));

  // Bad YAML: logged with the file, the running config stays, telemetry goes on.
  await writeFile(file, 'site: hup\nsources: [\n');
  agent.child.kill('SIGHUP');
  await eventually(() => agent.lines().some((l) => l.msg.startsWith('config not reloaded') && l.msg.includes(file) && l.msg.includes('not valid YAML')), 30_000);
  // An invalid value: the error names the key.
  await writeFile(file, agentYaml(3, '128MiB').replace('interval: 1s', 'interval: soon'));
  agent.child.kill('SIGHUP');
  await eventually(() => agent.lines().some((l) => l.msg.startsWith('config not reloaded') && /interval/.test(l.msg)), 30_000);
  const seen = counts.length;
  await eventually(() => counts.length >= seen + 2, 30_000);
  expect(counts.slice(seen).every((n) => n === 3)).toBe(true);
  expect(agent.child.exitCode).toBeNull();
  await watch.endAsync();
}, 120_000);

it('collector: a reload validates the file and names each change that needs a restart', async () => {
  const file = join(dir, 'collector.yaml');
  await writeFile(file, 'http: { port: 0 }\nstale_intervals: 3\n');
  const collector = start(['collector', '-c', file]);
  await eventually(() => collector.infoMessages().includes('connected to MQTT broker'), 60_000);
  await writeFile(file, 'http: { port: 0 }\nstale_intervals: 5\n');
  collector.child.kill('SIGHUP');
  await eventually(() => collector.lines().some((l) => l.msg === 'stale_intervals changed: restart to apply'), 30_000);
  await writeFile(file, 'http: { port: 0 }\nstale_intervalz: 5\n');
  collector.child.kill('SIGHUP');
  await eventually(() => collector.lines().some((l) => l.msg.startsWith('config not reloaded') && l.msg.includes('stale_intervalz')), 30_000);
  expect(collector.child.exitCode).toBeNull();
}, 120_000);
