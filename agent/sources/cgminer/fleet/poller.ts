/**
 * One miner, one cycle: detect its family if not known yet, send the family's commands (each on
 * its own connection, or joined into one), and hand the replies to the family's parser. Every
 * request shares the miner's own deadline, so a hung miner costs at most `timeout`, whatever it
 * does. The I/O lives here; what the replies mean lives in the adapters.
 */
import type { MinerTarget } from '../config.js';
import type { CommandSpec, Identity, MinerFamily, MinerReadout } from '../families/family.js';
import { canonicalModel, modelInfo } from '../families/models.js';
import type { FamilyRegistry } from '../families/registry.js';
import { asMinerError, MinerError } from '../wire/errors.js';
import type { QueryOptions, WireProtocol } from '../wire/protocol.js';
import type { RepairStats } from '../wire/repair.js';
import type { JsonRecord } from '../wire/reply.js';
import { detect } from './detect.js';

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
  families: FamilyRegistry;
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
  const family = options.families.family(identity.family);
  const protocol = options.families.protocol(family.protocol);
  const replies = new Map<string, JsonRecord | MinerError>();
  await fetchInto(replies, target, protocol, family.reads, family.joinReads, options);
  let readout: MinerReadout;
  try {
    readout = family.parse(replies, identity);
  } catch (error) {
    const failure = asMinerError(error);
    if (!family.diagnostics || failure.transport) throw failure;
    await fetchInto(replies, target, protocol, family.diagnostics, false, options);
    readout = family.parse(replies, identity);
  }
  return { identity, readout: describe(readout, identity, family, options.families) };
}

/**
 * The readout with its model in canonical form (the firmware's string kept as `model_raw`), its
 * maker and its hash algorithm: model table first, then what the family and registry know.
 */
function describe(readout: MinerReadout, identity: Identity, family: MinerFamily, families: FamilyRegistry): MinerReadout {
  const named = readout.model ?? identity.model;
  const model = named === undefined ? undefined : canonicalModel(named);
  const raw = readout.model_raw ?? (named !== model ? named : identity.model_raw);
  const info = model === undefined ? undefined : modelInfo(model);
  const described: MinerReadout = { ...readout, model, algorithm: info?.algorithm ?? family.algorithm ?? 'unknown' };
  if (raw !== undefined && raw !== model) described.model_raw = raw;
  else delete described.model_raw;
  const vendor = readout.vendor ?? families.vendorOf(family.id, model) ?? info?.vendor;
  if (vendor !== undefined) described.vendor = vendor;
  return described;
}

/** The operator's family wins over detection; the operator's model wins over the firmware's. */
async function identifyTarget(target: MinerTarget, options: PollOptions): Promise<Identity> {
  let detected: Identity;
  if (target.family) detected = { family: target.family };
  else {
    const protocol = options.families.protocolForPort(target.port);
    detected = await detect(protocol, options.families, (spec) => protocol.query(target, spec, queryOptions(options)));
  }
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

/**
 * Stores each command's reply or error in `replies`, error replies as the protocol's `api` error.
 * A transport failure stops the round (the miner is gone or hung) and is recorded for the commands
 * not sent.
 */
async function fetchInto(
  replies: Map<string, JsonRecord | MinerError>,
  target: MinerTarget,
  protocol: WireProtocol,
  specs: readonly CommandSpec[],
  join: boolean,
  options: PollOptions,
): Promise<void> {
  const store = (command: string, reply: JsonRecord | MinerError): void => {
    replies.set(command, reply instanceof MinerError ? reply : (protocol.replyError(command, reply) ?? reply));
  };
  if (join && protocol.queryJoined) {
    const commands = specs.map((spec) => spec.command);
    try {
      for (const [command, part] of await protocol.queryJoined(target, commands, queryOptions(options))) store(command, part);
    } catch (error) {
      for (const command of commands) replies.set(command, asMinerError(error));
    }
    return;
  }
  for (const [i, spec] of specs.entries()) {
    try {
      store(spec.command, await protocol.query(target, spec, queryOptions(options)));
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
