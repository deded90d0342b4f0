/**
 * How long to leave a failing miner alone. The first failure is retried next cycle (a blip); after
 * that the pause doubles from one interval up to `maxMs`, ±20 % so a rack that died together does not
 * come back in lockstep. Dead miners then cost a connection attempt every few minutes, not every cycle.
 */
export function backoffMs(failures: number, intervalMs: number, maxMs: number, random: () => number = Math.random): number {
  if (failures < 2) return 0;
  const base = Math.min(maxMs, intervalMs * 2 ** Math.min(failures - 2, 30));
  return Math.min(maxMs, base * (0.8 + 0.4 * random()));
}
