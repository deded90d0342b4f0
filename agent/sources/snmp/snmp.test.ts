// Every PDU walk in fixtures/ replayed by a real SNMP agent on loopback (v2c, and v3 with SHA/AES),
// read by the real source with the vendor picked from sysObjectID. Expected figures come from each
// MIB's units as fixtures/SOURCES.md quotes them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnmprec, startFakePdu, type FakePdu } from '../../../demo/fake-pdu.js';
import { SnmpConfig } from './definition.js';
import { SnmpSource } from './index.js';
import { columnValue, pduFor } from './pdus.js';

const WH = 3600;
const pdus: FakePdu[] = [];
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snmp-'));
});
afterAll(async () => {
  await Promise.all(pdus.map((p) => p.close()));
  await rm(dir, { recursive: true, force: true });
});

async function pdu(file: string, options: Parameters<typeof startFakePdu>[1] = {}) {
  const records = parseSnmprec(await readFile(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'));
  const p = await startFakePdu(records, options);
  pdus.push(p);
  return p;
}

function source(p: FakePdu, extra: Record<string, unknown> = {}) {
  return new SnmpSource(SnmpConfig.parse({ type: 'snmp', host: p.host, port: p.port, community: 'public', covers: ['gw-row1'], timeout: '500ms', retries: 0, ...extra }));
}

async function readOnce(p: FakePdu, extra: Record<string, unknown> = {}) {
  const s = source(p, extra);
  try {
    return { reading: (await s.read(AbortSignal.timeout(10_000)))[0]!, stats: s.stats() };
  } finally {
    await s.close();
  }
}

describe('snmp source against every captured PDU walk', () => {
  it.each([
    // rPDU2DeviceStatusPower 114 hundredths of kW; rPDU2DeviceStatusEnergy 35,128 tenths of kWh.
    ['apc-ap8853-rpdu2-metered.snmprec', 'apc-rpdu2', 1140, 3_512_800],
    // inlet 1 type 5 activePower 1,665 W (0 decimal digits); type 8 activeEnergy 74,057,676 Wh.
    ['raritan-px3-5493u-pdu2.snmprec', 'raritan-pdu2', 1665, 74_057_676],
    // Two cords: 1,701 + 1,265 W; (8,937 + 25,659) tenths of kWh.
    ['servertech-sentry4-c2s42ce.snmprec', 'servertech-sentry4', 2966, 3_459_600],
    // inputTotalWatts 1,584 W (not the per-input 1,589 W); inputTotalWh 8,185,493 Wh.
    ['eaton-epdu-ma-ema114.snmprec', 'eaton-epdu', 1584, 8_185_493],
    // pduTotalRealPower 1,017 W; pduTotalEnergy 8,483,906 Wh.
    ['vertiv-geist-mg02e4w1.snmprec', 'vertiv-geist', 1017, 8_483_906],
  ] as const)('%s → %s: %d W and %d Wh', async (file, model, watts, wattHours) => {
    const { reading, stats } = await readOnce(await pdu(file));
    expect(reading).toMatchObject({ kind: 'meter', up: true, power_w: watts, power_source: 'measured', covers: ['gw-row1'], model });
    expect(reading.device_energy_j).toBe(wattHours * WH);
    expect(reading.error).toBeUndefined();
    expect(stats).toMatchObject({ pdu: model });
  });

  it('APC AP7900B (switched, unmetered): −1 is "not available", not a power; no made-up figure from current × voltage', async () => {
    const { reading } = await readOnce(await pdu('apc-ap7900b-rpdu2-switched-unmetered.snmprec'));
    expect(reading).toMatchObject({ up: true, model: 'apc-rpdu2', error: expect.stringContaining('not available') });
    expect(reading.power_w).toBeUndefined();
    expect(reading.device_energy_j).toBeUndefined();
  });

  it('reads over SNMPv3 with SHA authentication and AES privacy, keys from files', async () => {
    const user = { name: 'powersite', level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha, authKey: 'auth-secret-123', privProtocol: snmp.PrivProtocols.aes, privKey: 'priv-secret-456' };
    const p = await pdu('vertiv-geist-mg02e4w1.snmprec', { users: [user] });
    await writeFile(join(dir, 'auth.key'), 'auth-secret-123\n');
    await writeFile(join(dir, 'priv.key'), 'priv-secret-456\n');
    const v3 = { user: 'powersite', auth_key_file: join(dir, 'auth.key'), priv_key_file: join(dir, 'priv.key') };
    expect((await readOnce(p, { community: undefined, v3 })).reading).toMatchObject({ up: true, power_w: 1017 });
    // A wrong key gets no answer that decrypts: down, never a number.
    await writeFile(join(dir, 'wrong.key'), 'not-the-key-000\n');
    const wrong = (await readOnce(p, { community: undefined, v3: { ...v3, priv_key_file: join(dir, 'wrong.key') } })).reading;
    expect(wrong.up).toBe(false);
    expect(wrong.power_w).toBeUndefined();
  });

  it('reports the PDU down when it is silent or answers garbage, and recovers', async () => {
    const p = await pdu('apc-ap8853-rpdu2-metered.snmprec');
    const s = source(p, { pdu: 'apc-rpdu2' });
    for (const behaviour of ['silent', 'garbage'] as const) {
      p.behave(behaviour);
      const r = (await s.read(AbortSignal.timeout(10_000)))[0]!;
      expect(r, behaviour).toMatchObject({ up: false, error: expect.stringMatching(/timed out|timeout/i), covers: ['gw-row1'] });
    }
    p.behave('ok');
    expect((await s.read(AbortSignal.timeout(10_000)))[0]).toMatchObject({ up: true, power_w: 1140 });
    await s.close();
  });

  it('names an unknown PDU instead of guessing its units', async () => {
    const p = await startFakePdu([{ oid: '1.3.6.1.2.1.1.2.0', type: '6', value: '1.3.6.1.4.1.99999.1' }]);
    pdus.push(p);
    expect((await readOnce(p)).reading).toMatchObject({ up: false, error: expect.stringContaining('set pdu:') });
  });
});

describe('PDU maps, pure', () => {
  it('any "not available" row voids the sum; decimal digits divide', () => {
    const spec = { column: '1.2', scale: 1, digits_column: '1.3' };
    expect(columnValue(spec, [{ index: '1', value: 1701 }, { index: '2', value: -1 }], new Map())).toMatchObject({ ok: false });
    expect(columnValue(spec, [{ index: '1.1.5', value: 7467 }], new Map([['1.1.5', 3]]))).toEqual({ ok: true, value: 7.467 });
    expect(pduFor('1.3.6.1.4.1.3180.1')).toBeUndefined();
  });

  it('config: a community or v3, and covers', () => {
    const base = { type: 'snmp', host: '10.0.3.9', covers: ['gw-row1'] };
    expect(SnmpConfig.safeParse(base).error?.issues[0]?.path).toEqual(['community']);
    expect(SnmpConfig.safeParse({ ...base, v3: { user: 'u', auth_key_file: '/k' } }).error?.issues[0]?.path).toEqual(['v3', 'priv_key_file']);
    expect(SnmpConfig.safeParse({ ...base, community: 'public', pdu: 'cyberpower' }).success).toBe(false);
  });
});
