/**
 * The adapter shape Braiins OS and LuxOS share: SUMMARY for hashrate and counters, bosminer-style
 * `temps` / `fans`, and one firmware-specific command that carries the power.
 */
import { MinerError } from '../wire/errors.js';
import { okReply, requireReply, type MinerFamily } from './family.js';
import { boardTempFromTemps, fanRpmFromFans, hashrateFrom, summaryCounters } from './readings.js';
import { firstRow, type JsonRecord } from '../wire/reply.js';

export interface SummaryFamilySpec extends Pick<MinerFamily, 'id' | 'recognise'> {
  /** The firmware's own command that carries the power… */
  powerCommand: string;
  /** …and the watts in its reply. */
  powerOf: (reply: JsonRecord | undefined) => number | undefined;
}

/** Runs on others' hardware (Antminers mostly), so no vendor of its own: the model names the maker. */
export function summaryFamily({ id, recognise, powerCommand, powerOf }: SummaryFamilySpec): MinerFamily {
  return {
    id,
    protocol: 'cgminer',
    // Braiins OS and LuxOS run only on SHA-256 miners.
    algorithm: 'sha256',
    recognise,
    joinReads: true,
    reads: [{ command: 'summary' }, { command: powerCommand }, { command: 'temps' }, { command: 'fans' }],
    parse(replies, identity) {
      const summary = firstRow(requireReply(replies, 'summary'), 'SUMMARY');
      if (!summary) throw new MinerError('malformed', 'summary: no SUMMARY row');
      return {
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
