/**
 * `$random(seed)` in Step Functions draws from `java.util.Random`: the same seed gives the same
 * number as `new java.util.Random(seed).nextDouble()` (`$random(42)` is 0.7275636800328681).
 * This is that generator's first draw, a 48-bit linear congruential step computed with BigInt.
 */
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** The first `nextDouble()` of a `java.util.Random` seeded with `seed` (a Java long). */
export function javaRandomFirstDouble(seed: bigint): number {
  let state = (seed ^ MULTIPLIER) & MASK;
  const next = (bits: bigint): bigint => {
    state = (state * MULTIPLIER + ADDEND) & MASK;
    return state >> (48n - bits);
  };
  const high = next(26n);
  const low = next(27n);
  return Number((high << 27n) + low) / 2 ** 53;
}

/** Java's `(long) someDouble`: towards zero, saturating, NaN to 0. */
export function toJavaLong(value: number): bigint {
  if (Number.isNaN(value)) return 0n;
  if (value === Infinity) return LONG_MAX;
  if (value === -Infinity) return LONG_MIN;
  const truncated = BigInt(Math.trunc(value));
  if (truncated > LONG_MAX) return LONG_MAX;
  if (truncated < LONG_MIN) return LONG_MIN;
  return truncated;
}
