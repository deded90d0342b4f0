/** Absolute path of an executable found on PATH or in the system bin dirs, or undefined. */
export function findBinary(name: string): string | undefined;
