/**
 * ASIC miners over the CGMiner API (TCP 4028) and Whatsminer API v3 (TCP 4433): stock Antminer,
 * Hiveon, Whatsminer, Braiins OS, LuxOS, Avalon and any other cgminer daemon. See fleet.ts for
 * polling, detect.ts for detection, the adapter files for each family and power.ts for power.
 */
import { defineSource } from '../source.js';
import { CgminerConfig } from './config.js';
import { CgminerFleet } from './fleet.js';

export { CgminerConfig } from './config.js';
export { CgminerFleet, type FleetStats } from './fleet.js';

export const cgminerSource = defineSource({
  type: 'cgminer',
  schema: CgminerConfig,
  create: (config: CgminerConfig, ctx) => new CgminerFleet(config, ctx),
});
