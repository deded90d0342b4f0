/** Family → adapter: the one place the poller looks adapters up. */
import { antminerAdapter, hiveonAdapter } from './antminer.js';
import { avalonAdapter } from './avalon.js';
import { braiinsAdapter } from './braiins.js';
import type { Family, FamilyAdapter } from './family.js';
import { genericAdapter } from './generic.js';
import { luxosAdapter } from './luxos.js';
import { whatsminerV3Adapter } from './whatsminer-v3.js';
import { whatsminerAdapter } from './whatsminer.js';

export const ADAPTERS: Readonly<Record<Family, FamilyAdapter>> = {
  antminer: antminerAdapter,
  hiveon: hiveonAdapter,
  whatsminer: whatsminerAdapter,
  'whatsminer-v3': whatsminerV3Adapter,
  braiins: braiinsAdapter,
  luxos: luxosAdapter,
  avalon: avalonAdapter,
  generic: genericAdapter,
};
