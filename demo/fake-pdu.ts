/**
 * A fake rack PDU on loopback: a real SNMP agent (net-snmp) answering v2c and v3 from a walk in
 * snmpsim's `.snmprec` format (`OID|TYPE|VALUE`), so tests replay real PDUs and the demo serves a
 * live one. It can misbehave: stay silent (the manager times out) or answer garbage.
 */
import { createSocket } from 'node:dgram';
import snmp from 'net-snmp';

export type PduBehaviour = 'ok' | 'silent' | 'garbage';

export interface SnmpRecord {
  oid: string;
  /** snmprec type tag: 2 Integer, 4 OctetString, 4x hex string, 6 OID, 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 70 Counter64. */
  type: string;
  value: string;
}

export interface FakePdu {
  host: string;
  port: number;
  behave(behaviour: PduBehaviour): void;
  /** Changes (or adds) a value while running. */
  set(oid: string, type: string, value: string): void;
  close(): Promise<void>;
}

export function parseSnmprec(text: string): SnmpRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [oid, type, ...rest] = line.split('|');
      return { oid: oid!.replace(/^\./, ''), type: type!, value: rest.join('|') };
    });
}

function typed(type: string, value: string): { valueType: number; value: unknown } {
  const T = snmp.ObjectType;
  switch (type) {
    case '2':
      return { valueType: T.Integer!, value: Number(value) };
    case '4':
      return { valueType: T.OctetString!, value };
    case '4x':
      return { valueType: T.OctetString!, value: Buffer.from(value, 'hex') };
    case '6':
      return { valueType: T.OID!, value: value.replace(/^\./, '') };
    case '64':
      return { valueType: T.IpAddress!, value };
    case '65':
      return { valueType: T.Counter!, value: Number(value) };
    case '66':
      return { valueType: T.Gauge!, value: Number(value) };
    case '67':
      return { valueType: T.TimeTicks!, value: Number(value) };
    case '70':
      return { valueType: T.Counter64!, value: Number(value) };
    default:
      throw new Error(`snmprec type ${type} is not supported`);
  }
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface FakePduOptions {
  community?: string;
  /** SNMPv3 users (SHA/AES keys as given). */
  users?: snmp.User[];
}

export async function startFakePdu(records: readonly SnmpRecord[], options: FakePduOptions = {}): Promise<FakePdu> {
  const port = await freeUdpPort();
  let behaviour: PduBehaviour = 'ok';
  const agent = snmp.createAgent({ port, address: '127.0.0.1', accessControlModelType: snmp.AccessControlModelType.None }, () => undefined);
  agent.getAuthorizer().addCommunity(options.community ?? 'public');
  for (const user of options.users ?? []) agent.getAuthorizer().addUser(user);
  const mib = agent.getMib();
  // One read-only provider over the whole tree: every replayed OID is an instance under it.
  const provider = { name: 'replay', type: snmp.MibProviderType.Scalar, oid: '1.3.6.1', scalarType: snmp.ObjectType.Integer, maxAccess: snmp.MaxAccess['read-only'], handler: (req: { done(): void }) => req.done() };
  mib.registerProvider(provider);
  mib.addProviderToNode(provider);
  const set = (oid: string, type: string, value: string) => Object.assign(mib.addNodesForOid(oid.replace(/^\./, '')), typed(type, value));
  for (const r of records) set(r.oid, r.type, r.value);
  // Misbehaviour at the last step, so requests are still parsed as a real agent would.
  const listener = agent.listener;
  const send = listener.send.bind(listener);
  listener.send = (message, rinfo, socket) => {
    if (behaviour === 'silent') return;
    if (behaviour === 'garbage') return void socket.send(Buffer.from('this is not BER'), rinfo.port, rinfo.address);
    send(message, rinfo, socket);
  };
  return {
    host: '127.0.0.1',
    port,
    behave: (b) => (behaviour = b),
    set: (oid, type, value) => void set(oid, type, value),
    close: () =>
      new Promise<void>((resolve) => {
        agent.close(() => resolve());
      }),
  };
}
