/**
 * ASIC miners on a LAN: the `cgminer` source (named for the API most of them speak). Three layers:
 *   wire/      the miner APIs (CGMiner JSON over TCP 4028, Whatsminer API v3 on 4433): transport,
 *              framing, JSON repair, reply shapes; protocols.ts lists them.
 *   families/  one file per firmware family (how it is recognised, its vendor, protocol, reads and
 *              parser), the model table; registry.ts lists them.
 *   fleet/     polling a fleet: detection, per-miner deadlines, backoff, power, the device reading.
 * The fleet's code loads when a config names this source.
 */
import { defineSource } from '../source.js';
import { CgminerConfig } from './config.js';

export const cgminerSource = defineSource({
  type: 'cgminer',
  schema: CgminerConfig,
  create: async (config: CgminerConfig, ctx) => new (await import('./fleet/fleet.js')).CgminerFleet(config, ctx),
});
