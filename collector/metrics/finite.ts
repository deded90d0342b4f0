/**
 * The last check before an amount reaches a counter: a counter that once holds Infinity (or an
 * amount so large that later increments vanish in its rounding) is wrong until a restart, and
 * prom-client throws on a non-finite increment. Bounds in the wire schema keep valid messages far
 * from that; this catches whatever arithmetic still overflows, before any counter of the message moves.
 */
export class NonFiniteAmount extends Error {
  constructor(readonly what: string) {
    super(`${what} is not a finite amount`);
    this.name = 'NonFiniteAmount';
  }
}

/** Throws NonFiniteAmount naming the first amount that is NaN or ±Infinity; an absent (undefined) amount is none. */
export function assertFinite<T extends { [K in keyof T]: number | undefined }>(amounts: T, where: string): void {
  for (const name in amounts) {
    const value = amounts[name];
    if (value !== undefined && !Number.isFinite(value)) throw new NonFiniteAmount(`${where}.${name}`);
  }
}
