/**
 * Parses `rocm-smi --json`: one object per card ("card0", "card1", …) plus "system", every value a
 * string, units in the key names ("Average Graphics Package Power (W)": "89.0"). Key names moved
 * between ROCm releases, so each reading lists the names it is known under; a value that is not a
 * number ("N/A", "N/A (Secondary die)") is no reading.
 */
import type { DeviceReading } from '../source.js';

const KEYS = {
  model: ['Card series', 'Card Series', 'Device Name', 'Card SKU'],
  power: ['Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)'],
  utilization: ['GPU use (%)'],
  temp: ['Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)'],
  memUsed: ['VRAM Total Used Memory (B)'],
  memTotal: ['VRAM Total Memory (B)'],
  /** Microjoules since the driver loaded; "Energy counter" is the same in raw ticks of unstated size. */
  energyUj: ['Accumulated Energy (uJ)'],
};

type Card = Record<string, unknown>;

function text(card: Card, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = card[key];
    if (typeof value === 'string' && value.trim() !== '' && !/^N\/A/i.test(value.trim())) return value.trim();
  }
  return undefined;
}

function number(card: Card, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = card[key];
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
    if (n !== undefined && Number.isFinite(n)) return n;
  }
  return undefined;
}

/** The card's stable id: its unique ID where the driver has one, else its PCI address, else the card name. */
function idOf(name: string, card: Card): string {
  return text(card, ['Unique ID']) ?? text(card, ['PCI Bus']) ?? name;
}

export function toReading(name: string, card: Card): DeviceReading {
  const reading: DeviceReading = { id: idOf(name, card), kind: 'gpu', vendor: 'amd', up: true };
  const model = text(card, KEYS.model);
  if (model) reading.model = model.slice(0, 128);
  const power = number(card, KEYS.power);
  if (power !== undefined && power >= 0) {
    reading.power_w = power;
    reading.power_source = 'reported';
  }
  const use = number(card, KEYS.utilization);
  if (use !== undefined) reading.utilization = Math.min(1, Math.max(0, use / 100));
  const temp = number(card, KEYS.temp);
  if (temp !== undefined) reading.temp_c = temp;
  const used = number(card, KEYS.memUsed);
  if (used !== undefined && used >= 0) reading.mem_used_bytes = used;
  const total = number(card, KEYS.memTotal);
  if (total !== undefined && total >= 0) reading.mem_total_bytes = total;
  const energy = number(card, KEYS.energyUj);
  if (energy !== undefined && energy >= 0) reading.device_energy_j = energy / 1e6;
  return reading;
}

/**
 * One reading per card, in card order. rocm-smi may print warnings around the JSON (e.g. about a
 * card it cannot query), so the outermost object is taken; output with no JSON object throws.
 */
export function parseRocmSmiJson(output: string): DeviceReading[] {
  const start = output.indexOf('{');
  const end = output.lastIndexOf('}');
  let data: unknown;
  try {
    data = start === -1 ? undefined : JSON.parse(output.slice(start, end + 1));
  } catch {
    data = undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`rocm-smi printed no JSON object: ${JSON.stringify(output.trim().slice(0, 120))}`);
  }
  return Object.entries(data as Record<string, unknown>)
    .filter((entry): entry is [string, Card] => /^card\d+$/.test(entry[0]) && typeof entry[1] === 'object' && entry[1] !== null)
    .sort(([a], [b]) => Number(a.slice(4)) - Number(b.slice(4)))
    .map(([name, card]) => toReading(name, card));
}
