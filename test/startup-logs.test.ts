// What the journal shows when an agent and a collector start: real processes, real Mosquitto and
// InfluxDB. Each says at info what it found (the sources' devices by model, the broker, the store),
// once; cycles after that add nothing at info.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInflux, startMosquitto, type InfluxHandle, type MosquittoHandle } from './harness/index.js';
import { eventually } from './support/metrics.js';
import { partProcess, type PartProcess } from './support/part-process.js';

let mosquitto: MosquittoHandle;
let influx: InfluxHandle;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInflux()]);
  dir = await mkdtemp(join(tmpdir(), 'powersite-startup-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([mosquitto?.stop(), influx?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[], level: string): PartProcess {
  const part = partProcess(args, level);
  children.push(part.child);
  return part;
}

it('agent and collector say once what they found and are quiet at info per cycle', async () => {
  await writeFile(join(dir, 'collector.yaml'), `mqtt: { url: "${mosquitto.url}" }\ninflux: { url: "${influx.url}", database: startup }\nhttp: { port: 0 }\n`);
  await writeFile(
    join(dir, 'agent.yaml'),
    `site: boot\nhost: gpu-01\ninterval: 1s\nstate_dir: ${join(dir, 'state')}\nmqtt: { url: "${mosquitto.url}" }\nsources:\n` +
      '  - { type: simulated, workload: hpc, kind: gpu, devices: 2, model: NVIDIA H100 80GB HBM3, power_w: 650 }\n' +
      '  - { type: simulated, workload: mining, kind: asic, devices: 3, down: 1, model: Antminer S21, power_w: 3500, hashrate_hs: 200e12 }\n',
  );
  const collector = start(['collector', '-c', join(dir, 'collector.yaml')], 'info');
  // Debug for the agent, only to count its cycles.
  const agent = start(['agent', '-c', join(dir, 'agent.yaml')], 'debug');
  const cycles = () => agent.lines().filter((l) => l.msg === 'cycle done').length;
  await eventually(() => cycles() >= 6 && collector.lines().some((l) => l.msg.startsWith('history store ready')), 90_000);

  const agentInfo = agent.infoMessages();
  expect(agentInfo).toEqual(
    expect.arrayContaining([
      'agent started',
      'connected to MQTT broker',
      'simulated(2 gpu): 2 GPUs (2× NVIDIA H100 80GB HBM3)',
      'simulated(3 asic): 3 miners, 1 down (3× Antminer S21)',
    ]),
  );
  const collectorInfo = collector.infoMessages();
  expect(collectorInfo).toEqual(
    expect.arrayContaining(['connected to MQTT broker', 'InfluxDB database, retention policies and downsampling in place', 'history store ready: first batch written to InfluxDB', 'collector started']),
  );
  // Six cycles and their stored batches later, no info line has come twice.
  for (const messages of [agentInfo, collectorInfo]) expect(messages).toEqual([...new Set(messages)]);
}, 120_000);
