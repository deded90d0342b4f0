/**
 * Whole-chassis power and energy from Redfish resources, pure. BMCs disagree on where the figure
 * lives and on what their other numbers mean, so only figures that mean "what the chassis draws at
 * its input" are taken:
 *
 * 1. `Power.PowerControl[]` (Power.v1): the first entry with a numeric `PowerConsumedWatts` whose
 *    `Status.State` is not switched off ("Disabled", "Absent", "UnavailableOffline"). Power supplies
 *    are never summed: HPE iLO 5 reports the whole chassis on every PSU.
 * 2. The `Sensors` collection (the newer model, also behind PowerSubsystem): a power sensor of the
 *    chassis input, by its id or name ("total power in", "chassis input power",
 *    "ChassisVoltageRegulator0InputPower"), never a GPU, CPU, memory or single PSU sensor, and only
 *    with a numeric `Reading` (absent is not 0); or the only power sensor when it names no part.
 *    Only an energy sensor of the chassis input gives the counter; otherwise the agent integrates power.
 */
export interface RedfishSensor {
  id: string;
  name: string;
  readingType: string | undefined;
  units: string | undefined;
  reading: number | undefined;
  context: string | undefined;
}

const OFF_STATES = new Set(['Disabled', 'Absent', 'UnavailableOffline', 'StandbyOffline']);

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function finiteNonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `PowerControl[].PowerConsumedWatts` of a Power.v1 resource; undefined when it has none to trust. */
export function powerControlWatts(power: unknown): number | undefined {
  const controls = object(power)?.PowerControl;
  if (!Array.isArray(controls)) return undefined;
  for (const c of controls) {
    const control = object(c);
    if (!control) continue;
    const state = object(control.Status)?.State;
    if (typeof state === 'string' && OFF_STATES.has(state)) continue;
    const watts = finiteNonNegative(control.PowerConsumedWatts);
    if (watts !== undefined) return watts;
  }
  return undefined;
}

/** A Sensor resource (expanded member or fetched); undefined when it is not one. */
export function toSensor(value: unknown): RedfishSensor | undefined {
  const s = object(value);
  if (!s || (s.Reading === undefined && s.ReadingType === undefined)) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    id: str(s.Id) ?? '',
    name: str(s.Name) ?? '',
    readingType: str(s.ReadingType),
    units: str(s.ReadingUnits),
    reading: typeof s.Reading === 'number' && Number.isFinite(s.Reading) ? s.Reading : undefined,
    context: str(s.PhysicalContext),
  };
}

/** Parts of a server whose sensors are never the whole chassis. */
const PART_CONTEXTS = new Set(['GPU', 'CPU', 'CPUSubsystem', 'Memory', 'MemorySubsystem', 'PowerSupply', 'StorageDevice', 'NetworkingDevice', 'Accelerator', 'Fan']);
/** Words for the chassis as a whole, and for its input side. */
const WHOLE = /chassis|total/i;
const INPUT = /input|(?:^|[\s_])in(?:$|[\s_])/i;

function isChassisInput(s: RedfishSensor): boolean {
  if (s.context !== undefined && PART_CONTEXTS.has(s.context)) return false;
  const text = `${s.id} ${s.name}`;
  return WHOLE.test(text) && INPUT.test(text);
}

/** Energy units Redfish sensors use, in joules. */
const ENERGY_J: Record<string, number> = { EnergyJoules: 1, EnergyWh: 3600, EnergykWh: 3.6e6 };

export interface SensorPower {
  power_w: number | undefined;
  energy_j: number | undefined;
  /** The sensor the power came from, for the log. */
  sensor: string | undefined;
}

const isPower = (s: RedfishSensor) => (s.readingType === 'Power' || s.units === 'W') && finiteNonNegative(s.reading) !== undefined;

export function sensorPower(sensors: readonly RedfishSensor[]): SensorPower {
  const inputs = sensors.filter(isChassisInput);
  // A BMC with one power sensor and no parts named (AMI MegaRAC's "Power Consumption Monitor") means the chassis.
  const lone = sensors.filter((s) => isPower(s) && (s.context === undefined || !PART_CONTEXTS.has(s.context)));
  const power = inputs.find(isPower) ?? (lone.length === 1 ? lone[0] : undefined);
  const energy = inputs.find((s) => s.readingType !== undefined && ENERGY_J[s.readingType] !== undefined && finiteNonNegative(s.reading) !== undefined);
  return {
    power_w: power?.reading,
    energy_j: energy ? energy.reading! * ENERGY_J[energy.readingType!]! : undefined,
    sensor: power?.id,
  };
}

/** `@odata.id` of a link object, without a trailing slash or fragment (iLO writes `/Chassis/1/`). */
export function linkOf(value: unknown): string | undefined {
  const id = object(value)?.['@odata.id'];
  return typeof id === 'string' ? normalisePath(id) : undefined;
}

export function normalisePath(path: string): string {
  return path.replace(/#.*$/, '').replace(/\/+$/, '') || '/';
}

/** Members of a collection: links, or whole resources when the BMC expanded them. */
export function members(collection: unknown): unknown[] {
  const m = object(collection)?.Members;
  return Array.isArray(m) ? m : [];
}
