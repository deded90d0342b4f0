/**
 * MicroBT Whatsminer on btminer, API v1/v2 (port 4028). `summary` has it all: `Power` in W, hashrate
 * in MH/s, `Temperature` (hottest board), both fans. `edevs` adds the per-board temperatures. A
 * sleeping miner (`btmineroff`) stops answering `summary`; btminer's own `status` command says so.
 */
import { MinerError } from '../wire/errors.js';
import { okReply, requireReply, type MinerFamily, type MinerReadout } from './family.js';
import { hashrateFrom, maxOf, maxPositive, summaryCounters } from './readings.js';
import { firstRow, isRecord, num, replyStatus, rows, str } from '../wire/reply.js';

/** devdetails reports e.g. "M20S.V10"; keep it recognisable on its own in a fleet list. */
export function whatsminerModel(model: string | undefined): string | undefined {
  if (!model) return undefined;
  return /^whatsminer/i.test(model) ? model : `Whatsminer ${model}`;
}

/** SUMMARY fields only btminer has, from its 2019 builds ("Power Fanspeed", "Fan Speed In") to later ones (Power_RT, "Factory GHS"). */
const BTMINER_SUMMARY_KEYS = ['Power_RT', 'Factory GHS', 'Power Fanspeed', 'Fan Speed In'];

export const whatsminerFamily: MinerFamily = {
  id: 'whatsminer',
  protocol: 'cgminer',
  vendor: { name: 'microbt', models: /whatsminer/i },
  algorithm: 'sha256',
  /**
   * btminer names itself in Descriptions ("whatsminer v1.3", "btminer") and devdetails Driver; its
   * summary may say only "cgminer 4.9.2" but carries fields no other family has.
   */
  recognise(reply) {
    const details = firstRow(reply, 'DEVDETAILS');
    const summary = firstRow(reply, 'SUMMARY');
    const named = /whatsminer|btminer/i.test(replyStatus(reply).description ?? '') || details?.Driver === 'bitmicro';
    if (!named && !BTMINER_SUMMARY_KEYS.some((key) => summary?.[key] !== undefined)) return undefined;
    const model = whatsminerModel(str(details?.Model));
    const firmware = str(summary?.['Firmware Version'])?.replace(/'/g, '');
    return { model, firmware };
  },
  // Multi-command support differs across btminer releases; two small requests always work.
  joinReads: false,
  reads: [{ command: 'summary' }, { command: 'edevs' }],
  diagnostics: [{ command: 'status', key: 'cmd' }],
  parse(replies, identity): MinerReadout {
    const base: MinerReadout = { model: identity.model };
    const summaryReply = okReply(replies, 'summary');
    if (!summaryReply) {
      const status = okReply(replies, 'status');
      const off = isRecord(status?.Msg) ? status.Msg.btmineroff : undefined;
      if (off === 'true' || off === true) return { ...base, hashrate_hs: 0, note: 'mining stopped (btmineroff)' };
      requireReply(replies, 'summary');
    }
    const summary = firstRow(summaryReply, 'SUMMARY');
    if (!summary) throw new MinerError('malformed', 'summary: no SUMMARY row');
    const boards = rows(okReply(replies, 'edevs'), 'DEVS').map((row) => num(row.Temperature));
    return {
      ...base,
      hashrate_hs: hashrateFrom(summary),
      reported_power_w: num(summary.Power) ?? num(summary.Power_RT),
      temp_c: maxPositive(boards) ?? maxPositive([num(summary.Temperature)]),
      fan_rpm: maxOf([num(summary['Fan Speed In']), num(summary['Fan Speed Out'])]),
      ...summaryCounters(summary),
    };
  },
};
