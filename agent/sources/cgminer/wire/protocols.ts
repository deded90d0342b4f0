/** The miner APIs the agent speaks. The first is the default for a miner on a port no API claims. */
import { cgminerApi } from './cgminer-api.js';
import type { WireProtocol } from './protocol.js';
import { whatsminerV3Api } from './whatsminer-v3-api.js';

export const PROTOCOLS: readonly WireProtocol[] = [cgminerApi, whatsminerV3Api];
