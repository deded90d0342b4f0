/**
 * The agent's durable state: the next telemetry `seq` and the energy counters. Written atomically
 * and fsynced (temp file + rename) after every cycle, so a crash leaves either the old or the new
 * state. A failed save (full or read-only disk) fails only that save: the next cycle's save, which
 * carries the full state, is the retry.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../common/logger.js';
import { DiskFault } from './disk-fault.js';
import { ensurePrivateDir, replaceDurably } from './durable-file.js';

const EnergyStateSchema = z.object({
  energy_j: z.number().nonnegative(),
  ts: z.number(),
  power_w: z.number().optional(),
  counter_j: z.number().optional(),
});

export const AgentStateSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  energy: z.record(z.string(), EnergyStateSchema),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export class StateStore {
  readonly file: string;
  readonly fault: DiskFault;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.file = join(dir, 'agent-state.json');
    this.fault = new DiskFault('state', logger, 'seq and energy counters live in memory until a save succeeds (a restart before then resends seq numbers)');
  }

  async load(): Promise<AgentState> {
    await ensurePrivateDir(this.dir);
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, seq: 0, energy: {} };
      throw new Error(`cannot read agent state ${this.file}: ${(err as Error).message}`);
    }
    const parsed = AgentStateSchema.safeParse(safeJson(text));
    if (parsed.success) return parsed.data;
    // A damaged state file must not stop the agent: keep it for inspection and start afresh.
    const aside = `${this.file}.corrupt-${Date.now()}`;
    await rename(this.file, aside);
    this.logger.error({ file: this.file, kept_as: aside }, 'agent state unreadable; seq and energy counters restart from 0');
    return { version: 1, seq: 0, energy: {} };
  }

  /** Saves are serialised; each one writes the full state it was given. Rejects if this save failed. */
  save(state: AgentState): Promise<void> {
    const body = JSON.stringify(state);
    const run = this.pending.then(async () => {
      try {
        await replaceDurably(this.file, body);
        this.fault.ok({ file: this.file });
      } catch (err) {
        this.fault.failed(err, { file: this.file });
        throw err;
      }
    });
    // One failed save must not fail every later one.
    this.pending = run.catch(() => {});
    return run;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
