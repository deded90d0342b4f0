/**
 * What a source found on its first answer, in words for the start-up log: "nvidia: 8 GPUs
 * (8× NVIDIA H100 80GB HBM3)", "cgminer(40 miners): 40 miners, 2 down (38× Antminer S19 Pro,
 * 2× model unknown)". Pure.
 */
import type { DeviceKind } from '../protocol/index.js';

const KIND_WORDS: Record<DeviceKind, [one: string, many: string]> = {
  gpu: ['GPU', 'GPUs'],
  asic: ['miner', 'miners'],
  host: ['host', 'hosts'],
  meter: ['meter', 'meters'],
};

export interface FoundDevice {
  kind: DeviceKind;
  model?: string | undefined;
  up: boolean;
}

export function foundSummary(source: string, devices: readonly FoundDevice[]): string {
  if (devices.length === 0) return `${source}: no devices`;
  const parts = (Object.keys(KIND_WORDS) as DeviceKind[]).flatMap((kind) => {
    const of = devices.filter((d) => d.kind === kind);
    if (of.length === 0) return [];
    const down = of.filter((d) => !d.up).length;
    const models = new Map<string, number>();
    for (const d of of) models.set(d.model ?? 'model unknown', (models.get(d.model ?? 'model unknown') ?? 0) + 1);
    const byModel = [...models].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([model, n]) => `${n}× ${model}`);
    return [`${of.length} ${KIND_WORDS[kind][of.length === 1 ? 0 : 1]}${down > 0 ? `, ${down} down` : ''} (${byModel.join(', ')})`];
  });
  return `${source}: ${parts.join('; ')}`;
}
