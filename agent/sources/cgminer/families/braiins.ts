/**
 * Braiins OS / OS+ (bosminer): a cgminer-compatible subset plus extras. Hashrate in MH/s,
 * `temps` (per-board "Board" and "Chip", 0 = no sensor), `fans`, and `tunerstatus`, whose
 * `ApproximateMinerPowerConsumption` is the whole miner's power as the autotuner models it.
 */
import { firstRow, minerType, num, replyStatus, str } from '../wire/reply.js';
import { summaryFamily } from './summary-family.js';

export const braiinsFamily = summaryFamily({
  id: 'braiins',
  /** bosminer names itself in the Description ("BOSminer+ 0.2.0", "BOSer") or in VERSION. */
  recognise(reply) {
    const version = firstRow(reply, 'VERSION');
    if (!/bosminer|boser/i.test(replyStatus(reply).description ?? '') && version?.BOSminer === undefined && version?.BOSer === undefined) return undefined;
    const model = str(firstRow(reply, 'DEVDETAILS')?.Model) ?? minerType(reply);
    return { model };
  },
  powerCommand: 'tunerstatus',
  powerOf: (reply) => num(firstRow(reply, 'TUNERSTATUS')?.ApproximateMinerPowerConsumption),
});
