/**
 * OID maps of rack PDUs as data (fixtures/SOURCES.md quotes each MIB's units). A value is a column
 * of a table, summed over its rows (Sentry4 cords, an Eaton daisy chain), optionally only the rows
 * whose index ends with `row_suffix` (Raritan types its sensors by the last arc) and scaled by a
 * per-row decimal-digits column (Raritan). Every vendor uses a negative value for "not available".
 */
export interface OidColumn {
  /** The column OID, without the row index. */
  column: string;
  /** Only rows whose index ends with this (".5" = Raritan activePower). */
  row_suffix?: string;
  /** Multiplier to W (power) or Wh (energy). */
  scale: number;
  /** Column of the same index holding the decimal digits to divide by (Raritan). */
  digits_column?: string;
}

export interface PduMap {
  /** The vendor's enterprise OID (sysObjectID starts with it), for `pdu: auto`. */
  sys_object_id: string;
  power: OidColumn;
  energy?: OidColumn;
}

export const PDUS = {
  /** APC Rack PDU 2G (PowerNet-MIB rPDU2DeviceStatus): hundredths of kW, tenths of kWh. */
  'apc-rpdu2': {
    sys_object_id: '1.3.6.1.4.1.318',
    power: { column: '1.3.6.1.4.1.318.1.1.26.4.3.1.5', scale: 10 },
    energy: { column: '1.3.6.1.4.1.318.1.1.26.4.3.1.9', scale: 100 },
  },
  /** Raritan PX (PDU2-MIB measurementsInletSensorValue): type 5 activePower W, type 8 activeEnergy Wh, with decimal digits. */
  'raritan-pdu2': {
    sys_object_id: '1.3.6.1.4.1.13742.6',
    power: { column: '1.3.6.1.4.1.13742.6.5.2.3.1.4', row_suffix: '.5', scale: 1, digits_column: '1.3.6.1.4.1.13742.6.3.3.4.1.7' },
    energy: { column: '1.3.6.1.4.1.13742.6.5.2.3.1.4', row_suffix: '.8', scale: 1, digits_column: '1.3.6.1.4.1.13742.6.3.3.4.1.7' },
  },
  /** ServerTech Sentry4 (st4InputCordActivePower W, st4InputCordEnergy tenths of kWh), summed over cords. */
  'servertech-sentry4': {
    sys_object_id: '1.3.6.1.4.1.1718.4',
    power: { column: '1.3.6.1.4.1.1718.4.1.3.3.1.3', scale: 1 },
    energy: { column: '1.3.6.1.4.1.1718.4.1.3.3.1.10', scale: 100 },
  },
  /** Eaton ePDU (EATON-EPDU-MIB inputTotalWatts W, inputTotalWh Wh), summed over a daisy chain. */
  'eaton-epdu': {
    sys_object_id: '1.3.6.1.4.1.534.6.6.7',
    power: { column: '1.3.6.1.4.1.534.6.6.7.3.5.1.4', scale: 1 },
    energy: { column: '1.3.6.1.4.1.534.6.6.7.3.5.1.5', scale: 1 },
  },
  /** Vertiv / Geist (VERTIV-V5-MIB pduTotalRealPower W, pduTotalEnergy Wh; the energy gauge caps near 10 MWh and restarts). */
  'vertiv-geist': {
    sys_object_id: '1.3.6.1.4.1.21239',
    power: { column: '1.3.6.1.4.1.21239.5.2.3.1.1.9', scale: 1 },
    energy: { column: '1.3.6.1.4.1.21239.5.2.3.1.1.12', scale: 1 },
  },
} as const satisfies Record<string, PduMap>;

export type PduModel = keyof typeof PDUS;
export const PDU_MODELS = Object.keys(PDUS) as [PduModel, ...PduModel[]];

/** The map whose sysObjectID prefix matches, for `pdu: auto`. */
export function pduFor(sysObjectId: string): PduModel | undefined {
  return PDU_MODELS.find((m) => `${sysObjectId}.`.startsWith(`${PDUS[m].sys_object_id}.`));
}

export interface Row {
  /** The row index (the OID after the column). */
  index: string;
  value: number;
}

export type ColumnValue = { ok: true; value: number } | { ok: false; reason: string };

/**
 * The column's value: Σ over its (matching) rows of value × scale / 10^digits. Any row that says
 * "not available" (negative) makes the whole value unavailable: a sum of the cords that answered
 * would be a wrong number, not a smaller one.
 */
export function columnValue(spec: OidColumn, rows: readonly Row[], digits: ReadonlyMap<string, number>): ColumnValue {
  const matching = rows.filter((r) => spec.row_suffix === undefined || `.${r.index}`.endsWith(spec.row_suffix));
  if (matching.length === 0) return { ok: false, reason: `no rows under ${spec.column}` };
  let sum = 0;
  for (const r of matching) {
    if (!Number.isFinite(r.value) || r.value < 0) return { ok: false, reason: `not available (${r.value} at ${spec.column}.${r.index})` };
    const d = spec.digits_column ? (digits.get(r.index) ?? 0) : 0;
    sum += (r.value * spec.scale) / 10 ** d;
  }
  return { ok: true, value: sum };
}
