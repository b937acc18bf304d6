/**
 * EventBridge event patterns: validation (`parseEventPattern`, as PutRule / TestEventPattern
 * reject a pattern) and matching (`matchesEventPattern`, as EventBridge routes an event).
 * Pure: no IO, no clock. Semantics follow the EventBridge user guide ("Amazon EventBridge event
 * patterns", "Content filtering in Amazon EventBridge event patterns") and aws/event-ruler's
 * README, the engine EventBridge runs; where neither says, the comment says what was chosen.
 *
 * Matching is structural: a pattern object walks the event; an array in the event matches when
 * any element matches (so two fields in one sub-pattern must come from the SAME array element,
 * which is event-ruler's "array-consistent" matching of rulesForJSONEvent).
 */
import { cidrContains, parseCidr, type Cidr } from './cidr.js';

/** EventBridge's message prefix for every InvalidEventPatternException. */
const INVALID = 'Event pattern is not valid. Reason: ';

export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  constructor(readonly reason: string) {
    // EventBridge appends Jackson's location (` at [Source: ...; line: 1, column: 40]`); we do not.
    super(INVALID + reason);
  }
}

/** One condition of a leaf array, compiled once so matching never re-checks shape. */
export type Matcher =
  | { readonly kind: 'exact'; readonly value: string | number | boolean | null }
  | { readonly kind: 'prefix' | 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly wildcard: Wildcard }
  | { readonly kind: 'numeric'; readonly lower?: Bound; readonly upper?: Bound; readonly equals?: number }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  | { readonly kind: 'anything-but'; readonly not: Matcher[] };

interface Bound { readonly value: number; readonly inclusive: boolean }

export type EventPattern =
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, EventPattern>; readonly or: readonly EventPattern[][] }
  | { readonly kind: 'leaf'; readonly matchers: readonly Matcher[] };

export interface ParseOptions {
  /**
   * Largest pattern in characters. EventBridge's default quota is 2048 characters, raisable to
   * 4096 (the API's hard maximum) — "Amazon EventBridge quotas".
   */
  readonly maxLength?: number;
}

/** Not documented by AWS; bounds recursion on untrusted input. */
const MAX_DEPTH = 50;
/** event-ruler: numbers are compared within ±5.0e9 with six digits after the decimal point. */
const NUMERIC_LIMIT = 5e9;
const NUMERIC_SCALE = 1e6;

export function parseEventPattern(text: string, options: ParseOptions = {}): EventPattern {
  const maxLength = options.maxLength ?? 2048;
  if (text.length > maxLength) throw new InvalidEventPatternError(`Event pattern exceeds the maximum length of ${maxLength} characters`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPatternError(`Filter is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(json)) throw new InvalidEventPatternError('Filter is not an object');
  return compileObject(json, 0);
}

/** Reserved words that stop an object inside `$or` from being a sub-pattern (event-ruler). */
const MATCH_KEYWORDS = new Set([
  'prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr',
]);

function compileObject(json: Record<string, unknown>, depth: number): EventPattern {
  if (depth > MAX_DEPTH) throw new InvalidEventPatternError(`Event pattern nesting exceeds ${MAX_DEPTH} levels`);
  const keys = Object.keys(json);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed');
  const fields = new Map<string, EventPattern>();
  const or: EventPattern[][] = [];
  for (const key of keys) {
    const value = json[key];
    if (key === '$or' && isOrClause(value)) {
      or.push(value.map((branch) => compileObject(branch, depth + 1)));
    } else if (Array.isArray(value)) {
      fields.set(key, { kind: 'leaf', matchers: compileLeaf(key, value) });
    } else if (isPlainObject(value)) {
      fields.set(key, compileObject(value, depth + 1));
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
    }
  }
  return { kind: 'object', fields, or };
}

/**
 * event-ruler reads `$or` as OR only for an array of 2+ objects none of whose keys is a match
 * keyword; otherwise `$or` is an ordinary field name (its backward-compatibility rule).
 */
function isOrClause(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length >= 2
    && value.every((item) => isPlainObject(item) && Object.keys(item).every((k) => !MATCH_KEYWORDS.has(k)));
}

function compileLeaf(key: string, values: unknown[]): Matcher[] {
  if (values.length === 0) throw new InvalidEventPatternError(`Empty arrays are not allowed ("${key}")`);
  return values.map((value) => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return { kind: 'exact', value };
    if (typeof value === 'number') return { kind: 'exact', value };
    if (isPlainObject(value)) return compileOperator(value);
    throw new InvalidEventPatternError('Match value must be String, number, true, false, or null');
  });
}

function compileOperator(json: Record<string, unknown>): Matcher {
  const keys = Object.keys(json);
  if (keys.length !== 1) throw new InvalidEventPatternError('Only one key allowed in match expression');
  const op = keys[0]!;
  const operand = json[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compileAffix(op, operand);
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', value: requireString(op, operand) };
    case 'wildcard':
      return { kind: 'wildcard', wildcard: compileWildcard(requireString(op, operand)) };
    case 'numeric':
      return compileNumeric(operand);
    case 'exists':
      if (typeof operand !== 'boolean') throw new InvalidEventPatternError('exists match pattern must be either true or false.');
      return { kind: 'exists', value: operand };
    case 'cidr': {
      const cidr = typeof operand === 'string' ? parseCidr(operand) : undefined;
      if (!cidr) throw new InvalidEventPatternError(`Nonstandard IP address: ${JSON.stringify(operand)}`);
      return { kind: 'cidr', cidr };
    }
    case 'anything-but':
      return { kind: 'anything-but', not: compileAnythingBut(operand) };
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${op}`);
  }
}

function compileAffix(op: 'prefix' | 'suffix', operand: unknown): Matcher {
  if (typeof operand === 'string') return { kind: op, value: operand, ignoreCase: false };
  // `{"prefix": {"equals-ignore-case": "EventB"}}` (content filtering: "Prefix matching while ignoring case").
  if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    return { kind: op, value: operand['equals-ignore-case'], ignoreCase: true };
  }
  throw new InvalidEventPatternError(`${op} match pattern must be a string`);
}

function compileAnythingBut(operand: unknown): Matcher[] {
  if (typeof operand === 'string' || typeof operand === 'number') return [{ kind: 'exact', value: operand }];
  if (Array.isArray(operand)) {
    // "lists that contain only strings, or only numbers" (content filtering: Anything-but).
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      throw new InvalidEventPatternError('Inside anything but list, only all-string or all-number values are supported.');
    }
    return operand.map((value: string | number) => ({ kind: 'exact', value }));
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [op] = Object.keys(operand) as [string];
    const inner = operand[op];
    switch (op) {
      case 'prefix':
      case 'suffix':
        // "Anything-but matching only works with a single prefix, not a list".
        return [compileAffix(op, inner)];
      case 'equals-ignore-case':
        return stringOrList(op, inner).map((value) => ({ kind: 'equals-ignore-case', value }));
      case 'wildcard':
        return stringOrList(op, inner).map((value) => ({ kind: 'wildcard', wildcard: compileWildcard(value) }));
      default:
        throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${op}`);
    }
  }
  throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.');
}

function stringOrList(op: string, operand: unknown): string[] {
  if (typeof operand === 'string') return [operand];
  if (Array.isArray(operand) && operand.length > 0 && operand.every((v) => typeof v === 'string')) return operand;
  throw new InvalidEventPatternError(`${op} match pattern must be a string or a non-empty list of strings`);
}

function requireString(op: string, operand: unknown): string {
  if (typeof operand !== 'string') throw new InvalidEventPatternError(`${op} match pattern must be a string`);
  return operand;
}

/**
 * `*` matches any run of characters; `\*` and `\\` are literal; any other escape and two
 * consecutive `*` are rejected (event-ruler README, "Wildcard matching"). Compiled to the literal
 * pieces between stars and matched greedily with indexOf, not a RegExp: a pattern like
 * `*a*a*a*b` would make a backtracking regex slow on untrusted event strings.
 */
function compileWildcard(pattern: string): Wildcard {
  const pieces: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new InvalidEventPatternError(`Invalid escape character at pos ${i}`);
      pieces[pieces.length - 1] += next;
      i++;
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${i + 1}`);
      pieces.push('');
    } else {
      pieces[pieces.length - 1] += ch;
    }
  }
  return { pieces };
}

interface Wildcard { readonly pieces: readonly string[] }

function wildcardMatches({ pieces }: Wildcard, value: string): boolean {
  const first = pieces[0]!;
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = value.indexOf(pieces[i]!, at);
    if (found === -1 || found + pieces[i]!.length > end) return false;
    at = found + pieces[i]!.length;
  }
  return true;
}

function compileNumeric(operand: unknown): Matcher {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw new InvalidEventPatternError('Value of numeric must be an array of one or two operator/number pairs.');
  }
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  let equals: number | undefined;
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const value = operand[i + 1];
    if (typeof value !== 'number') throw new InvalidEventPatternError(`Value of ${String(op)} must be a number`);
    if (Math.abs(value) > NUMERIC_LIMIT) throw new InvalidEventPatternError(`Value of ${String(op)} must be between -5.0E9 and 5.0E9 inclusive`);
    const scaled = toComparable(value);
    switch (op) {
      case '=':
        if (operand.length !== 2) throw new InvalidEventPatternError('"=" cannot be combined with another numeric operator');
        equals = scaled;
        break;
      case '>':
      case '>=':
        if (lower) throw new InvalidEventPatternError('Bad numeric range: two lower bounds');
        lower = { value: scaled, inclusive: op === '>=' };
        break;
      case '<':
      case '<=':
        if (upper) throw new InvalidEventPatternError('Bad numeric range: two upper bounds');
        upper = { value: scaled, inclusive: op === '<=' };
        break;
      default:
        throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${String(op)}`);
    }
  }
  if (lower && upper && lower.value >= upper.value) throw new InvalidEventPatternError('Bottom must be less than top');
  return { kind: 'numeric', ...(lower && { lower }), ...(upper && { upper }), ...(equals !== undefined && { equals }) };
}

/**
 * Numbers are compared as integers of millionths: event-ruler's ComparableNumber keeps 15
 * significant digits, six after the decimal point, within ±5.0e9 — so 0.0000001 equals 0.
 * (The archived user guide says ±1.0e9; event-ruler's README and the current guide say 5.0e9.)
 */
function toComparable(value: number): number {
  return Math.round(value * NUMERIC_SCALE);
}

function inNumericRange(value: number): boolean {
  return Math.abs(value) <= NUMERIC_LIMIT;
}

// ---------------------------------------------------------------- matching

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchNode(pattern, event, 0);
}

function matchNode(pattern: EventPattern, value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH + 64) return false; // a deeper event cannot meet a pattern that deep
  if (pattern.kind === 'leaf') return matchLeaf(pattern.matchers, value);
  // An array holding objects: the whole sub-pattern must match inside one element.
  if (Array.isArray(value)) return value.some((item) => matchNode(pattern, item, depth + 1));
  if (!isPlainObject(value)) return false;
  for (const [key, sub] of pattern.fields) {
    const present = Object.prototype.hasOwnProperty.call(value, key);
    if (sub.kind === 'leaf') {
      if (!matchLeaf(sub.matchers, present ? value[key] : MISSING)) return false;
    } else if (present ? !matchNode(sub, value[key], depth + 1) : !matchesAbsent(sub)) {
      // A missing object still meets a sub-pattern made only of `exists: false` leaves.
      return false;
    }
  }
  return pattern.or.every((branches) => branches.some((branch) => matchNode(branch, value, depth + 1)));
}

/** Whether a sub-pattern is satisfied by a missing object (only `exists: false` leaves are). */
function matchesAbsent(pattern: EventPattern): boolean {
  if (pattern.kind === 'leaf') return matchLeaf(pattern.matchers, MISSING);
  return [...pattern.fields.values()].every(matchesAbsent)
    && pattern.or.every((branches) => branches.some(matchesAbsent));
}

const MISSING = Symbol('missing');

/** Leaf values: scalars; an array contributes each scalar element (nested arrays flattened). */
function leafValues(value: unknown, out: unknown[] = [], depth = 0): unknown[] {
  if (Array.isArray(value)) {
    if (depth < 64) for (const item of value) leafValues(item, out, depth + 1);
  } else if (!isPlainObject(value)) {
    out.push(value);
  }
  return out;
}

function matchLeaf(matchers: readonly Matcher[], value: unknown): boolean {
  // "Exists matching only works on leaf nodes": an object, or an array with no scalar, is no leaf.
  const values = value === MISSING ? [] : leafValues(value);
  return matchers.some((matcher) =>
    matcher.kind === 'exists' ? matcher.value === values.length > 0 : values.some((v) => matchScalar(matcher, v)),
  );
}

function matchScalar(matcher: Matcher, value: unknown): boolean {
  switch (matcher.kind) {
    case 'exact':
      return exactEquals(matcher.value, value);
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const subject = matcher.ignoreCase ? value.toLowerCase() : value;
      const wanted = matcher.ignoreCase ? matcher.value.toLowerCase() : matcher.value;
      return matcher.kind === 'prefix' ? subject.startsWith(wanted) : subject.endsWith(wanted);
    }
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === matcher.value.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardMatches(matcher.wildcard, value);
    case 'numeric': {
      if (typeof value !== 'number' || !inNumericRange(value)) return false;
      const n = toComparable(value);
      if (matcher.equals !== undefined) return n === matcher.equals;
      if (matcher.lower && !(matcher.lower.inclusive ? n >= matcher.lower.value : n > matcher.lower.value)) return false;
      if (matcher.upper && !(matcher.upper.inclusive ? n <= matcher.upper.value : n < matcher.upper.value)) return false;
      return true;
    }
    case 'cidr':
      return typeof value === 'string' && cidrContains(matcher.cidr, value);
    case 'anything-but':
      // Any present leaf value that none of the excluded conditions matches. Excluded strings
      // never exclude a number and vice versa (event-ruler compares JSON texts: "5" is not 5),
      // so anything-but {"prefix": "init"} matches a number or null too.
      return !matcher.not.some((excluded) => matchScalar(excluded, value));
    case 'exists':
      return matcher.value;
  }
}

function exactEquals(expected: string | number | boolean | null, value: unknown): boolean {
  // The guide: exact number matching uses the string representation, so 300, 300.0 and 3.0e2
  // differ. A parsed event no longer has its text, so we compare JavaScript's canonical number
  // (300 === 300.0): the one place we match more than EventBridge. Use `numeric` "=" for values.
  return expected === value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
