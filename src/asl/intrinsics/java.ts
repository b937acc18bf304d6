/**
 * Step Functions runs on the JVM and turns JSON into plain Java objects (Integer, Long, Double,
 * String, Boolean, LinkedHashMap, ArrayList) before intrinsics see them. Several observable
 * behaviours follow from that and are reproduced here:
 *  - States.Format prints values with Java's toString: `{Arg1=1, Arg2=[]}` for an object;
 *  - States.ArrayContains compares those printed forms (`true` matches "true", key order matters);
 *  - States.ArrayUnique returns a java.util.HashSet's iteration order ([true, false] → [false, true]);
 *  - States.MathRandom with a seed draws from java.util.Random.
 * JSON numbers are typed as Jackson types them: an integer that fits 32 bits is an Integer, one that
 * fits 64 bits a Long, anything else a Double (JavaScript cannot tell 1 from 1.0, so both are Integer).
 */

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_LIMIT = 2 ** 63;

export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX;
}

/** Whether Jackson would read this number as an Integer or a Long rather than a Double. */
function isJavaIntegral(n: number): boolean {
  return Number.isInteger(n) && n > -LONG_LIMIT && n < LONG_LIMIT;
}

/** `String.valueOf(value)` for the Java object a JSON value becomes. */
export function javaToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return javaNumberToString(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ', ' : '') + javaToString(value[i]);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    out += (first ? '' : ', ') + key + '=' + javaToString((value as Record<string, unknown>)[key]);
    first = false;
  }
  return out + '}';
}

export function javaNumberToString(n: number): string {
  if (isJavaIntegral(n)) return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  return javaDoubleToString(n);
}

/**
 * `Double.toString(d)`: the shortest digits that round-trip (as in JavaScript), written plainly
 * with at least one decimal when 10^-3 <= |d| < 10^7 (`100.0`, `0.001`) and otherwise as
 * `<d>.<ddd>E<n>` (`1.0E21`, `1.23456789E7`, `1.0E-4`).
 */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  const abs = Math.abs(d);
  const [mantissa, exponentText] = abs.toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exponent}`;
}

const doubleView = new DataView(new ArrayBuffer(8));

/** `Object.hashCode()` of the Java object a JSON value becomes (32-bit, wrapping). */
export function javaHashCode(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'string': {
      let h = 0;
      for (let i = 0; i < value.length; i++) h = (Math.imul(31, h) + value.charCodeAt(i)) | 0;
      return h;
    }
    case 'boolean':
      return value ? 1231 : 1237;
    case 'number': {
      if (isInt32(value)) return value | 0;
      if (isJavaIntegral(value)) {
        const long = BigInt.asIntN(64, BigInt(value));
        return Number(BigInt.asIntN(32, long ^ (BigInt.asUintN(64, long) >> 32n)));
      }
      doubleView.setFloat64(0, value);
      return (doubleView.getInt32(0) ^ doubleView.getInt32(4)) | 0;
    }
  }
  if (Array.isArray(value)) {
    let h = 1;
    for (const item of value) h = (Math.imul(31, h) + javaHashCode(item)) | 0;
    return h;
  }
  let h = 0;
  for (const key of Object.keys(value as object)) {
    h = (h + (javaHashCode(key) ^ javaHashCode((value as Record<string, unknown>)[key]))) | 0;
  }
  return h;
}

/** `Object.equals` between the Java objects two JSON values become (maps ignore key order). */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!javaEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b, key)) return false;
    if (!javaEquals((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * The distinct values of `items` in the order `new HashSet<>(items)` iterates them: by bucket
 * (spread hash & (capacity - 1)), then insertion order within a bucket. The table is sized as the
 * HashSet(Collection) constructor sizes it, so no resize reorders it.
 */
export function javaHashSetOrder(items: readonly unknown[]): unknown[] {
  const requested = Math.max(Math.trunc(Math.fround(items.length / 0.75)) + 1, 16);
  let capacity = 16;
  while (capacity < requested && capacity < 2 ** 30) capacity *= 2;
  const buckets: unknown[][] = [];
  for (const item of items) {
    const h = javaHashCode(item);
    const index = (h ^ (h >>> 16)) & (capacity - 1);
    const bucket = (buckets[index] ??= []);
    if (!bucket.some((existing) => javaEquals(existing, item))) bucket.push(item);
  }
  const out: unknown[] = [];
  for (const bucket of buckets) if (bucket) out.push(...bucket);
  return out;
}

/** `HashMap.tableSizeFor`: the smallest power of two >= c (1 for c <= 1). */
function tableSizeFor(c: number): number {
  let size = 1;
  while (size < c && size < 2 ** 30) size *= 2;
  return size;
}

/**
 * `m = new HashMap<>(); m.putAll(left); m.putAll(right)` and the key order it iterates in. A
 * resize keeps the relative order of keys that share a bucket, so only the final capacity matters:
 * keys come bucket by bucket, each bucket in first-insertion order.
 */
export function javaHashMapMerge(
  left: Readonly<Record<string, unknown>>,
  right: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  const merged = new Map<string, unknown>();
  let capacity = 0;
  let threshold = 0;
  const putAll = (keys: string[], source: Readonly<Record<string, unknown>>): void => {
    if (keys.length === 0) return;
    if (capacity === 0) {
      capacity = tableSizeFor(Math.trunc(Math.fround(keys.length / 0.75 + 1)));
      threshold = Math.trunc(capacity * 0.75);
    }
    while (keys.length > threshold && capacity < 2 ** 30) {
      capacity *= 2;
      threshold = Math.trunc(capacity * 0.75);
    }
    for (const key of keys) {
      const isNew = !merged.has(key);
      merged.set(key, source[key]);
      if (isNew && merged.size > threshold) {
        capacity *= 2;
        threshold = Math.trunc(capacity * 0.75);
      }
    }
  };
  putAll(leftKeys, left);
  putAll(rightKeys, right);
  const buckets: string[][] = [];
  for (const key of merged.keys()) {
    const h = javaHashCode(key);
    (buckets[(h ^ (h >>> 16)) & (capacity - 1)] ??= []).push(key);
  }
  const out: Record<string, unknown> = {};
  for (const bucket of buckets) {
    if (!bucket) continue;
    for (const key of bucket) Object.defineProperty(out, key, { value: merged.get(key), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const MULTIPLIER = 0x5deece66dn;
const INCREMENT = 0xbn;
const MASK_48 = (1n << 48n) - 1n;

/** java.util.Random: the 48-bit linear congruential generator, so a seed gives Java's sequence. */
export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (BigInt.asIntN(64, seed) ^ MULTIPLIER) & MASK_48;
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + INCREMENT) & MASK_48;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  /** A value in [0, bound), bound > 0 and at most 2^31 - 1. */
  nextInt(bound: number): number {
    let r = this.next(31);
    const m = bound - 1;
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n);
    for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = this.next(31));
    return r;
  }
}
