/**
 * Evaluation of compiled paths with Jayway JsonPath's semantics, the library behind AWS Step
 * Functions' JSONPath: a definite path yields its value or a miss (with what Jayway would have
 * complained about); an indefinite path yields the list of its matches, empty when anything on the
 * way is missing (AWS answers `[]` where Jayway would throw for such paths).
 */
import { enterEvaluation, leaveEvaluation, spend } from './budget.js';
import { type PathBody, type PathFunctionName, type Token } from './tokens.js';

/** Why a definite path selected nothing; `at` is the index of the token where it happened. */
export interface PathMiss {
  readonly kind:
    | 'noResults'
    | 'missingProperty'
    | 'notAnObject'
    | 'nullArray'
    | 'notAnArray'
    | 'multiPropertyNotLeaf'
    | 'aggregateEmpty'
    | 'undefinedVariable';
  readonly at: number;
  readonly model?: unknown;
}

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly miss: PathMiss };

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** An own property's value; `undefined` when absent (JSON has no undefined, so nothing is lost). */
export function ownValue(object: Record<string, unknown>, name: string): unknown {
  return hasOwnProperty.call(object, name) ? object[name] : undefined;
}

/** Sets an own data property, even one named `__proto__`. */
export function setOwn(object: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(object, name, { value, writable: true, enumerable: true, configurable: true });
  else object[name] = value;
}

function miss(kind: PathMiss['kind'], at: number, model?: unknown): Lookup {
  return { found: false, miss: model === undefined ? { kind, at } : { kind, at, model } };
}

/** Jayway's merge of `['a','b']` as the last token: the named properties that exist. */
function mergeProperties(model: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const name of names) {
    const value = ownValue(model, name);
    if (value !== undefined) setOwn(merged, name, value);
  }
  return merged;
}

/** The walk of a definite path (only names, single indexes and a final function): no lists. */
export function lookupDefinite(tokens: readonly Token[], doc: unknown): Lookup {
  let model = doc;
  const last = tokens.length - 1;
  for (let i = 0; i <= last; i++) {
    const token = tokens[i]!;
    if (token.kind === 'property') {
      if (!isJsonObject(model)) return miss('notAnObject', i, model);
      if (token.names.length !== 1) {
        if (i !== last) return miss('multiPropertyNotLeaf', i);
        model = mergeProperties(model, token.names);
        continue;
      }
      const value = ownValue(model, token.names[0]!);
      if (value === undefined) return miss(i === last ? 'noResults' : 'missingProperty', i);
      model = value;
    } else if (token.kind === 'index') {
      if (model === null) return miss('nullArray', i);
      if (!Array.isArray(model)) return miss('notAnArray', i, model);
      const index = token.indexes[0]!;
      const effective = index < 0 ? model.length + index : index;
      if (effective < 0 || effective >= model.length) return miss('noResults', i);
      model = model[effective];
    } else if (token.kind === 'function') {
      const value = applyPathFunction(token.name, model);
      if (value === AGGREGATE_OF_NOTHING) return miss('aggregateEmpty', i);
      model = value;
    } else {
      throw new Error(`token '${token.kind}' in a definite path`);
    }
  }
  return { found: true, value: model };
}

interface Walk {
  readonly body: PathBody;
  readonly root: unknown;
  readonly out: unknown[];
  /** Jayway's REQUIRE_PROPERTIES, which its filters use to test existence (`[?(@.a)]`). */
  readonly require: boolean;
  /** Set where Jayway would have thrown; the whole evaluation then selects nothing. */
  aborted: boolean;
}

/** The matches of an indefinite path, or undefined where Jayway would have thrown. */
export function collectMatches(body: PathBody, doc: unknown, root: unknown, require = false): unknown[] | undefined {
  const walk: Walk = { body, root, out: [], require, aborted: false };
  enterEvaluation();
  try {
    step(walk, 0, doc);
  } finally {
    leaveEvaluation();
  }
  return walk.aborted ? undefined : walk.out;
}

/** Evaluates a path body: the value of a definite path, the (possibly empty) list of an indefinite one. */
export function evaluateBody(body: PathBody, doc: unknown, root: unknown): Lookup {
  if (body.aggregate !== undefined) {
    const value = applyPathFunction(body.aggregate, collectMatches(body, doc, root) ?? []);
    return value === AGGREGATE_OF_NOTHING ? miss('aggregateEmpty', body.tokens.length) : { found: true, value };
  }
  if (body.definite) return lookupDefinite(body.tokens, doc);
  return { found: true, value: collectMatches(body, doc, root) ?? [] };
}

function step(walk: Walk, i: number, model: unknown): void {
  if (walk.aborted) return;
  spend(1);
  const tokens = walk.body.tokens;
  if (i === tokens.length) {
    walk.out.push(model);
    return;
  }
  const token = tokens[i]!;
  switch (token.kind) {
    case 'property':
      return stepProperty(walk, i, token.names, model);
    case 'index':
      if (!Array.isArray(model)) return throwIfUpstreamDefinite(walk, i);
      for (const index of token.indexes) stepIndex(walk, i, model, index);
      return;
    case 'slice':
      if (!Array.isArray(model)) return throwIfUpstreamDefinite(walk, i);
      return stepSlice(walk, i, model, token.from, token.to);
    case 'wildcard':
      if (Array.isArray(model)) {
        for (const element of model) step(walk, i + 1, element);
      } else if (isJsonObject(model)) {
        for (const key of Object.keys(model)) {
          const value = model[key];
          if (value !== undefined) step(walk, i + 1, value);
        }
      }
      return;
    case 'filter':
      if (Array.isArray(model)) {
        for (const element of model) if (token.predicate(element, walk.root)) step(walk, i + 1, element);
      } else if (isJsonObject(model)) {
        // Jayway tests an object itself, not its members.
        if (token.predicate(model, walk.root)) step(walk, i + 1, model);
      } else {
        throwIfUpstreamDefinite(walk, i);
      }
      return;
    case 'scan':
      return scan(walk, i, model, scanMatcher(tokens[i + 1]!, walk.root));
    case 'function': {
      const value = applyPathFunction(token.name, model);
      if (value === AGGREGATE_OF_NOTHING) walk.aborted = true;
      else walk.out.push(value);
      return;
    }
  }
}

function throwIfUpstreamDefinite(walk: Walk, i: number): void {
  if (walk.body.upstreamDefinite[i]) walk.aborted = true;
}

function stepProperty(walk: Walk, i: number, names: readonly string[], model: unknown): void {
  if (!isJsonObject(model)) return throwIfUpstreamDefinite(walk, i);
  const isLast = i === walk.body.tokens.length - 1;
  if (names.length === 1) {
    const value = ownValue(model, names[0]!);
    if (value !== undefined) return step(walk, i + 1, value);
    // A missing last property is no error; one on the way is when nothing before was a list.
    if (walk.require || (!isLast && walk.body.upstreamDefinite[i])) walk.aborted = true;
    return;
  }
  if (!isLast) {
    walk.aborted = true; // "Multi properties can only be used as path leafs"
    return;
  }
  if (walk.require && names.some((name) => ownValue(model, name) === undefined)) {
    walk.aborted = true;
    return;
  }
  walk.out.push(mergeProperties(model, names));
}

/** Jayway's index access: negative counts from the end, out of range selects nothing. */
function stepIndex(walk: Walk, i: number, array: readonly unknown[], index: number): void {
  const effective = index < 0 ? array.length + index : index;
  if (effective >= 0 && effective < array.length) step(walk, i + 1, array[effective]);
}

/** Jayway's slices, quirks included (`[1:-1]` selects nothing: negative ends only count in `[:n]`). */
function stepSlice(walk: Walk, i: number, array: readonly unknown[], from: number | undefined, to: number | undefined): void {
  const length = array.length;
  if (length === 0) return;
  if (to === undefined) {
    const start = Math.max(0, from! < 0 ? length + from! : from!);
    for (let k = start; k < length; k++) step(walk, i + 1, array[k]);
  } else if (from !== undefined) {
    const end = Math.min(length, to);
    for (let k = from; k < end; k++) stepIndex(walk, i, array, k);
  } else {
    const end = Math.min(length, to < 0 ? length + to : to);
    for (let k = 0; k < end; k++) step(walk, i + 1, array[k]);
  }
}

type ScanMatcher = (model: unknown) => boolean;

/** Which nodes a deep scan hands to the token after it (Jayway's scan predicates). */
function scanMatcher(next: Token, root: unknown): ScanMatcher {
  switch (next.kind) {
    case 'property':
      return (model) => isJsonObject(model) && next.names.every((name) => hasOwnProperty.call(model, name));
    case 'index':
    case 'slice':
      return Array.isArray;
    case 'wildcard':
      return () => true;
    case 'filter':
      return (model) => next.predicate(model, root);
    default:
      return () => false;
  }
}

/** `..`: every object and array below (and including) `model`, depth first, in document order. */
function scan(walk: Walk, i: number, model: unknown, matches: ScanMatcher): void {
  if (walk.aborted) return;
  spend(1);
  if (Array.isArray(model)) {
    if (matches(model)) {
      if (i + 1 === walk.body.tokens.length - 1) {
        step(walk, i + 1, model);
      } else {
        // Jayway hands each element to the token *after* the matched one here (so `$..[0].a`
        // reads `a` of every element). AWS runs Jayway, so this does too.
        for (const element of model) step(walk, i + 2, element);
      }
    }
    for (const element of model) scan(walk, i, element, matches);
  } else if (isJsonObject(model)) {
    if (matches(model)) step(walk, i + 1, model);
    for (const key of Object.keys(model)) {
      const value = model[key];
      if (value !== undefined) scan(walk, i, value, matches);
    }
  }
}

/** What Jayway's numeric functions do with a list holding no numbers: throw. */
export const AGGREGATE_OF_NOTHING: unique symbol = Symbol('aggregate of nothing');

/** Jayway's path functions. Results Jayway returns as Java `null` are `null`. */
export function applyPathFunction(name: PathFunctionName, model: unknown): unknown {
  switch (name) {
    case 'length':
      if (Array.isArray(model)) return model.length;
      if (isJsonObject(model)) return Object.keys(model).length;
      return null;
    case 'keys':
      return isJsonObject(model) ? Object.keys(model) : null;
    case 'first':
      return Array.isArray(model) && model.length > 0 ? model[0] : null;
    case 'last':
      return Array.isArray(model) && model.length > 0 ? model[model.length - 1] : null;
    default:
      return aggregate(name, Array.isArray(model) ? model.filter((v): v is number => typeof v === 'number') : []);
  }
}

function aggregate(name: 'min' | 'max' | 'avg' | 'stddev' | 'sum', numbers: number[]): number | typeof AGGREGATE_OF_NOTHING {
  if (numbers.length === 0) return AGGREGATE_OF_NOTHING;
  let sum = 0;
  let sumOfSquares = 0;
  // Jayway seeds min and max with Double.MAX_VALUE and Double.MIN_VALUE (the smallest positive
  // double), so max() of negative numbers is 5e-324. Reproduced because AWS returns it too.
  let min = Number.MAX_VALUE;
  let max = Number.MIN_VALUE;
  for (const n of numbers) {
    sum += n;
    sumOfSquares += n * n;
    if (n < min) min = n;
    if (n > max) max = n;
  }
  const count = numbers.length;
  switch (name) {
    case 'sum':
      return sum;
    case 'avg':
      return sum / count;
    case 'min':
      return min;
    case 'max':
      return max;
    case 'stddev':
      return Math.sqrt(sumOfSquares / count - (sum * sum) / count / count);
  }
}
