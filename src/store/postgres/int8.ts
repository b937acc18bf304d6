/**
 * `pg` hands BIGINT (int8) columns back as strings, since not every int8 fits a JS number. The
 * values Stepwise keeps in them (epoch milliseconds, row sequence numbers, counters) stay far
 * below 2^53, so they are read back as numbers; anything else is a corrupt row and says so.
 */
export function int8(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`A BIGINT column holds ${String(value)}, not a safe integer`);
  return n;
}

/** int8 of a nullable column, undefined for NULL. */
export function int8OrUndefined(value: string | number | null): number | undefined {
  return value === null ? undefined : int8(value);
}
