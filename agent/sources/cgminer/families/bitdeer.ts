/**
 * Bitdeer SealMiner on bdminer (a cgminer 4.11 fork, "bdminer 4.11.1"). SUMMARY carries the
 * hashrate windows and counters; the one `stats` row carries the rest: `Model` ("A2"), the PSU's
 * wall reading `PSU Input Power` (W), per-board sensors "<board> Temp <n>" and per-fan "<n> Speed"
 * (the PSU's own fan, `PSU Fan Speed`, is not a cooling fan of the boards).
 */
import { MinerError } from '../wire/errors.js';
import { firstRow, num, replyStatus, rows, str, type JsonRecord } from '../wire/reply.js';
import { okReply, requireReply, type MinerFamily } from './family.js';
import { hashrateFrom, maxOf, maxPositive, numbered, summaryCounters } from './readings.js';

function sealminerModel(stats: JsonRecord | undefined): string | undefined {
  const model = str(stats?.Model)?.trim();
  return model ? `Sealminer ${model}` : undefined;
}

export const bitdeerFamily: MinerFamily = {
  id: 'bitdeer',
  protocol: 'cgminer',
  vendor: { name: 'bitdeer', models: /sealminer/i },
  algorithm: 'sha256',
  recognise(reply) {
    const version = firstRow(reply, 'VERSION');
    if (!/bdminer/i.test(replyStatus(reply).description ?? '') && version?.BDMiner === undefined) return undefined;
    const model = sealminerModel(rows(reply, 'STATS')[0]);
    const firmware = str(rows(reply, 'STATS')[0]?.Firmware);
    return { model, firmware: firmware === undefined ? undefined : `bdminer firmware ${firmware}` };
  },
  joinReads: true,
  reads: [{ command: 'summary' }, { command: 'stats' }],
  parse(replies, identity) {
    const summary = firstRow(requireReply(replies, 'summary'), 'SUMMARY');
    if (!summary) throw new MinerError('malformed', 'summary: no SUMMARY row');
    const stats = rows(okReply(replies, 'stats'), 'STATS')[0];
    return {
      model: identity.model ?? sealminerModel(stats),
      hashrate_hs: hashrateFrom(summary),
      reported_power_w: num(stats?.['PSU Input Power']),
      temp_c: maxPositive(numbered(stats, /^\d+ Temp \d+$/)),
      fan_rpm: maxOf(numbered(stats, /^\d+ Speed$/)),
      ...summaryCounters(summary),
    };
  },
};
