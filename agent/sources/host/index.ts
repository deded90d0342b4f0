/**
 * The machine the agent runs on: CPU load, memory, temperature, and CPU package energy from RAPL
 * where the kernel exposes it (readable by root only on most distributions since 2020).
 */
import { readFile } from 'node:fs/promises';
import si from 'systeminformation';
import type { DeviceReading, Source, SourceContext } from '../source.js';
import type { HostConfig } from './definition.js';

/** Builds the host reading from systeminformation's answers; pure so it is tested without a machine. */
export function toHostReading(
  id: string,
  load: { currentLoad: number } | undefined,
  mem: { active: number; total: number } | undefined,
  temp: { main: number | null } | undefined,
  raplMicrojoules: number | undefined,
): DeviceReading {
  const reading: DeviceReading = { id, kind: 'host', up: true };
  if (load && Number.isFinite(load.currentLoad)) reading.utilization = Math.min(1, Math.max(0, load.currentLoad / 100));
  if (mem) {
    reading.mem_used_bytes = mem.active;
    reading.mem_total_bytes = mem.total;
  }
  if (temp && typeof temp.main === 'number' && Number.isFinite(temp.main)) reading.temp_c = temp.main;
  if (raplMicrojoules !== undefined) reading.device_energy_j = raplMicrojoules / 1e6;
  return reading;
}

export class HostSource implements Source {
  readonly name = 'host';
  private raplUsable: boolean;

  constructor(
    private readonly config: HostConfig,
    private readonly ctx: SourceContext,
    private readonly hostId: string,
  ) {
    this.raplUsable = config.rapl_path !== '';
  }

  async read(): Promise<DeviceReading[]> {
    const [load, mem, temp, rapl] = await Promise.allSettled([si.currentLoad(), si.mem(), si.cpuTemperature(), this.readRapl()]);
    const value = <T>(r: PromiseSettledResult<T>) => (r.status === 'fulfilled' ? r.value : undefined);
    return [toHostReading(this.hostId, value(load), value(mem), value(temp), value(rapl))];
  }

  private async readRapl(): Promise<number | undefined> {
    if (!this.raplUsable) return undefined;
    try {
      const n = Number((await readFile(this.config.rapl_path, 'utf8')).trim());
      return Number.isFinite(n) ? n : undefined;
    } catch (err) {
      // Absent or root-only: say so once, then stop trying.
      this.raplUsable = false;
      this.ctx.logger.info({ source: this.name, path: this.config.rapl_path, code: (err as NodeJS.ErrnoException).code }, 'no RAPL energy counter; host power not reported');
      return undefined;
    }
  }
}
