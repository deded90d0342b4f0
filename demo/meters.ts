/**
 * The demo's measured power: a fake BMC per GPU host (Redfish over HTTPS), a rack PDU on the
 * nameplate-estimated mining row (SNMP, the APC rPDU2 rows of a real AP8853 walk) and a site meter (Modbus
 * TCP, Eastron SDM630 registers), all on loopback and read by the real redfish, snmp and modbus
 * sources, so the demo's per-MWh figures rest on the power the site is billed for.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverTree, startFakeBmc, type FakeBmc } from './fake-bmc.js';
import { registerFile, startFakeMeter, type FakeMeter } from './fake-meter.js';
import { startFakePdu, type FakePdu, type SnmpRecord } from './fake-pdu.js';

/**
 * A throwaway certificate and key for 127.0.0.1, made once with openssl for the demo's fake BMCs and
 * published here on purpose: it protects nothing. Never use it anywhere else.
 */
const DEMO_BMC_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUWRVXNZt6Hr2kdlcCddNbgUElsjwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMTA4MTExMFoYDzIxMjYxMTA3
MDgxMTEwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASucKn0x8lvstmHkLQQLo3KbD0VLDSJhkkMNxly6hFMkMwqwdu4sr0e
kxfMSAlWbjTfP4X4SYbxYgDbw6IdpMa6o2QwYjAdBgNVHQ4EFgQUTLmWuo41NuZq
/tlL4MxI5vuTX80wHwYDVR0jBBgwFoAUTLmWuo41NuZq/tlL4MxI5vuTX80wDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQCCAoCFVykcoFo3VFKmUCvdans02V260uP70qFSvFRWCgIgKVH8rtiIyYjwIV6I
ZxH529DK/RVWHFtBQfWEtD+KBF8=
-----END CERTIFICATE-----
`;
const DEMO_BMC_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPPWnDG2Cz8x0dOHF
scjhczdKSYcjSGi8/uE3fBesS/2hRANCAASucKn0x8lvstmHkLQQLo3KbD0VLDSJ
hkkMNxly6hFMkMwqwdu4sr0ekxfMSAlWbjTfP4X4SYbxYgDbw6IdpMa6
-----END PRIVATE KEY-----
`;

export const DEMO_BMC = { username: 'powersite', password: 'demo-only' } as const;

/** What the demo's meters read, from the fleet's own figures. */
export const DEMO_METERS = {
  /** A DGX-class H100 server draws ~10.2 kW at the wall, its 8 GPU boards ~5.1 kW of it. */
  bmcWatts: 10_200,
  /** The nameplate-estimated row's PDU reads 6 % above the nameplates (field figures are off by 5-20 %). */
  pduOverNameplate: 1.06,
  /** The site meter: IT power × 1.10 (cooling and losses) + 4 kW nothing under it accounts for. */
  sitePue: 1.1,
  siteUnaccountedWatts: 4000,
} as const;

export interface DemoMeterEndpoints {
  bmcs: { url: string }[];
  caFile: string;
  passwordFile: string;
  pdu: { host: string; port: number };
  siteMeter: { host: string; port: number };
}

export interface RunningMeters extends DemoMeterEndpoints {
  close(): Promise<void>;
}

function float32Words(value: number): number[] {
  const buf = Buffer.alloc(4);
  buf.writeFloatBE(value);
  return [buf.readUInt16BE(0), buf.readUInt16BE(2)];
}

/**
 * The rows of the APC AP8853 walk (agent/sources/snmp/fixtures) that the snmp source reads, the power
 * set to the row's draw: rPDU2DeviceStatusPower in hundredths of kW, Energy in tenths of kWh.
 */
function apcPdu(watts: number): SnmpRecord[] {
  return [
    { oid: '1.3.6.1.2.1.1.1.0', type: '4', value: 'APC Web/SNMP Management Card (MN:AP8853) ' },
    { oid: '1.3.6.1.2.1.1.2.0', type: '6', value: '1.3.6.1.4.1.318.1.3.4.6' },
    { oid: '1.3.6.1.4.1.318.1.1.26.4.3.1.5.1', type: '2', value: String(Math.round(watts / 10)) },
    { oid: '1.3.6.1.4.1.318.1.1.26.4.3.1.9.1', type: '2', value: '35128' },
  ];
}

export async function startDemoMeters(opts: { dir: string; gpuHosts: number; pduWatts: number; itWatts: number }): Promise<RunningMeters> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const caFile = join(opts.dir, 'demo-bmc-cert.pem');
    const passwordFile = join(opts.dir, 'demo-bmc.pass');
    await writeFile(caFile, DEMO_BMC_CERT);
    await writeFile(passwordFile, DEMO_BMC.password, { mode: 0o600 });
    const bmcs: FakeBmc[] = [];
    for (let i = 0; i < opts.gpuHosts; i++) {
      const bmc = await startFakeBmc({ resource: serverTree({ manufacturer: 'NVIDIA', model: 'DGX H100', watts: () => DEMO_METERS.bmcWatts }), cert: DEMO_BMC_CERT, key: DEMO_BMC_KEY, ...DEMO_BMC });
      started.push(bmc);
      bmcs.push(bmc);
    }
    const pdu: FakePdu = await startFakePdu(apcPdu(opts.pduWatts));
    started.push(pdu);
    const siteWatts = opts.itWatts * DEMO_METERS.sitePue + DEMO_METERS.siteUnaccountedWatts;
    const meter: FakeMeter = await startFakeMeter(registerFile([
      { table: 'input', address: 0x34, words: float32Words(siteWatts) },
      { table: 'input', address: 0x48, words: float32Words(48_213.5) },
    ]));
    started.push(meter);
    return {
      bmcs: bmcs.map((b) => ({ url: b.url })),
      caFile,
      passwordFile,
      pdu: { host: pdu.host, port: pdu.port },
      siteMeter: { host: meter.host, port: meter.port },
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
}
