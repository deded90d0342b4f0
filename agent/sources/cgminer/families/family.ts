/**
 * The contract between the fleet and one miner family: how a reply shows a miner is one of its
 * own, who makes the hardware, which API it speaks, which reads to send, and a pure function from
 * the replies to a readout in base units. Adding a family = one file exporting a `MinerFamily`
 * + one line in registry.ts.
 */
import { MinerError } from '../wire/errors.js';
import type { CommandSpec } from '../wire/protocol.js';
import type { JsonRecord } from '../wire/reply.js';
import type { Algorithm } from './models.js';

export type { CommandSpec };

/** A family's name, as in the config's `family:`; the registry knows which exist. */
export type Family = string;

/** What detection (or the config) established about a miner, cached between polls. */
export interface Identity {
  family: Family;
  /** Canonical model (families/models.ts), as tags and look-ups use it. */
  model?: string;
  /** The model string as the firmware wrote it, when it differs from `model`. */
  model_raw?: string;
  /** The firmware's name and version as the miner gives it ("vnish 3.8.6", "BOSminer 0.2.0-d360818"). */
  firmware?: string;
}

/** One miner's reading, before the fleet adds its id, kind and power source. */
export interface MinerReadout {
  /** Left to the registry (the family's or the model's maker) unless the family knows better. */
  vendor?: string;
  model?: string;
  /** The model string as the firmware wrote it, when it differs from `model` (for support). */
  model_raw?: string;
  /** From the model table, else the family; "unknown" when neither tells. */
  algorithm?: string;
  /** Why a reachable miner is not hashing normally (e.g. "mining stopped"). */
  note?: string;
  hashrate_hs?: number;
  /** Watts the miner reports about itself. */
  reported_power_w?: number;
  /** Hottest hash board, °C. */
  temp_c?: number;
  /** Fastest fan, rpm. */
  fan_rpm?: number;
  /** Seconds since the mining daemon started (cgminer `Elapsed`). */
  uptime_s?: number;
  hw_errors?: number;
  shares_accepted?: number;
  shares_rejected?: number;
}

/**
 * Each command's reply, or why it could not be had. Error replies arrive as `api` MinerErrors
 * (the protocol judged them), so a parser sees only readings and failures.
 */
export type Replies = ReadonlyMap<string, JsonRecord | MinerError>;

/** What a family reads from a detection reply: the model as the firmware names it (the registry canonicalises it) and the firmware. */
export interface Recognised {
  model?: string | undefined;
  firmware?: string | undefined;
}

export interface MinerFamily {
  readonly id: Family;
  /** The wire protocol's id (wire/protocols.ts). */
  readonly protocol: string;
  /**
   * The maker whose hardware this firmware runs on, and how that maker's model names look; firmware
   * that runs on others' hardware (Braiins OS, LuxOS) leaves it out and gets the vendor from its model.
   */
  readonly vendor?: { readonly name: string; readonly models: RegExp };
  /** The hash algorithm of every miner this firmware runs on, where that is one (btminer: sha256); the model table says otherwise. */
  readonly algorithm?: Algorithm;
  /**
   * This family's reading of a detection reply (error replies included: btminer names itself in
   * the Description of its refusals), or undefined when the reply is not this family's. Pure.
   */
  recognise(reply: JsonRecord): Recognised | undefined;
  /** The family of a daemon that speaks the protocol but that no family recognises (one per protocol at most). */
  readonly fallback?: boolean;
  /** Send the reads as one joined request (the protocol must support it). */
  readonly joinReads: boolean;
  /** Read every poll. */
  readonly reads: readonly CommandSpec[];
  /** Read only when the reads gave no reading, to tell why (e.g. a sleeping Whatsminer). */
  readonly diagnostics?: readonly CommandSpec[];
  /** Pure. Throws a MinerError when the replies hold no reading. */
  parse(replies: Replies, identity: Identity): MinerReadout;
}

/** The reply to `command` when it arrived and is a reading. */
export function okReply(replies: Replies, command: string): JsonRecord | undefined {
  const reply = replies.get(command);
  return reply === undefined || reply instanceof MinerError ? undefined : reply;
}

/** The reply to `command`, or the error that explains its absence. */
export function requireReply(replies: Replies, command: string): JsonRecord {
  const reply = replies.get(command);
  if (reply === undefined) throw new MinerError('malformed', `${command}: no reply`);
  if (reply instanceof MinerError) throw reply;
  return reply;
}
