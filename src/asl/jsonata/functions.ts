/**
 * The functions Step Functions adds to JSONata ($partition, $range, $hash, $random, $uuid,
 * $parse), with AWS's argument handling: a non-integer number is rounded towards zero, some
 * arguments make the call return nothing instead of failing, and wrong types fail with
 * JSONata's own error codes and sentences (`T0410: Argument 2 of function "partition" does not
 * match function signature`).
 *
 * They are plain JS functions, which jsonata calls without signature checks: each one checks its
 * own arguments so that the messages are AWS's. Errors are thrown as jsonata error objects
 * (`{code, index, token}`), which jsonata renders with its message catalog.
 */
import { createHash, randomUUID } from 'node:crypto';
import { javaRandomFirstDouble, toJavaLong } from './java-random.js';
import { expressionLimits } from '../limits.js';

type Args = readonly unknown[];


const HASH_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['MD5', 'md5'],
  ['SHA-1', 'sha1'],
  ['SHA-256', 'sha256'],
  ['SHA-384', 'sha384'],
  ['SHA-512', 'sha512'],
]);

function signatureMismatch(functionName: string, argumentNumber: number): object {
  return { code: 'T0410', index: argumentNumber, token: functionName };
}

/** D3137 renders its `message` verbatim: it is the code JSONata's `$error` uses. */
function invalidArgument(message: string): object {
  return { code: 'D3137', message };
}

function memoryLimitExceeded(): object {
  return { message: 'Expression evaluation memory limit exceeded' };
}

/** A call with more arguments than the function takes fails on the first surplus one. */
function rejectSurplus(args: Args, functionName: string, arity: number): void {
  if (args[arity] !== undefined) throw signatureMismatch(functionName, arity + 1);
}

function integerArgument(value: unknown, functionName: string, argumentNumber: number): number {
  if (typeof value !== 'number') throw signatureMismatch(functionName, argumentNumber);
  return Math.trunc(value);
}

/** A JSONata sequence: a one-element result collapses to its element, an empty one to nothing. */
function sequence(values: unknown[]): unknown[] {
  (values as unknown[] & { sequence?: boolean }).sequence = true;
  return values;
}

/** `$partition(array, chunkSize)`: the array cut into chunks; the last holds the remainder. */
export function partition(...args: Args): unknown {
  rejectSurplus(args, 'partition', 2);
  const array = args[0];
  if (array === undefined) return undefined;
  if (!Array.isArray(array)) throw { code: 'T0412', index: 1, token: 'partition', type: undefined };
  if (array.length === 0) return undefined;
  if (args[1] === undefined) return [array.slice()];
  const size = integerArgument(args[1], 'partition', 2);
  if (size < 0) throw invalidArgument('Second argument must be zero or greater');
  if (size === 0) return undefined;
  const chunks: unknown[][] = [];
  for (let start = 0; start < array.length; start += size) chunks.push(array.slice(start, start + size));
  return chunks;
}

/**
 * `$range(start, end, step)`: start, start+step, … up to end inclusive. A missing or zero step,
 * or one that walks away from end, gives nothing; a single value comes back bare (`$range(1, 9,
 * 9)` is `1`), as a JSONata sequence does.
 */
export function range(...args: Args): unknown {
  rejectSurplus(args, 'range', 3);
  const start = integerArgument(args[0], 'range', 1);
  const end = integerArgument(args[1], 'range', 2);
  if (args[2] === undefined) return undefined;
  const step = integerArgument(args[2], 'range', 3);
  if (step === 0 || (step > 0 && start > end) || (step < 0 && start < end)) return undefined;
  const length = Math.floor((end - start) / step) + 1;
  // AWS refuses one element more than 360,145 before building anything: the sequence limit's
  // default (src/asl/limits.ts), which a configured limit replaces for `$range` too.
  if (length > expressionLimits().jsonataMaxSequence) throw memoryLimitExceeded();
  const values = new Array<number>(length);
  for (let i = 0; i < length; i++) values[i] = start + i * step;
  return sequence(values);
}

/** `$hash(value, algorithm)`: the lowercase hex digest of the string's UTF-8 bytes. */
export function hash(...args: Args): unknown {
  rejectSurplus(args, 'hash', 2);
  const value = args[0];
  if (typeof value !== 'string') throw signatureMismatch('hash', 1);
  const algorithm = args[1];
  if (algorithm === undefined) return undefined;
  if (typeof algorithm !== 'string') throw signatureMismatch('hash', 2);
  const nodeName = HASH_ALGORITHMS.get(algorithm);
  if (nodeName === undefined) {
    throw invalidArgument(`Hash algorithm '${algorithm}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5`);
  }
  return createHash(nodeName).update(value, 'utf8').digest('hex');
}

/** `$random([seed])`: a number in [0, 1); with a seed, the one `java.util.Random(seed)` draws. */
export function makeRandom(source: () => number): (...args: Args) => unknown {
  return (...args: Args): unknown => {
    rejectSurplus(args, 'random', 1);
    const seed = args[0];
    if (seed === undefined) return source();
    if (typeof seed !== 'number') throw signatureMismatch('random', 1);
    return javaRandomFirstDouble(toJavaLong(seed));
  };
}

/** The `$uuid()` source when the engine injects none. */
export const randomUuid = (): string => randomUUID();

/** `$uuid()`: a version-4 UUID; it takes no argument. */
export function makeUuid(source: () => string): (...args: Args) => unknown {
  return (...args: Args): unknown => {
    rejectSurplus(args, 'uuid', 0);
    return source();
  };
}

/**
 * JSONata's own `$shuffle`, drawing from the injected random source instead of Math.random so
 * that seeded executions replay identically. Same algorithm and edge cases as jsonata's.
 */
export function makeShuffle(source: () => number): (...args: Args) => unknown {
  return (...args: Args): unknown => {
    rejectSurplus(args, 'shuffle', 1);
    const arg = args[0];
    if (arg === undefined) return undefined;
    const array = Array.isArray(arg) ? arg : [arg];
    if (array.length <= 1) return array;
    const result = new Array<unknown>(array.length);
    for (let i = 0; i < array.length; i++) {
      const j = Math.floor(source() * (i + 1));
      if (i !== j) result[i] = result[j];
      result[j] = array[i];
    }
    return result;
  };
}

/** `$parse(json)`: the value a JSON text denotes; replaces `$eval`, which AWS disables. */
export function parse(...args: Args): unknown {
  rejectSurplus(args, 'parse', 1);
  const text = args[0];
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw signatureMismatch('parse', 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidArgument('Invalid JSON');
  }
  // AWS's parser refuses a repeated key, which JSON.parse quietly lets the last one win.
  if (text.includes('{') && hasDuplicateKey(text)) throw invalidArgument('Invalid JSON');
  return value;
}

/**
 * Whether a JSON text (already known to be valid) repeats a key within one object. A small
 * scanner: strings are skipped whole, and a string read right after `{` or after `,` inside an
 * object is a key.
 */
function hasDuplicateKey(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      let escaped = false;
      for (; end < text.length; end++) {
        const d = text.charCodeAt(end);
        if (d === 0x5c /* \ */) {
          escaped = true;
          end++;
        } else if (d === 0x22) break;
      }
      if (expectingKey) {
        const raw = text.slice(i + 1, end);
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const keys = stack[stack.length - 1]!;
        if (keys.has(key)) return true;
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectingKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      expectingKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return false;
}
