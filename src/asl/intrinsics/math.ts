/** States.MathAdd, States.MathRandom and States.UUID. */
import { randomUUID } from 'node:crypto';
import type { IntrinsicEnv } from './env.js';
import { invalidArguments } from './failure.js';
import { isInt32, JavaRandom } from './java.js';

/**
 * Each operand is rounded half up, as Java's Math.round does (-1.5 → -1, 0.5 → 1), and operands
 * and sum must be 32-bit integers. Strings, booleans and null are rejected, even "1".
 */
export function mathAdd([a, b]: unknown[]): number {
  const x = roundedInt32(a);
  const y = roundedInt32(b);
  const sum = x + y;
  if (!isInt32(sum)) throw invalidArguments('States.MathAdd');
  return sum;
}

function roundedInt32(value: unknown): number {
  if (typeof value !== 'number') throw invalidArguments('States.MathAdd');
  const rounded = Math.round(value);
  if (!isInt32(rounded)) throw invalidArguments('States.MathAdd');
  return rounded === 0 ? 0 : rounded;
}

/**
 * An integer in [start, end): start inclusive, end exclusive, both truncated to integers first
 * (so MathRandom(1.6, 5.4) draws from 1..4 and MathRandom(1.4, 1.6) is rejected). With a seed the
 * draw is java.util.Random(seed).nextInt(end - start), so equal seeds give equal values; without
 * one it comes from `env.random`.
 */
export function mathRandom(args: unknown[], env: IntrinsicEnv | undefined): number {
  const start = truncatedInt32(args[0]);
  const end = truncatedInt32(args[1]);
  const span = end - start;
  if (span <= 0 || span > 2147483647) throw invalidArguments('States.MathRandom');
  if (args.length === 3) {
    const seed = args[2];
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw invalidArguments('States.MathRandom');
    return start + new JavaRandom(BigInt(Math.trunc(seed))).nextInt(span);
  }
  const draw = (env?.random ?? Math.random)();
  return start + Math.min(span - 1, Math.floor(draw * span));
}

function truncatedInt32(value: unknown): number {
  if (typeof value !== 'number') throw invalidArguments('States.MathRandom');
  const n = Math.trunc(value);
  if (!isInt32(n)) throw invalidArguments('States.MathRandom');
  return n === 0 ? 0 : n;
}

export function uuid(_args: unknown[], env: IntrinsicEnv | undefined): string {
  return env?.uuid ? env.uuid() : randomUUID();
}
