/**
 * Per-device monotonic energy counters. Devices without a counter of their own (nvidia-smi, most
 * ASICs) are integrated from power with the trapezoid rule; devices with one (RAPL, AMD) add its
 * deltas, surviving the device's own resets. Pure: the caller persists `snapshot()`.
 */

export interface EnergyState {
  /** Published counter, joules since the agent first saw the device. */
  energy_j: number;
  /** Time of the last sample (ms) and what it said. */
  ts: number;
  power_w?: number;
  counter_j?: number;
}

export interface EnergyUpdate {
  energy_j: number;
  /** Power derived from the device's counter when the device gave no power reading. */
  power_w?: number;
}

export class EnergyMeter {
  private readonly devices: Map<string, EnergyState>;

  /**
   * @param maxGapMs longest gap integrated across; a longer gap (agent stopped, device away) adds
   *   nothing rather than inventing energy for time nobody measured. Settable: it follows the
   *   agent's interval when a reload changes it.
   */
  constructor(
    public maxGapMs: number,
    initial: Record<string, EnergyState> = {},
  ) {
    this.devices = new Map(Object.entries(initial));
  }

  update(key: string, ts: number, powerW: number | undefined, counterJ: number | undefined): EnergyUpdate {
    const prev = this.devices.get(key);
    const next: EnergyState = { energy_j: prev?.energy_j ?? 0, ts };
    let derivedPower: number | undefined;
    const dtMs = prev ? ts - prev.ts : 0;
    const integrable = prev !== undefined && dtMs > 0 && dtMs <= this.maxGapMs;

    if (counterJ !== undefined) {
      next.counter_j = counterJ;
      if (integrable && prev.counter_j !== undefined && counterJ >= prev.counter_j) {
        const delta = counterJ - prev.counter_j;
        next.energy_j += delta;
        derivedPower = delta / (dtMs / 1000);
      }
    } else if (powerW !== undefined && integrable && prev.power_w !== undefined) {
      next.energy_j += ((prev.power_w + powerW) / 2) * (dtMs / 1000);
    }
    const power = powerW ?? derivedPower;
    if (power !== undefined) next.power_w = power;
    this.devices.set(key, next);
    return derivedPower !== undefined && powerW === undefined ? { energy_j: next.energy_j, power_w: derivedPower } : { energy_j: next.energy_j };
  }

  snapshot(): Record<string, EnergyState> {
    return Object.fromEntries(this.devices);
  }
}
