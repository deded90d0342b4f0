/**
 * One miner, one cycle: detect its family if not known yet, send the family's commands (each on
 * its own connection, or joined into one), and hand the replies to the family's parser. Every
 * request shares the miner's own deadline, so a hung miner costs at most `timeout`, whatever it
 * does. The I/O lives here; what the replies mean lives in the adapters.
 */
import { ADAPTERS } from './adapters.js';
import { cgminerQuery, whatsminerV3Query, WHATSMINER_V3_PORT, type QueryOptions } from './client.js';
import type { MinerTarget } from './config.js';
import { detect, identifyV3 } from './detect.js';
import { asMinerError, MinerError } from './errors.js';
import type { CommandSpec, FamilyAdapter, Identity, MinerReadout } from './family.js';
import type { RepairStats } from './repair.js';
import { splitMulti, type JsonRecord } from './reply.js';
import { V3_DEVICE_INFO } from './whatsminer-v3.js';

export interface MinerState {
  readonly target: MinerTarget;
  /** Cached between cycles; also names the model of a miner that is down. */
  identity?: Identity;
  /** Set after repeated failures: detect again on the next attempt (the miner may have been reflashed). */
  redetect?: boolean;
  failures: number;
  /** Epoch ms before which the miner is not tried again (backoff). */
  retryAt: number;
  lastError?: string;
}

export interface PollOptions {
  connectTimeoutMs: number;
  maxBytes: number;
  /** Epoch ms by which everything for this miner must be done. */
  deadlineAt: number;
  /** The cycle's deadline: aborts requests in flight. */
  signal: AbortSignal;
  repairs: RepairStats;
  clock: () => number;
}

export interface PollResult {
  identity: Identity;
  readout: MinerReadout;
}

/** Polls one miner; throws a MinerError when it gives no reading. Updates `state.identity`. */
export async function pollMiner(state: MinerState, options: PollOptions): Promise<PollResult> {
  const { target } = state;
  const identity = state.identity && !state.redetect ? state.identity : await identifyTarget(target, options);
  state.identity = identity;
  state.redetect = false;
  const adapter = ADAPTERS[identity.family];
  const replies = new Map<string, JsonRecord | MinerError>();
  await fetchInto(replies, target, adapter, adapter.reads, adapter.joinReads, options);
  try {
    return { identity, readout: adapter.parse(replies, identity) };
  } catch (error) {
    const failure = asMinerError(error);
    if (!adapter.diagnostics || failure.transport) throw failure;
    await fetchInto(replies, target, adapter, adapter.diagnostics, false, options);
    return { identity, readout: adapter.parse(replies, identity) };
  }
}

/** The operator's family wins over detection; the operator's model wins over the firmware's. */
async function identifyTarget(target: MinerTarget, options: PollOptions): Promise<Identity> {
  const detected: Identity = target.family
    ? { family: target.family }
    : target.port === WHATSMINER_V3_PORT
      ? identifyV3(await whatsminerV3Query(target, V3_DEVICE_INFO.command, V3_DEVICE_INFO.param, queryOptions(options)))
      : await detect((command) => cgminerQuery(target, command, queryOptions(options)));
  return target.model === undefined ? detected : { ...detected, model: target.model };
}

function queryOptions(options: PollOptions): QueryOptions {
  const left = options.deadlineAt - options.clock();
  if (left <= 0) throw new MinerError('timeout', 'time budget for this miner used up');
  return {
    connectTimeoutMs: Math.min(options.connectTimeoutMs, left),
    timeoutMs: left,
    maxBytes: options.maxBytes,
    signal: options.signal,
    repairs: options.repairs,
  };
}

function query(target: MinerTarget, adapter: FamilyAdapter, spec: CommandSpec, options: PollOptions): Promise<JsonRecord> {
  return adapter.protocol === 'whatsminer-v3'
    ? whatsminerV3Query(target, spec.command, spec.param, queryOptions(options))
    : cgminerQuery(target, spec.command, queryOptions(options), spec.key);
}

/**
 * Stores each command's reply or error in `replies`. A transport failure stops the round (the miner
 * is gone or hung) and is recorded for the commands not sent.
 */
async function fetchInto(
  replies: Map<string, JsonRecord | MinerError>,
  target: MinerTarget,
  adapter: FamilyAdapter,
  specs: readonly CommandSpec[],
  join: boolean,
  options: PollOptions,
): Promise<void> {
  if (join) {
    const commands = specs.map((spec) => spec.command);
    try {
      const reply = await cgminerQuery(target, commands.join('+'), queryOptions(options));
      for (const [command, part] of splitMulti(reply, commands)) replies.set(command, part);
    } catch (error) {
      for (const command of commands) replies.set(command, asMinerError(error));
    }
    return;
  }
  for (const [i, spec] of specs.entries()) {
    try {
      replies.set(spec.command, await query(target, adapter, spec, options));
    } catch (error) {
      const failure = asMinerError(error);
      replies.set(spec.command, failure);
      if (failure.transport) {
        for (const rest of specs.slice(i + 1)) replies.set(rest.command, failure);
        return;
      }
    }
  }
}
