/**
 * The adapter shape Braiins OS and LuxOS share: SUMMARY for hashrate and counters, bosminer-style
 * `temps` / `fans`, and one firmware-specific command that carries the power.
 */
import { MinerError } from './errors.js';
import { okReply, requireReply, vendorOf, type Family, type FamilyAdapter } from './family.js';
import { boardTempFromTemps, fanRpmFromFans, hashrateFrom, summaryCounters } from './readings.js';
import { firstRow, type JsonRecord } from './reply.js';

export function summaryFamilyAdapter(family: Family, powerCommand: string, powerOf: (reply: JsonRecord | undefined) => number | undefined): FamilyAdapter {
  return {
    family,
    protocol: 'cgminer',
    joinReads: true,
    reads: [{ command: 'summary' }, { command: powerCommand }, { command: 'temps' }, { command: 'fans' }],
    parse(replies, identity) {
      const summary = firstRow(requireReply(replies, 'summary'), 'SUMMARY');
      if (!summary) throw new MinerError('malformed', 'summary: no SUMMARY row');
      return {
        vendor: vendorOf(identity.model),
        model: identity.model,
        hashrate_hs: hashrateFrom(summary),
        reported_power_w: powerOf(okReply(replies, powerCommand)),
        temp_c: boardTempFromTemps(okReply(replies, 'temps')),
        fan_rpm: fanRpmFromFans(okReply(replies, 'fans')),
        ...summaryCounters(summary),
      };
    },
  };
}
