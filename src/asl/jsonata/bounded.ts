/**
 * Size limits inside one JSONata evaluation.
 *
 * jsonata's own time limit is checked between expression nodes, so one built-in function call
 * on a huge value escapes it: `$string([1..10000000])` took 30 s and 2.2 GB in one call. AWS
 * reports such evaluations as "Expression evaluation memory limit exceeded" (recorded for `$range`
 * beyond 360,145 elements); the limits here make every cheap-to-check case fail the same way,
 * before the work is done where possible:
 *
 * - **Sequences and arrays** built by the range operator, `$append` and path mapping: at most
 *   `jsonataMaxSequence` items (jsonata's `sequence` option), by default the same bound AWS puts
 *   on `$range`.
 * - **Strings** built by `&`, `$string`, `$join`, `$pad`, `$replace`, `$split` and the encoders: at
 *   most `jsonataMaxStringLength` characters. A state's output is at most 256 KiB (AWS's payload
 *   quota), so a string sixteen times that (the default) is already useless as a result; bounding
 *   every string keeps each built-in call to a few milliseconds and megabytes.
 *
 * Both limits are read from src/asl/limits.ts at each check, so a configured value applies to
 * every program, however long ago it was compiled.
 * - **`$sort`** runs jsonata's own merge sort (same splits, same comparator calls, same result)
 *   without its quadratic copying: jsonata's took 9 s and 1 GB for 30,000 numbers.
 *
 * What is not bounded here (a deep `$map` of large arrays, the order-by operator `^( )`, which
 * uses jsonata's internal sort) is left to the time limit and to the runtime's limits on a
 * decision.
 */
import jsonata from 'jsonata';
import { expressionLimits } from '../limits.js';

/** AWS's sentence for an evaluation that needs too much memory (see `$range`). */
export const MEMORY_LIMIT_MESSAGE = 'Expression evaluation memory limit exceeded';

function memoryLimitExceeded(): object {
  return { message: MEMORY_LIMIT_MESSAGE };
}

type NativeFunction = { implementation: (...args: unknown[]) => unknown };
type Natives = Record<'string' | 'join' | 'pad' | 'replace' | 'split' | 'base64encode' | 'encodeUrl' | 'encodeUrlComponent', NativeFunction>;

/**
 * jsonata's built-ins, which the bounded versions call. jsonata exposes them only through an
 * evaluation, which is asynchronous; it has finished long before any expression runs (the
 * first await of the first evaluation), and the wrappers wait for it otherwise.
 */
let natives: Natives | undefined;
const nativesReady = (
  jsonata(
    '{"string": $string, "join": $join, "pad": $pad, "replace": $replace, "split": $split, "base64encode": $base64encode, "encodeUrl": $encodeUrl, "encodeUrlComponent": $encodeUrlComponent}',
  ).evaluate({}) as Promise<Natives>
).then((found) => {
  natives = found;
  return found;
});

type Focus = unknown;

/** Calls a jsonata built-in with the same `this` (its focus) and arguments. */
function callNative(name: keyof Natives, focus: Focus, args: unknown[]): unknown {
  if (natives) return natives[name].implementation.apply(focus, args);
  return nativesReady.then((found) => found[name].implementation.apply(focus, args));
}

function checkedString(value: unknown): unknown {
  if (typeof value === 'string' && value.length > expressionLimits().jsonataMaxStringLength) throw memoryLimitExceeded();
  return value;
}

/** Resolves `value` (a built-in's result, maybe a promise) and checks it with `check`. */
function then(value: unknown, check: (result: unknown) => unknown): unknown {
  return value instanceof Promise ? value.then(check) : check(value);
}

/**
 * Whether the JSON text of `value` would be longer than `limit` characters, found by walking
 * the value only as far as needed (a huge array stops the walk at the limit, not at its end).
 */
export function jsonLongerThan(value: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (typeof item === 'number') size += 8;
    else if (item === null || typeof item === 'boolean') size += 4;
    else if (Array.isArray(item)) {
      size += 1 + item.length;
      for (let i = item.length - 1; i >= 0 && size <= limit; i--) stack.push(item[i]);
    } else if (typeof item === 'object' && item !== undefined) {
      for (const key of Object.keys(item)) {
        size += key.length + 4;
        if (size > limit) break;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
    if (size > limit) return true;
  }
  return false;
}

/** jsonata signatures of the built-ins replaced (the same as jsonata's, so arguments are checked alike). */
const SIGNATURES = {
  string: '<x-b?:s>',
  join: '<a<s>s?:s>',
  pad: '<s-ns?:s>',
  replace: '<s-(sf)(sf)n?:s>',
  split: '<s-(sf)n?:a<s>>',
  sort: '<af?:a>',
  base64encode: '<s-:s>',
  encodeUrl: '<s-:s>',
  encodeUrlComponent: '<s-:s>',
} as const;

const BOUNDED: ReadonlyArray<readonly [keyof typeof SIGNATURES, (this: Focus, ...args: unknown[]) => unknown]> = [
  [
    'string',
    function (this: Focus, ...args: unknown[]) {
      if (typeof args[0] !== 'string' && jsonLongerThan(args[0], expressionLimits().jsonataMaxStringLength)) throw memoryLimitExceeded();
      return then(callNative('string', this, args), checkedString);
    },
  ],
  [
    'join',
    function (this: Focus, ...args: unknown[]) {
      const [strings, separator] = args as [unknown, unknown];
      if (Array.isArray(strings)) {
        let length = typeof separator === 'string' ? separator.length * Math.max(0, strings.length - 1) : 0;
        for (const s of strings) length += typeof s === 'string' ? s.length : 0;
        if (length > expressionLimits().jsonataMaxStringLength) throw memoryLimitExceeded();
      }
      return callNative('join', this, args);
    },
  ],
  [
    'pad',
    function (this: Focus, ...args: unknown[]) {
      const width = args[1];
      if (typeof width === 'number' && Math.abs(width) > expressionLimits().jsonataMaxStringLength) throw memoryLimitExceeded();
      return then(callNative('pad', this, args), checkedString);
    },
  ],
  [
    'replace',
    function (this: Focus, ...args: unknown[]) {
      return then(callNative('replace', this, args), checkedString);
    },
  ],
  [
    'split',
    function (this: Focus, ...args: unknown[]) {
      return then(callNative('split', this, args), (parts) => {
        if (Array.isArray(parts) && parts.length > expressionLimits().jsonataMaxSequence) throw memoryLimitExceeded();
        return parts;
      });
    },
  ],
  ['base64encode', function (this: Focus, ...args: unknown[]) { return then(callNative('base64encode', this, args), checkedString); }],
  ['encodeUrl', function (this: Focus, ...args: unknown[]) { return then(callNative('encodeUrl', this, args), checkedString); }],
  ['encodeUrlComponent', function (this: Focus, ...args: unknown[]) { return then(callNative('encodeUrlComponent', this, args), checkedString); }],
  ['sort', sort as (this: Focus, ...args: unknown[]) => unknown],
];

/** Replaces the built-ins that can build huge values with bounded versions, in one compiled program. */
export function bindBoundedFunctions(program: jsonata.Expression): void {
  for (const [name, implementation] of BOUNDED) program.registerFunction(name, implementation as never, SIGNATURES[name]);
  program.assign(CONCAT, concat);
  rewriteConcatenations(program.ast());
}

/**
 * jsonata's `$sort`: a top-down merge sort that splits at the middle and takes the right item
 * first when the comparator says the left one comes after it. The same algorithm, so the same
 * comparator calls and the same order, even for a comparator that is not a consistent order;
 * but merging by index instead of by copying the rest of each list at every step.
 */
async function sort(this: Focus, array: unknown, comparator?: (a: unknown, b: unknown) => unknown): Promise<unknown> {
  if (array === undefined) return undefined;
  const items = array as unknown[];
  if (items.length <= 1) return items;
  if (comparator === undefined) {
    if (!items.every((item) => typeof item === 'number') && !items.every((item) => typeof item === 'string')) {
      throw { code: 'D3070', index: 1 };
    }
    return mergeSortBy(items, (a, b) => (a as number) > (b as number));
  }
  return mergeSortAsync(items, comparator);
}

function mergeSortBy(items: unknown[], after: (a: unknown, b: unknown) => boolean): unknown[] {
  if (items.length <= 1) return items;
  const middle = Math.floor(items.length / 2);
  const left = mergeSortBy(items.slice(0, middle), after);
  const right = mergeSortBy(items.slice(middle), after);
  const merged = new Array<unknown>(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) merged[k++] = after(left[i], right[j]) ? right[j++] : left[i++];
  while (i < left.length) merged[k++] = left[i++];
  while (j < right.length) merged[k++] = right[j++];
  return merged;
}

async function mergeSortAsync(items: unknown[], after: (a: unknown, b: unknown) => unknown): Promise<unknown[]> {
  if (items.length <= 1) return items;
  const middle = Math.floor(items.length / 2);
  const left = await mergeSortAsync(items.slice(0, middle), after);
  const right = await mergeSortAsync(items.slice(middle), after);
  const merged: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) merged.push((await after(left[i], right[j])) ? right[j++] : left[i++]);
  while (i < left.length) merged.push(left[i++]);
  while (j < right.length) merged.push(right[j++]);
  return merged;
}

/**
 * The `&` operator, bounded. jsonata concatenates inside the evaluator, where no function can be
 * replaced, so each `&` of a compiled program is rewritten into a call of this function (bound
 * under a name no ASL variable can have). It does what jsonata's `&` does: each side as
 * `$string` renders it, nothing for undefined.
 */
const CONCAT = 'stepwise concat';

function concat(left: unknown, right: unknown): unknown {
  if (!natives) return nativesReady.then(() => concat(left, right));
  const toText = natives.string.implementation;
  const limit = expressionLimits().jsonataMaxStringLength;
  for (const side of [left, right]) {
    if (side !== undefined && typeof side !== 'string' && jsonLongerThan(side, limit)) throw memoryLimitExceeded();
  }
  const l = left === undefined ? '' : (toText(left) as string);
  const r = right === undefined ? '' : (toText(right) as string);
  if (l.length + r.length > limit) throw memoryLimitExceeded();
  return l + r;
}

type AstNode = { type?: string; value?: unknown; position?: number; lhs?: AstNode; rhs?: AstNode; [key: string]: unknown };

/** Keys jsonata gives a plain binary operator node; one with more (a predicate, a group) is left alone. */
const BINARY_KEYS = new Set(['type', 'value', 'position', 'lhs', 'rhs']);

/** Rewrites every plain `lhs & rhs` node of the tree into `$<CONCAT>(lhs, rhs)`, in place. */
function rewriteConcatenations(root: unknown): void {
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || node instanceof RegExp || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as AstNode;
    for (const key of Object.keys(n)) visit(n[key]);
    if (n.type === 'binary' && n.value === '&' && Object.keys(n).every((key) => BINARY_KEYS.has(key))) {
      const { lhs, rhs, position } = n;
      delete n.lhs;
      delete n.rhs;
      n.type = 'function';
      n.value = '(';
      n.procedure = { type: 'variable', value: CONCAT, position };
      n.arguments = [lhs, rhs];
    }
  };
  visit(root);
}
