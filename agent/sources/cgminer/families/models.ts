/**
 * The miner models the agent knows: canonical name, maker, algorithm, and nameplate hashrate and
 * wall power (the "estimated" power of a miner that reports none: nameplate W per H/s × measured
 * H/s). Nameplate figures can be off by 5–20 % (Foreman's power guide); a `power_w` per miner or an
 * `efficiency` per model in the config replaces them. Each row says where its numbers come from;
 * "maker's launch spec" rows were taken from the maker's published figures, not from a page kept here.
 *
 * Firmware decorates model names ("Antminer S9\nV1.3.58", "Antminer S9 (vnish 3.8.6)",
 * "Antminer S19JPRO Hiveon", "M20S.V10"): `canonicalModel` strips that to the name used for tags
 * and look-ups; the raw string travels as `model_raw` for support.
 */

/** Hash algorithms by the names the wire uses (protocol/telemetry.ts). Only sha256 is priced (bitcoin). */
export type Algorithm = 'sha256' | 'scrypt';

export interface MinerModel {
  model: string;
  /** Other names firmware gives the same hardware. */
  aliases?: readonly string[];
  vendor: string;
  algorithm: Algorithm;
  /** Nameplate hashrate, H/s. */
  hashrate_hs: number;
  /** Nameplate wall power, W; absent where no source gives one (no estimate then). */
  power_w?: number;
  source: string;
}

const TH = 1e12;
const GH = 1e9;
const MH = 1e6;
const ECON = 'project reference economics.md';
const LAUNCH = "maker's launch spec";

export const MINER_MODELS: readonly MinerModel[] = [
  // Bitmain, SHA-256
  { model: 'Antminer S9', aliases: ['Antminer S9i', 'Antminer S9j'], vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 13.5 * TH, power_w: 1400, source: 'd-central.tech/data/asic-power-requirements.json (CC BY 4.0), row antminer-s9: 13.5 TH/s, 1,400 W' },
  // MSKminer names the S9 it tunes "Antminer S9 Pro (v5.1)"; Bitmain sold no S9 Pro.
  { model: 'Antminer S9 Pro', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 13.5 * TH, power_w: 1400, source: 'an S9 under MSKminer (capture mskminer-s9): the S9 row' },
  { model: 'Antminer S9k', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 13.5 * TH, power_w: 1323, source: `${LAUNCH} (Bitmain, 2019): 13.5 TH/s, 1,323 W` },
  { model: 'Antminer T15', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 23 * TH, power_w: 1541, source: `${LAUNCH} (Bitmain, 2019): 23 TH/s, 1,541 W (67 J/TH)` },
  { model: 'Antminer S17 Pro', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 53 * TH, power_w: 2094, source: `${LAUNCH} (Bitmain, 2019): 53 TH/s, 2,094 W (39.5 J/TH)` },
  { model: 'Antminer S19', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 95 * TH, power_w: 3250, source: `d-central.tech glossary (${ECON}): 95 TH/s, ~3,250 W` },
  { model: 'Antminer S19 Pro', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 110 * TH, power_w: 110 * 29.5, source: `d-central.tech glossary (${ECON}): 110 TH/s, ~29.5 J/TH` },
  { model: 'Antminer S19j Pro', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 100 * TH, power_w: 3050, source: `lmc-mining university; Luxor firmware docs (${ECON}): 100 TH/s, 3,050 W` },
  { model: 'Antminer S19k Pro', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 120 * TH, power_w: 2760, source: `${LAUNCH} (Bitmain, 2023): 120 TH/s, 2,760 W (23 J/TH)` },
  { model: 'Antminer S19 XP', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 140 * TH, power_w: 3010, source: `miningstore.com (${ECON}): 140 TH/s, 3,010 W` },
  { model: 'Antminer S21', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 200 * TH, power_w: 3500, source: `d-central.tech glossary (${ECON}): 200 TH/s, 3,500 W` },
  { model: 'Antminer S21 Pro', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 234 * TH, power_w: 3510, source: `lmc-mining university (${ECON}): 234 TH/s, 3,510 W` },
  { model: 'Antminer S21 XP', vendor: 'bitmain', algorithm: 'sha256', hashrate_hs: 270 * TH, power_w: 270 * 13.5, source: `IREN release; btcminermarketplace (${ECON}): 270 TH/s, 13.5 J/TH` },
  // Bitmain, scrypt: the L-series firmware writes MH/s under "GHS" keys (see antminer.ts).
  { model: 'Antminer L3+', vendor: 'bitmain', algorithm: 'scrypt', hashrate_hs: 504 * MH, power_w: 800, source: `${LAUNCH} (Bitmain, 2017): 504 MH/s, 800 W` },
  // MicroBT
  { model: 'Whatsminer M20S', vendor: 'microbt', algorithm: 'sha256', hashrate_hs: 68 * TH, power_w: 3360, source: `${LAUNCH} (MicroBT, 2019): 68 TH/s, 3,360 W (49 J/TH)` },
  { model: 'Whatsminer M30S', vendor: 'microbt', algorithm: 'sha256', hashrate_hs: 88 * TH, power_w: 3344, source: `${LAUNCH} (MicroBT, 2020): 88 TH/s, 3,344 W (38 J/TH)` },
  { model: 'Whatsminer M31S', vendor: 'microbt', algorithm: 'sha256', hashrate_hs: 70 * TH, power_w: 3220, source: `${LAUNCH} (MicroBT, 2020): 70 TH/s, 3,220 W (46 J/TH)` },
  { model: 'Whatsminer M60S', vendor: 'microbt', algorithm: 'sha256', hashrate_hs: 186 * TH, power_w: 3441, source: `${LAUNCH} (MicroBT, 2024): 186 TH/s, 3,441 W (18.5 J/TH)` },
  // Canaan
  { model: 'AvalonMiner 921', vendor: 'canaan', algorithm: 'sha256', hashrate_hs: 20 * TH, power_w: 1700, source: `${LAUNCH} (Canaan, 2018): 20 TH/s, 1,700 W (85 J/TH)` },
  { model: 'AvalonMiner 1047', vendor: 'canaan', algorithm: 'sha256', hashrate_hs: 37 * TH, power_w: 2380, source: `${LAUNCH} (Canaan, 2020): 37 TH/s, 2,380 W (64 J/TH)` },
  { model: 'AvalonMiner 1246', vendor: 'canaan', algorithm: 'sha256', hashrate_hs: 90 * TH, power_w: 3420, source: `${LAUNCH} (Canaan, 2021): 90 TH/s, 3,420 W (38 J/TH)` },
  // The controller's PROD says "AvalonMiner 15-194": series 15, 194 TH/s bin of the A1566.
  { model: 'AvalonMiner 1566', aliases: ['AvalonMiner 15-194'], vendor: 'canaan', algorithm: 'sha256', hashrate_hs: 185 * TH, power_w: 3420, source: `${LAUNCH} (Canaan, 2024): A1566 185 TH/s, 18.5 J/TH` },
  { model: 'Avalon Q', vendor: 'canaan', algorithm: 'sha256', hashrate_hs: 90 * TH, power_w: 1674, source: `${LAUNCH} (Canaan, 2025): 90 TH/s, 1,674 W` },
  // Bitdeer
  { model: 'Sealminer A2', vendor: 'bitdeer', algorithm: 'sha256', hashrate_hs: 226 * TH, power_w: 3730, source: `${LAUNCH} (Bitdeer, 2025): 226 TH/s, 16.5 J/TH` },
  // Hammer (scrypt). No wall power found in any source kept here: no estimate for it.
  { model: 'Hammer D10', vendor: 'hammer', algorithm: 'scrypt', hashrate_hs: 5 * GH, source: 'hashrate from miner lists (Hammer D10+ 5,000 MH/s); no published wall power found' },
];

/**
 * The hardware name a firmware string stands for: first line only ("Antminer S9\nV1.3.58"),
 * parenthesised firmware notes dropped ("(vnish 3.8.6)", "(v5.1)"), firmware brands dropped
 * ("Hiveon"), Whatsminer board revisions dropped ("M20S.V10", "M60S_VK30"), and the table's own
 * spelling where the table knows the model ("Antminer S19JPRO" → "Antminer S19j Pro").
 */
export function canonicalModel(raw: string): string | undefined {
  const cleaned = raw
    .split(/[\r\n]/)[0]!
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\b(hiveon|bitmain)\b/gi, ' ')
    .replace(/(\bwhatsminer\s+)?\b(M\d{2}S?\+{0,2})[._ ]V[A-Z]*\d+\b/i, (_, prefix: string | undefined, model: string) => `${prefix ?? ''}${model}`)
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return undefined;
  const named = /^M\d{2}/i.test(cleaned) ? `Whatsminer ${cleaned}` : cleaned;
  return modelInfo(named)?.model ?? named;
}

/** Model names reduced to letters, digits and "+", maker and firmware brand dropped, so spellings across firmwares compare equal. */
export function modelKey(model: string): string {
  return model
    .toLowerCase()
    .replace(/\b(bitmain|hiveon)\b/g, '')
    .replace(/[^a-z0-9+]/g, '');
}

const BY_KEY = new Map(MINER_MODELS.flatMap((row) => [row.model, ...(row.aliases ?? [])].map((name) => [modelKey(name), row] as const)));

export function modelInfo(model: string): MinerModel | undefined {
  return BY_KEY.get(modelKey(model));
}

/**
 * Watts per H/s for a model: the config's J/TH override first (J/TH = W per 10^12 H/s, whatever
 * the algorithm), then the table's nameplate power / hashrate.
 */
export function wattsPerHs(model: string, overrides: Readonly<Record<string, number>> = {}): number | undefined {
  const key = modelKey(model);
  for (const [name, jPerTh] of Object.entries(overrides)) if (modelKey(name) === key) return jPerTh / TH;
  const row = BY_KEY.get(key);
  return row?.power_w === undefined ? undefined : row.power_w / row.hashrate_hs;
}
