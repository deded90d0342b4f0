/**
 * Braiins OS / OS+ (bosminer): a cgminer-compatible subset plus extras. Hashrate in MH/s,
 * `temps` (per-board "Board" and "Chip", 0 = no sensor), `fans`, and `tunerstatus`, whose
 * `ApproximateMinerPowerConsumption` is the whole miner's power as the autotuner models it.
 */
import { summaryFamilyAdapter } from './summary-family.js';
import { firstRow, num } from './reply.js';

export const braiinsAdapter = summaryFamilyAdapter('braiins', 'tunerstatus', (reply) =>
  num(firstRow(reply, 'TUNERSTATUS')?.ApproximateMinerPowerConsumption),
);
