/**
 * Any other cgminer-API daemon: SUMMARY for hashrate and counters (any unit), and, when `stats`
 * answers, the common temp1..N / fan1..N keys. No power: the fleet estimates it if the model is known.
 */
import { MinerError } from '../wire/errors.js';
import { okReply, requireReply, type MinerFamily } from './family.js';
import { hashrateFrom, maxOf, maxPositive, numbered, summaryCounters } from './readings.js';
import { firstRow, minerType, num, rows } from '../wire/reply.js';

export const genericFamily: MinerFamily = {
  id: 'generic',
  protocol: 'cgminer',
  recognise: () => undefined,
  fallback: true,
  // Unknown firmware may not join commands.
  joinReads: false,
  reads: [{ command: 'summary' }, { command: 'stats' }],
  parse(replies, identity) {
    const summary = firstRow(requireReply(replies, 'summary'), 'SUMMARY');
    if (!summary) throw new MinerError('malformed', 'summary: no SUMMARY row');
    const statRows = rows(okReply(replies, 'stats'), 'STATS');
    return {
      // bmminer-style STATS[0].Type ("Hammer D10") names the model even when nothing else is recognised.
      model: identity.model ?? minerType(okReply(replies, 'stats') ?? {}),
      hashrate_hs: hashrateFrom(summary),
      temp_c: maxPositive([num(summary.Temperature), ...statRows.flatMap((row) => numbered(row, /^temp\d+$/))]),
      fan_rpm: maxOf(statRows.flatMap((row) => numbered(row, /^fan\d+$/))),
      ...summaryCounters(summary),
    };
  },
};
