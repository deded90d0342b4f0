/**
 * LuxOS (Luxor's LUXminer on Antminer hardware). Hashrate in GH/s; the `power` command gives
 * `POWER[0].Watts`. With `"PSU": false` LuxOS computes it from its own chip model instead of
 * reading the PSU: still the device's own figure, so it counts as "reported".
 */
import { firstRow, minerType, num, replyStatus } from '../wire/reply.js';
import { summaryFamily } from './summary-family.js';

export const luxosFamily = summaryFamily({
  id: 'luxos',
  recognise(reply) {
    if (!/luxminer/i.test(replyStatus(reply).description ?? '') && firstRow(reply, 'VERSION')?.LUXminer === undefined) return undefined;
    return { model: minerType(reply) };
  },
  powerCommand: 'power',
  powerOf: (reply) => num(firstRow(reply, 'POWER')?.Watts),
});
