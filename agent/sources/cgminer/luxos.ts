/**
 * LuxOS (Luxor's LUXminer on Antminer hardware). Hashrate in GH/s; the `power` command gives
 * `POWER[0].Watts`. With `"PSU": false` LuxOS computes it from its own chip model instead of
 * reading the PSU: still the device's own figure, so it counts as "reported".
 */
import { summaryFamilyAdapter } from './summary-family.js';
import { firstRow, num } from './reply.js';

export const luxosAdapter = summaryFamilyAdapter('luxos', 'power', (reply) => num(firstRow(reply, 'POWER')?.Watts));
