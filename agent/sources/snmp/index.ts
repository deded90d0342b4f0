/**
 * Rack PDUs over SNMP v2c or v3 (net-snmp): total active power and the PDU's energy counter, from the
 * vendor's OID map (pdus.ts; `pdu: auto` picks it by sysObjectID), published as a meter covering the
 * hosts the config lists. Units follow each MIB; negative values mean "not available".
 */
import snmp from 'net-snmp';
import { readSecretFile } from '../../../common/mqtt.js';
import { meterDown, meterReading } from '../meter.js';
import type { DeviceReading, Source } from '../source.js';
import type { SnmpConfig } from './definition.js';
import { columnValue, PDU_MODELS, pduFor, PDUS, type OidColumn, type PduModel, type Row } from './pdus.js';

const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';

export class SnmpSource implements Source {
  readonly name: string;
  private readonly id: string;
  private session: snmp.Session | undefined;
  private model: PduModel | undefined;
  private readonly counts = { polls: 0, errors: 0 };

  constructor(private readonly config: SnmpConfig) {
    this.name = `snmp(${config.host})`;
    this.id = config.id ?? config.host;
    if (config.pdu !== 'auto') this.model = config.pdu;
  }

  async read(signal: AbortSignal): Promise<DeviceReading[]> {
    this.counts.polls++;
    try {
      const session = (this.session ??= await this.open());
      const model = (this.model ??= await this.detect(session));
      const map = PDUS[model];
      signal.throwIfAborted();
      const power = await this.value(session, map.power);
      const energy = 'energy' in map ? await this.value(session, map.energy) : undefined;
      const reading = meterReading({
        id: this.id,
        covers: this.config.covers,
        model,
        power_w: power.ok ? power.value : undefined,
        energy_j: energy?.ok ? energy.value * 3600 : undefined,
      });
      if (!power.ok) reading.error = `no power figure: ${power.reason}`;
      return [reading];
    } catch (err) {
      this.counts.errors++;
      this.session?.close();
      this.session = undefined;
      return [meterDown(this.id, this.config.covers, (err as Error).message)];
    }
  }

  private async open(): Promise<snmp.Session> {
    const options = { port: this.config.port, timeout: this.config.timeout, retries: this.config.retries };
    let session: snmp.Session;
    const v3 = this.config.v3;
    if (v3) {
      const user: snmp.User = {
        name: v3.user,
        level: snmp.SecurityLevel[v3.level],
        authProtocol: snmp.AuthProtocols[v3.auth_protocol],
        authKey: (await readSecretFile(v3.auth_key_file, 'snmp v3 auth_key_file')).toString('utf8').trim(),
      };
      if (v3.level === 'authPriv') {
        user.privProtocol = snmp.PrivProtocols[v3.priv_protocol];
        user.privKey = (await readSecretFile(v3.priv_key_file!, 'snmp v3 priv_key_file')).toString('utf8').trim();
      }
      session = snmp.createV3Session(this.config.host, user, { ...options, version: snmp.Version3 });
    } else {
      session = snmp.createSession(this.config.host, this.config.community!, { ...options, version: snmp.Version2c });
    }
    // A UDP error must not become an unhandled 'error' event: the next read reports it.
    session.on('error', () => undefined);
    return session;
  }

  private async detect(session: snmp.Session): Promise<PduModel> {
    const [varbind] = await new Promise<snmp.Varbind[]>((resolve, reject) => session.get([SYS_OBJECT_ID], (err, vbs) => (err ? reject(err) : resolve(vbs))));
    const oid = varbind && !snmp.isVarbindError(varbind) ? String(varbind.value) : '';
    const model = pduFor(oid);
    if (!model) throw new Error(`sysObjectID ${oid || '(none)'} is not a known PDU; set pdu: to one of ${PDU_MODELS.join(', ')}`);
    return model;
  }

  private async value(session: snmp.Session, spec: OidColumn) {
    const rows = await walk(session, spec.column);
    const digits = spec.digits_column ? new Map((await walk(session, spec.digits_column)).map((r) => [r.index, r.value])) : new Map<string, number>();
    return columnValue(spec, rows, digits);
  }

  stats(): object {
    return { ...this.counts, pdu: this.model ?? null };
  }

  async close(): Promise<void> {
    this.session?.close();
    this.session = undefined;
  }
}

/** The numeric rows under a column (GetBulk on v2c/v3). */
function walk(session: snmp.Session, column: string): Promise<Row[]> {
  const rows: Row[] = [];
  return new Promise((resolve, reject) =>
    session.subtree(
      column,
      20,
      (varbinds) => {
        for (const vb of varbinds) {
          if (snmp.isVarbindError(vb)) continue;
          // Counter64 arrives as big-endian bytes.
          const value = typeof vb.value === 'number' ? vb.value : Buffer.isBuffer(vb.value) ? vb.value.reduce((n, b) => n * 256 + b, 0) : Number.NaN;
          rows.push({ index: vb.oid.slice(column.length + 1), value });
        }
      },
      (err) => (err ? reject(err) : resolve(rows)),
    ),
  );
}
