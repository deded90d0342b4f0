/**
 * Any other cgminer-API daemon: SUMMARY for hashrate and counters (any unit), and, when `stats`
 * answers, the common temp1..N / fan1..N keys. No power: the fleet estimates it if the model is known.
 */
import { MinerError } from './errors.js';
import { okReply, requireReply, vendorOf, type FamilyAdapter } from './family.js';
import { hashrateFrom, maxOf, maxPositive, numbered, summaryCounters } from './readings.js';
import { firstRow, num, rows } from './reply.js';

export const genericAdapter: FamilyAdapter = {
  family: 'generic',
  protocol: 'cgminer',
  // Unknown firmware may not join commands.
  joinReads: false,
  reads: [{ command: 'summary' }, { command: 'stats' }],
  parse(replies, identity) {
    const summary = firstRow(requireReply(replies, 'summary'), 'SUMMARY');
    if (!summary) throw new MinerError('malformed', 'summary: no SUMMARY row');
    const statRows = rows(okReply(replies, 'stats'), 'STATS');
    return {
      vendor: vendorOf(identity.model),
      model: identity.model,
      hashrate_hs: hashrateFrom(summary),
      temp_c: maxPositive([num(summary.Temperature), ...statRows.flatMap((row) => numbered(row, /^temp\d+$/))]),
      fan_rpm: maxOf(statRows.flatMap((row) => numbered(row, /^fan\d+$/))),
      ...summaryCounters(summary),
    };
  },
};
