/**
 * The array intrinsics. Numeric arguments are truncated toward zero the way Java's `intValue()`
 * does (States.ArrayPartition($.a, 2.6) partitions by 2; ArrayRange(1.6, 1.4, 1) is [1]); only
 * MathAdd rounds.
 */
import { invalidArguments } from './failure.js';
import { javaHashSetOrder, javaToString } from './java.js';

/** AWS: "The newly generated array can't contain more than 1000 items." */
export const ARRAY_RANGE_MAX_ITEMS = 1000;

function requireArray(value: unknown, functionName: string): unknown[] {
  if (!Array.isArray(value)) throw invalidArguments(functionName);
  return value;
}

/** A number truncated to a Java int; anything else (including values past 32 bits) is rejected. */
function requireInt(value: unknown, functionName: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArguments(functionName);
  const n = Math.trunc(value);
  if (n < -2147483648 || n > 2147483647) throw invalidArguments(functionName);
  return n === 0 ? 0 : n;
}

export function statesArray(args: unknown[]): unknown[] {
  return args;
}

export function arrayPartition([array, size]: unknown[]): unknown[][] {
  const items = requireArray(array, 'States.ArrayPartition');
  if (typeof size !== 'number' || !(size >= 1)) throw invalidArguments('States.ArrayPartition');
  const chunk = Math.trunc(size);
  const out: unknown[][] = [];
  for (let i = 0; i < items.length; i += chunk) out.push(items.slice(i, i + chunk));
  return out;
}

/** Membership compares printed forms, as AWS does: 1 matches "1", true matches "true", {a,b} does not match {b,a}. */
export function arrayContains([array, needle]: unknown[]): boolean {
  const items = requireArray(array, 'States.ArrayContains');
  const wanted = javaToString(needle);
  for (const item of items) if (javaToString(item) === wanted) return true;
  return false;
}

/** Inclusive of both ends when the step reaches the end exactly; a step against the direction gives []. */
export function arrayRange([first, last, step]: unknown[]): number[] {
  const start = requireInt(first, 'States.ArrayRange');
  const end = requireInt(last, 'States.ArrayRange');
  const by = requireInt(step, 'States.ArrayRange');
  if (by === 0) throw invalidArguments('States.ArrayRange');
  const count = (by > 0 ? end >= start : end <= start) ? Math.floor((end - start) / by) + 1 : 0;
  if (count > ARRAY_RANGE_MAX_ITEMS) throw invalidArguments('States.ArrayRange');
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * by;
  return out;
}

/** An empty array yields null whatever the index (observed on AWS); otherwise the index must be in range. */
export function arrayGetItem([array, index]: unknown[]): unknown {
  const items = requireArray(array, 'States.ArrayGetItem');
  const i = requireInt(index, 'States.ArrayGetItem');
  if (items.length === 0) return null;
  if (i < 0 || i >= items.length) throw invalidArguments('States.ArrayGetItem');
  return items[i];
}

export function arrayLength([array]: unknown[]): number {
  return requireArray(array, 'States.ArrayLength').length;
}

/** AWS de-duplicates through a java.util.HashSet, so the result comes in hash order, not input order. */
export function arrayUnique([array]: unknown[]): unknown[] {
  return javaHashSetOrder(requireArray(array, 'States.ArrayUnique'));
}
