/**
 * The agent's durable state: the next telemetry `seq` and the energy counters. Written atomically
 * (temp file + rename) after every cycle, so a crash leaves either the old or the new state.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../common/logger.js';

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
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.file = join(dir, 'agent-state.json');
  }

  async load(): Promise<AgentState> {
    await mkdir(this.dir, { recursive: true });
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

  /** Saves are serialised; each one writes the full state it was given. */
  save(state: AgentState): Promise<void> {
    const body = JSON.stringify(state);
    this.pending = this.pending.then(async () => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, this.file);
    });
    return this.pending;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
