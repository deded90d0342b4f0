/** CPU time and memory of a process from /proc (Linux), read the same way for the agent and node_exporter. */
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on every Linux architecture in use. */
const USER_HZ = 100;

export interface ProcFigures {
  cpuSeconds: number;
  rssMb: number;
  peakRssMb: number;
}

export async function procFigures(pid: number): Promise<ProcFigures> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  // The command name may hold spaces and parentheses: fields are counted after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / USER_HZ, rssMb: (kb('VmRSS') * 1024) / 1e6, peakRssMb: (kb('VmHWM') * 1024) / 1e6 };
}
