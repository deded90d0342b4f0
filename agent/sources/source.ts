/**
 * The one small interface every device family implements. A source reads its devices and returns
 * readings in base units; the agent adds workload and energy counters and publishes them.
 */
import { z } from 'zod';
import type { Logger } from '../../common/logger.js';
import { Workload as WorkloadSchema, type DeviceSample, type Workload } from '../../protocol/index.js';

/** What a source returns per device: a sample without the fields the agent owns. */
export type DeviceReading = Omit<DeviceSample, 'workload' | 'energy_j'> & {
  /**
   * The device's own cumulative energy counter in joules, where it has one (AMD, some PDUs).
   * The agent turns its deltas into the published monotonic `energy_j`, surviving device resets.
   */
  device_energy_j?: number;
};

export interface Source {
  /** Short name for logs, e.g. "nvidia" or "cgminer(12 miners)". */
  readonly name: string;
  /**
   * Reads every device once. A device that cannot be read is returned with `up: false` and an
   * `error`; the promise rejects only when the whole source failed (the agent logs and goes on).
   * `signal` aborts when the agent's cycle deadline passes.
   */
  read(signal: AbortSignal): Promise<DeviceReading[]>;
  /** Counters since start (polls, errors and repairs by kind...), for the agent's progress log. */
  stats?(): object;
  close?(): Promise<void>;
}

export interface SourceContext {
  logger: Logger;
  /** The agent's sampling interval, for sources that pace or time out their own I/O. */
  intervalMs: number;
  /** The agent's `host` name, for sources that describe the machine itself. */
  hostName: string;
}

/** Every source config carries its type and the workload its power is billed to. */
export interface BaseSourceConfig {
  type: string;
  workload: Workload;
}

/**
 * A device family: its config schema and how to make a source from a validated config. `create`
 * imports the family's implementation on first use, so an agent loads only the code and packages
 * (net-snmp, modbus-serial, systeminformation...) of the sources its config names: each is
 * megabytes of resident memory on a host that must stay small.
 */
export interface SourceDefinition<C extends BaseSourceConfig = BaseSourceConfig> {
  type: C['type'];
  schema: z.ZodType<C, any>;
  create(config: C, ctx: SourceContext): Promise<Source>;
}

export function defineSource<C extends BaseSourceConfig>(definition: SourceDefinition<C>): SourceDefinition<C> {
  return definition;
}

/** The `type` key of a source schema: names the family whose keys the entry takes. */
export function sourceType<T extends string>(type: T) {
  return z.literal(type).describe('Which source this entry configures; the keys below are its own.');
}

/** The `workload` key of a source schema; `fallback` where the family has an obvious one. */
export function sourceWorkload(fallback?: Workload) {
  const doc = 'What the power of these devices is billed to: `mining` (ASICs) or `hpc` (GPU servers, AI).';
  return fallback === undefined ? WorkloadSchema.describe(doc) : WorkloadSchema.default(fallback).describe(doc);
}
