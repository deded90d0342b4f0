/**
 * Every miner family and wire protocol the agent knows, and what is derived from them: the
 * config's `family:` values, default ports, detection, vendors. A new family is one file and one
 * line in BUILTIN_FAMILIES; a new protocol one file and one line in wire/protocols.ts.
 */
import type { WireProtocol } from '../wire/protocol.js';
import { PROTOCOLS } from '../wire/protocols.js';
import { replyStatus, type JsonRecord } from '../wire/reply.js';
import { antminerFamily, hiveonFamily } from './antminer.js';
import { avalonFamily } from './avalon.js';
import { bitdeerFamily } from './bitdeer.js';
import { braiinsFamily } from './braiins.js';
import type { Family, Identity, MinerFamily } from './family.js';
import { genericFamily } from './generic.js';
import { luxosFamily } from './luxos.js';
import { canonicalModel } from './models.js';
import { whatsminerV3Family } from './whatsminer-v3.js';
import { whatsminerFamily } from './whatsminer.js';

/**
 * Detection asks families in this order: firmware that names itself (btminer, bosminer, LuxOS,
 * Avalon's cgminer) before Bitmain's, whose "Antminer" Type also shows on Braiins OS and LuxOS.
 */
export const BUILTIN_FAMILIES: readonly MinerFamily[] = [
  whatsminerFamily,
  braiinsFamily,
  luxosFamily,
  avalonFamily,
  bitdeerFamily,
  hiveonFamily,
  antminerFamily,
  whatsminerV3Family,
  genericFamily,
];

export class FamilyRegistry {
  private readonly byId: ReadonlyMap<Family, MinerFamily>;

  constructor(
    readonly families: readonly MinerFamily[],
    readonly protocols: readonly WireProtocol[] = PROTOCOLS,
  ) {
    const protocolIds = new Set(protocols.map((p) => p.id));
    const byId = new Map<Family, MinerFamily>();
    const fallbacks = new Set<string>();
    for (const family of families) {
      if (byId.has(family.id)) throw new Error(`miner family "${family.id}" registered twice`);
      if (!protocolIds.has(family.protocol)) throw new Error(`miner family "${family.id}" speaks unknown protocol "${family.protocol}"`);
      if (family.joinReads && !this.protocol(family.protocol).queryJoined) throw new Error(`miner family "${family.id}" joins reads, which ${family.protocol} cannot`);
      if (family.fallback) {
        if (fallbacks.has(family.protocol)) throw new Error(`two fallback families for protocol "${family.protocol}"`);
        fallbacks.add(family.protocol);
      }
      byId.set(family.id, family);
    }
    this.byId = byId;
  }

  get ids(): Family[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  family(id: Family): MinerFamily {
    const family = this.byId.get(id);
    if (!family) throw new Error(`unknown miner family "${id}"`);
    return family;
  }

  protocol(id: string): WireProtocol {
    const protocol = this.protocols.find((p) => p.id === id);
    if (!protocol) throw new Error(`unknown miner protocol "${id}"`);
    return protocol;
  }

  /** The protocol a miner on `port` speaks: the one whose default port it is, else the first (CGMiner API). */
  protocolForPort(port: number): WireProtocol {
    return this.protocols.find((p) => p.defaultPort === port) ?? this.protocols[0]!;
  }

  /** Where a miner of `family` listens unless told otherwise; the first protocol's port when the family is not known yet. */
  defaultPort(family?: Family): number {
    return family === undefined ? this.protocols[0]!.defaultPort : this.protocol(this.family(family).protocol).defaultPort;
  }

  /** Every protocol's default port: where a scan looks. */
  get ports(): number[] {
    return this.protocols.map((p) => p.defaultPort);
  }

  /** The first family of `protocol` that recognises the reply. */
  recognise(reply: JsonRecord, protocol: string): Identity | undefined {
    for (const family of this.families) {
      if (family.protocol !== protocol) continue;
      const found = family.recognise(reply);
      if (!found) continue;
      const identity: Identity = { family: family.id };
      const model = found.model === undefined ? undefined : canonicalModel(found.model);
      if (model !== undefined) identity.model = model;
      if (found.model !== undefined && found.model !== model) identity.model_raw = found.model;
      const firmware = found.firmware ?? replyStatus(reply).description;
      if (firmware !== undefined) identity.firmware = firmware;
      return identity;
    }
    return undefined;
  }

  /** The family of a daemon that speaks `protocol` but that no family recognised. */
  fallback(protocol: string): Family | undefined {
    return this.families.find((f) => f.protocol === protocol && f.fallback)?.id;
  }

  /** The hardware's maker: the family's own, else the maker whose model names match (Braiins OS on an "Antminer S9"). */
  vendorOf(family: Family | undefined, model: string | undefined): string | undefined {
    const own = family === undefined ? undefined : this.byId.get(family)?.vendor?.name;
    if (own !== undefined || model === undefined) return own;
    return this.families.find((f) => f.vendor?.models.test(model))?.vendor?.name;
  }
}

export const FAMILIES = new FamilyRegistry(BUILTIN_FAMILIES);
