/**
 * The relational operators of Jayway JsonPath filters (`==`, `<`, `=~`, `in`, `size`, `empty`, …)
 * over the values a filter compares. Each follows Jayway's evaluators, whose loose typing AWS
 * inherits: `1 == '1'` holds, `<` compares only numbers with numbers and strings with strings, a
 * missing value equals nothing (not even another missing value).
 */
import { StatesError } from '../errors.js';
import { spend } from './budget.js';
import { isJsonObject } from './evaluate.js';

/** What a filter operand evaluates to when its path selects nothing (Jayway's UndefinedNode). */
export const UNDEFINED: unique symbol = Symbol('undefined');

/**
 * A filter operand's value: a JSON value (arrays and objects are Jayway's "JSON nodes"), a
 * `/regex/` literal, or UNDEFINED.
 */
export type FilterValue = unknown;

/**
 * A filter's `/regex/flags` literal. It matches with the pattern src/asl/safe-regexp.ts made of
 * it, or fails the evaluation with States.Runtime when that refused it.
 */
export class FilterPattern {
  constructor(
    /** The literal as written, `/…/flags`. */
    readonly written: string,
    private readonly regexp: RegExp | undefined,
    private readonly refusal?: string,
  ) {}

  test(text: string): boolean {
    if (this.regexp === undefined) throw new StatesError('States.Runtime', this.refusal);
    return this.regexp.test(text);
  }
}

export type Relation = (left: FilterValue, right: FilterValue) => boolean;

function isJsonNode(value: FilterValue): value is object {
  return value !== null && typeof value === 'object' && !(value instanceof FilterPattern);
}

/** BigDecimal's grammar, which Jayway uses to read a string as a number. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  spend(1);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(b, key) || !deepEqual(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

/** Jayway's `left.equals(right)` on value nodes (note the asymmetry between numbers and strings). */
export function nodeEquals(left: FilterValue, right: FilterValue): boolean {
  spend(1);
  if (left === UNDEFINED || right === UNDEFINED) return false;
  if (isJsonNode(left)) {
    if (left instanceof FilterPattern) return right instanceof FilterPattern && left.written === right.written;
    return isJsonNode(right) && !(right instanceof FilterPattern) && deepEqual(left, right);
  }
  switch (typeof left) {
    case 'number':
      // A number node reads a string node as a BigDecimal.
      if (typeof right === 'number') return left === right;
      return typeof right === 'string' && DECIMAL.test(right.trim()) && Number(right) === left;
    case 'string':
      // A string node compares with a number node's text.
      if (typeof right === 'string') return left === right;
      return typeof right === 'number' && left === String(right);
    default:
      return left === right; // booleans and null
  }
}

/** The class of Jayway's value node, for the type-safe `===` and `!==`. */
function nodeClass(value: FilterValue): string {
  if (value === null) return 'null';
  if (value instanceof FilterPattern) return 'pattern';
  if (typeof value === 'object') return 'json';
  return typeof value;
}

function compare(left: FilterValue, right: FilterValue): number | undefined {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  return undefined;
}

const lessThan: Relation = (l, r) => (compare(l, r) ?? 0) < 0;
const lessOrEqual: Relation = (l, r) => {
  const c = compare(l, r);
  return c !== undefined && c <= 0;
};
const greaterThan: Relation = (l, r) => (compare(l, r) ?? 0) > 0;
const greaterOrEqual: Relation = (l, r) => {
  const c = compare(l, r);
  return c !== undefined && c >= 0;
};

/** `=~`: exactly one side is a /regex/, matched against the whole text of the other. */
const matchesRegex: Relation = (l, r) => {
  if (l instanceof FilterPattern === r instanceof FilterPattern) return false;
  const pattern = (l instanceof FilterPattern ? l : r) as FilterPattern;
  const other = l instanceof FilterPattern ? r : l;
  const text = typeof other === 'string' || typeof other === 'number' || typeof other === 'boolean' ? String(other) : '';
  return pattern.test(text);
};

const isIn: Relation = (l, r) => Array.isArray(r) && r.some((element) => nodeEquals(l, element));

const contains: Relation = (l, r) => {
  if (typeof l === 'string' && typeof r === 'string') return l.includes(r);
  return Array.isArray(l) && l.some((element) => nodeEquals(r, element));
};

/** `all`: the left list holds every value of the right one (Jayway: true for a left object). */
const containsAll: Relation = (l, r) => {
  if (!Array.isArray(r) || !isJsonNode(l)) return false;
  if (!Array.isArray(l)) return true;
  return r.every((required) => l.some((element) => nodeEquals(required, element)));
};

const hasSize: Relation = (l, r) => {
  if (typeof r !== 'number') return false;
  const expected = Math.trunc(r);
  if (typeof l === 'string' || Array.isArray(l)) return l.length === expected;
  return isJsonNode(l) && expected === -1;
};

const isEmpty: Relation = (l, r) => {
  if (typeof r !== 'boolean') return false;
  if (typeof l === 'string' || Array.isArray(l)) return (l.length === 0) === r;
  if (isJsonObject(l)) return (Object.keys(l).length === 0) === r;
  return false;
};

const bothLists = (l: FilterValue, r: FilterValue): [unknown[], unknown[]] | undefined =>
  Array.isArray(l) && Array.isArray(r) ? [l, r] : undefined;

const subsetOf: Relation = (l, r) => {
  const lists = bothLists(l, r);
  return lists !== undefined && lists[0].every((x) => lists[1].some((y) => nodeEquals(x, y)));
};

const anyOf: Relation = (l, r) => {
  const lists = bothLists(l, r);
  return lists !== undefined && lists[0].some((x) => lists[1].some((y) => nodeEquals(x, y)));
};

const noneOf: Relation = (l, r) => {
  const lists = bothLists(l, r);
  return lists !== undefined && !lists[0].some((x) => lists[1].some((y) => nodeEquals(x, y)));
};

const typeSafeEquals: Relation = (l, r) => nodeClass(l) === nodeClass(r) && nodeEquals(l, r);

/** The operators by their (upper-cased) spelling in a filter. */
export const RELATIONS: ReadonlyMap<string, Relation> = new Map<string, Relation>([
  ['==', nodeEquals],
  ['!=', (l, r) => !nodeEquals(l, r)],
  ['===', typeSafeEquals],
  ['!==', (l, r) => !typeSafeEquals(l, r)],
  ['<', lessThan],
  ['<=', lessOrEqual],
  ['>', greaterThan],
  ['>=', greaterOrEqual],
  ['=~', matchesRegex],
  ['IN', isIn],
  ['NIN', (l, r) => !isIn(l, r)],
  ['CONTAINS', contains],
  ['ALL', containsAll],
  ['SIZE', hasSize],
  ['EMPTY', isEmpty],
  ['SUBSETOF', subsetOf],
  ['ANYOF', anyOf],
  ['NONEOF', noneOf],
]);
