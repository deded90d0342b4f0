// Every captured Redfish tree in fixtures/ served by a real HTTPS BMC on loopback, read by the real
// source: the figure each must give, and why (fixtures/SOURCES.md describes the captures).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBmc, treeFromDir, type FakeBmc } from '../../../demo/fake-bmc.js';
import { createSelfSignedCertificate, type CertificateFiles } from '../../../test/harness/certs.js';
import { silentLogger } from '../../../common/logger.js';
import { RedfishConfig } from './definition.js';
import { RedfishSource } from './index.js';
import { powerControlWatts, sensorPower, toSensor } from './power.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const PASSWORD = 'calvin-not-really';

let dir: string;
let certs: CertificateFiles;
let passwordFile: string;
const servers: FakeBmc[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'redfish-'));
  certs = await createSelfSignedCertificate(dir);
  passwordFile = join(dir, 'bmc.pass');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function bmc(set: string): Promise<FakeBmc> {
  const server = await startFakeBmc({
    resource: treeFromDir(join(FIXTURES, set)),
    cert: await readFile(certs.certFile),
    key: await readFile(certs.keyFile),
    username: 'root',
    password: PASSWORD,
  });
  servers.push(server);
  return server;
}

function source(url: string, extra: Record<string, unknown> = {}) {
  const config = RedfishConfig.parse({ type: 'redfish', url, username: 'root', password_file: passwordFile, ca: certs.certFile, timeout: '2s', ...extra });
  return new RedfishSource(config, { logger: silentLogger(), intervalMs: 10_000, hostName: 'gpu-01' });
}

async function readOnce(url: string, extra: Record<string, unknown> = {}) {
  const s = source(url, extra);
  try {
    return (await s.read(AbortSignal.timeout(10_000)))[0]!;
  } finally {
    await s.close();
  }
}

describe('redfish source against every captured BMC', () => {
  it('HPE XL675d (iLO 5): PowerControl 894 W, not the three PSUs that each say 894', async () => {
    const server = await bmc('hpe-apollo6500-xl675d-gen10plus-a100');
    const r = await readOnce(server.url);
    expect(r).toMatchObject({ id: '127.0.0.1', kind: 'meter', up: true, power_w: 894, power_source: 'measured', covers: ['gpu-01'], vendor: 'HPE', model: 'ProLiant XL675d Gen10 Plus' });
    // iLO links end in "/": the reader walked root → collection → chassis 1 → Power without a miss.
    expect(server.requests).toEqual(['/redfish/v1', '/redfish/v1/Chassis', '/redfish/v1/Chassis/1', '/redfish/v1/Chassis/1/Power']);
  });

  it('HPE Cray EX235n: no PowerControl; the node\'s input sensor 467 W and its joule counter, GPU sensors without readings ignored', async () => {
    const server = await bmc('hpe-cray-ex235n-a100-blade');
    const r = await readOnce(server.url);
    expect(r).toMatchObject({ up: true, power_w: 467, device_energy_j: 401_457_377 });
  });

  it('GIGABYTE (AMI): PowerControl is Disabled/Critical, so its 100 W is not trusted; the lone power sensor gives 196 W; the 468 J "energy" is not the input counter', async () => {
    const server = await bmc('gigabyte-h262-z63-ami');
    const r = await readOnce(server.url);
    expect(r).toMatchObject({ up: true, power_w: 196 });
    expect(r.device_energy_j).toBeUndefined();
  });

  it('Delta GB200 power shelf: total_power_in 1,749 W from the expanded sensors (not a PSU, not the output, not the 3 W hot-swap)', async () => {
    const server = await bmc('nvidia-gb200-nvl-powershelf-delta-33kw');
    const r = await readOnce(server.url, { covers: ['rack-a1'] });
    expect(r).toMatchObject({ up: true, power_w: 1749, covers: ['rack-a1'] });
    // Per-PSU kWh and short joule counters are not a chassis counter: the agent integrates power instead.
    expect(r.device_energy_j).toBeUndefined();
  });

  it('LITE-ON GB200 power shelf: the first chassis is an empty twin; the second shows chassis_input_power 4,252 W', async () => {
    const server = await bmc('nvidia-gb200-nvl-powershelf-liteon');
    const s = source(server.url);
    const r = (await s.read(AbortSignal.timeout(10_000)))[0]!;
    expect(r).toMatchObject({ up: true, power_w: 4252, model: 'PF-1333-7RB' });
    expect(s.stats()).toMatchObject({ chassis: '/redfish/v1/Chassis/powershelf' });
    // Found once: the next poll goes straight to that chassis.
    server.requests.length = 0;
    expect((await s.read(AbortSignal.timeout(10_000)))[0]).toMatchObject({ power_w: 4252 });
    expect(server.requests[0]).toBe('/redfish/v1/Chassis/powershelf');
    await s.close();
  });

  it('Dell R640 (iDRAC 9), no service root published: the configured chassis gives PowerConsumedWatts 429 W', async () => {
    const server = await bmc('dell-poweredge-r640-idrac9');
    const r = await readOnce(server.url, { chassis: 'System.Embedded.1' });
    expect(r).toMatchObject({ up: true, power_w: 429, model: 'PowerEdge R640' });
  });
});

describe('redfish source when the BMC misbehaves', () => {
  it('reports the meter down, naming the cause, for a wrong password, a hang, an early close and garbage; and recovers', async () => {
    const server = await bmc('hpe-apollo6500-xl675d-gen10plus-a100');
    const wrong = join(dir, 'wrong.pass');
    await writeFile(wrong, 'nope');
    expect(await readOnce(server.url, { password_file: wrong })).toMatchObject({ up: false, error: expect.stringContaining('HTTP 401'), covers: ['gpu-01'] });
    const s = source(server.url, { timeout: '300ms' });
    for (const [behaviour, error] of [['hang', 'no answer within 300 ms'], ['close', 'socket hang up'], ['garbage', 'not JSON']] as const) {
      server.behave(behaviour);
      const r = (await s.read(AbortSignal.timeout(10_000)))[0]!;
      expect(r, behaviour).toMatchObject({ up: false, error: expect.stringContaining(error) });
      expect(r.power_w).toBeUndefined();
    }
    server.behave('ok');
    expect((await s.read(AbortSignal.timeout(10_000)))[0]).toMatchObject({ up: true, power_w: 894 });
    await s.close();
  });

  it('refuses a BMC whose certificate the CA did not sign, unless insecure: true', async () => {
    const server = await bmc('hpe-apollo6500-xl675d-gen10plus-a100');
    const otherDir = await mkdtemp(join(tmpdir(), 'redfish-other-'));
    const other = await createSelfSignedCertificate(otherDir);
    expect(await readOnce(server.url, { ca: other.certFile })).toMatchObject({ up: false, error: expect.stringMatching(/certificate|signature/i) });
    expect(await readOnce(server.url, { ca: undefined, insecure: true })).toMatchObject({ up: true, power_w: 894 });
    await rm(otherDir, { recursive: true, force: true });
  });

  it('config: https only, and a CA or an explicit insecure', () => {
    const base = { type: 'redfish', username: 'root', password_file: '/etc/powersite/bmc.pass' };
    expect(RedfishConfig.safeParse({ ...base, url: 'http://10.0.9.21', ca: '/ca.pem' }).error?.issues[0]?.path).toEqual(['url']);
    expect(RedfishConfig.safeParse({ ...base, url: 'https://10.0.9.21' }).error?.issues[0]).toMatchObject({ path: ['ca'], message: expect.stringContaining('insecure') });
    expect(RedfishConfig.safeParse({ ...base, url: 'https://10.0.9.21', chassis: '../Systems' }).success).toBe(false);
  });
});

describe('redfish power, pure', () => {
  it('never takes a reading that is absent, negative or not a number', () => {
    expect(powerControlWatts({ PowerControl: [{ PowerConsumedWatts: null }, { PowerConsumedWatts: -1 }, { PowerConsumedWatts: 'n/a' }] })).toBeUndefined();
    const gpu = toSensor({ Id: 'TotalInputPower', ReadingType: 'Power', ReadingUnits: 'W', PhysicalContext: 'GPU', Reading: 900 })!;
    const noReading = toSensor({ Id: 'ChassisInputPower', ReadingType: 'Power', ReadingUnits: 'W' })!;
    expect(sensorPower([gpu, noReading])).toEqual({ power_w: undefined, energy_j: undefined, sensor: undefined });
  });

  it('converts energy sensors in kWh and Wh to joules', () => {
    const s = (type: string, reading: number) => toSensor({ Id: 'chassis_input_energy', Name: 'chassis input energy', ReadingType: type, Reading: reading })!;
    expect(sensorPower([s('EnergykWh', 46.15)]).energy_j).toBeCloseTo(46.15 * 3.6e6, 6);
    expect(sensorPower([s('EnergyWh', 2)]).energy_j).toBe(7200);
  });
});
