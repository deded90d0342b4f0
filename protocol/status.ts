/** Retained status of an agent: birth on connect, last will when it vanishes, offline on clean exit. */
import { z } from 'zod';
import { Name } from './topics.js';

export const AgentState = z.enum(['online', 'offline']);

export const Status = z.object({
  v: z.literal(1),
  site: Name,
  host: Name,
  state: AgentState,
  ts: z.number().int().positive(),
  version: z.string().max(32).optional(),
  /** Why the agent went offline: "shutdown" for a clean exit, "lost" for the broker's last will. */
  reason: z.string().max(64).optional(),
  /** Telemetry messages waiting in the agent's spool, and those it dropped because it was full. */
  spool_messages: z.number().int().nonnegative().optional(),
  spool_dropped: z.number().int().nonnegative().optional(),
  /** Messages held only in memory because the agent's disk refused them (lost if it stops now). */
  spool_unsaved: z.number().int().nonnegative().optional(),
  /** Random per agent process: two machines configured with the same host name show as two instances taking turns. */
  instance: z.string().max(64).optional(),
  /** Present while the agent works with a fault, saying which ("spool: ENOSPC; state: ENOSPC"). */
  degraded: z.string().max(256).optional(),
});
export type Status = z.infer<typeof Status>;
