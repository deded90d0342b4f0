/**
 * A miner's power and where it comes from, in the order of trust the economics use:
 * the operator's figure for this miner (`power_w` in the config: from a meter or PDU, so "measured"),
 * then the miner's own report, then nameplate J/TH × measured hashrate ("estimated").
 */
import type { PowerSource } from '../../../../protocol/index.js';
import { modelInfo, wattsPerHs } from '../families/models.js';

/**
 * No SHA-256 miner is anywhere near 5 J/TH (the best in 2025 run at ~10–13). A lower "report" is a
 * firmware artefact (Hiveon's start-up `chain_power` reads 34.65 W for an S9 at 11.8 TH/s) and is
 * ignored, so the estimate takes over instead of a number that would wreck the site's margins.
 */
export const MIN_PLAUSIBLE_J_PER_TH = 5;

export interface PowerInputs {
  overrideW?: number;
  reportedW?: number;
  hashrateHs?: number;
  model?: string;
  /** J/TH per model from the config, ahead of the built-in table. */
  efficiency?: Readonly<Record<string, number>>;
}

export interface ResolvedPower {
  power_w: number;
  power_source: PowerSource;
}

export function resolvePower(inputs: PowerInputs): ResolvedPower | undefined {
  const { overrideW, reportedW, hashrateHs, model } = inputs;
  if (overrideW !== undefined) return { power_w: overrideW, power_source: 'measured' };
  if (reportedW !== undefined && reportedW >= 0 && plausible(reportedW, hashrateHs, model)) return { power_w: reportedW, power_source: 'reported' };
  if (model !== undefined && hashrateHs !== undefined) {
    const perHs = wattsPerHs(model, inputs.efficiency);
    if (perHs !== undefined) return { power_w: perHs * hashrateHs, power_source: 'estimated' };
  }
  return undefined;
}

/** The J/TH floor is a SHA-256 fact; a scrypt miner's hashrate is a million times smaller per watt. */
function plausible(watts: number, hashrateHs: number | undefined, model: string | undefined): boolean {
  if (hashrateHs === undefined || hashrateHs < 1e12) return true;
  if (model !== undefined && (modelInfo(model)?.algorithm ?? 'sha256') !== 'sha256') return true;
  return watts / (hashrateHs / 1e12) >= MIN_PLAUSIBLE_J_PER_TH;
}
