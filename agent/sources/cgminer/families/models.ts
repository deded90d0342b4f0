/**
 * Nameplate efficiency (J/TH at the wall) of miners that report no power, for the "estimated"
 * power of stock Antminers: J/TH × measured TH/s. Nameplate figures can be off by 5–20 %
 * (Foreman's power guide); a `power_w` per miner or an `efficiency` per model in the config
 * replaces them. Each row says where its number comes from.
 */

export interface ModelEfficiency {
  model: string;
  jPerTh: number;
  source: string;
}

export const MODEL_EFFICIENCY: readonly ModelEfficiency[] = [
  { model: 'Antminer S9', jPerTh: 1400 / 13.5, source: 'd-central.tech/data/asic-power-requirements.json (CC BY 4.0), row antminer-s9: 13.5 TH/s, 1,400 W' },
  { model: 'Antminer S19', jPerTh: 3250 / 95, source: 'd-central.tech glossary (project reference economics.md): 95 TH/s, ~3,250 W' },
  { model: 'Antminer S19 Pro', jPerTh: 29.5, source: 'd-central.tech glossary (project reference economics.md): 110 TH/s, ~3,250 W, ~29.5 J/TH' },
  { model: 'Antminer S19j Pro', jPerTh: 30.5, source: 'lmc-mining university; Luxor firmware docs (economics.md): 100 TH/s, 3,050 W' },
  { model: 'Antminer S19 XP', jPerTh: 21.5, source: 'miningstore.com (economics.md): 140 TH/s, 3,010 W' },
  { model: 'Antminer S21', jPerTh: 17.5, source: 'd-central.tech glossary (economics.md): 200 TH/s, 3,500 W' },
  { model: 'Antminer S21 Pro', jPerTh: 15, source: 'lmc-mining university (economics.md): 234 TH/s, 3,510 W' },
  { model: 'Antminer S21 XP', jPerTh: 13.5, source: 'IREN release; btcminermarketplace (economics.md): 270 TH/s, 13.5 J/TH' },
];

/**
 * Model names differ in spacing, case and decoration between firmwares ("Antminer S19JPRO Hiveon",
 * "Bitmain Antminer S19j Pro"); compare them reduced to letters and digits, maker and firmware dropped.
 */
export function modelKey(model: string): string {
  return model
    .toLowerCase()
    .replace(/\b(bitmain|hiveon)\b/g, '')
    .replace(/[^a-z0-9]/g, '');
}

const BY_KEY = new Map(MODEL_EFFICIENCY.map((row) => [modelKey(row.model), row.jPerTh]));

/** J/TH for a model: the config's per-model override first, then the table. */
export function efficiencyOf(model: string, overrides: Readonly<Record<string, number>> = {}): number | undefined {
  const key = modelKey(model);
  for (const [name, jPerTh] of Object.entries(overrides)) if (modelKey(name) === key) return jPerTh;
  return BY_KEY.get(key);
}
