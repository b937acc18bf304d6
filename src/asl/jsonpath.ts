/**
 * JSONPath as Amazon States Language uses it, with the semantics of Jayway JsonPath (the Java
 * library AWS Step Functions evaluates paths with): `$…` reads the state's input, `$$…` the
 * context object and `$name…` the variable `name`. A definite path yields its value or nothing; an
 * indefinite one (wildcards, `..`, filters, slices, unions) yields the list of its matches.
 *
 * Paths are compiled once (and cached by text); evaluation walks the compiled tokens.
 */
import type { PathResult, Scope } from './scope.js';
import { evaluateBody, lookupDefinite, type Lookup, type PathMiss } from './jsonpath/evaluate.js';
import { parsePathBody } from './jsonpath/parse-path.js';
import { PathSyntaxError } from './jsonpath/syntax-error.js';
import { renderPath, tokenFragment, type PathBody } from './jsonpath/tokens.js';

export { PathSyntaxError } from './jsonpath/syntax-error.js';
export type { PathMiss, Lookup } from './jsonpath/evaluate.js';

export interface CompiledPath {
  readonly text: string;
  readonly root: 'input' | 'context' | 'variable';
  /** The variable's name (without `$`) when `root` is `'variable'`. */
  readonly variable?: string;
  /** Selects at most one node: yields a value (or nothing) rather than a list. */
  readonly isDefinite: boolean;
  /** AWS's "Reference Path": only names and indexes, e.g. `$.a.b[0]` (valid for ResultPath). */
  readonly isReference: boolean;
  readonly body: PathBody;
  /** Looks the path up in `doc` (the value its root names). */
  readonly lookupIn: (doc: unknown) => Lookup;
}

const cache = new Map<string, CompiledPath>();
const CACHE_LIMIT = 10_000;

/** Compiles a path (cached by text); throws PathSyntaxError when Jayway/AWS would reject it. */
export function compilePath(path: string): CompiledPath {
  let compiled = cache.get(path);
  if (compiled === undefined) {
    compiled = compileUncached(path);
    // Paths come from definitions, so the cache stays small; the limit only guards odd callers.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(path, compiled);
  }
  return compiled;
}

const VARIABLE_NAME = /^\$([\p{L}_][\p{L}\p{N}_]*)/u;

function compileUncached(text: string): CompiledPath {
  if (typeof text !== 'string') throw new PathSyntaxError('A path must be a string');
  const path = text.trim();
  if (!path.startsWith('$')) throw new PathSyntaxError(`Path must start with '$': ${text}`);
  let root: CompiledPath['root'] = 'input';
  let variable: string | undefined;
  let start = 1;
  if (path.startsWith('$$')) {
    root = 'context';
    start = 2;
  } else {
    const match = VARIABLE_NAME.exec(path);
    if (match) {
      root = 'variable';
      variable = match[1]!;
      start = match[0].length;
    }
  }
  let body: PathBody;
  try {
    body = parsePathBody(path, start);
  } catch (error) {
    if (error instanceof PathSyntaxError) throw new PathSyntaxError(`Invalid path '${text}': ${error.message}`);
    throw error;
  }
  const isReference =
    body.aggregate === undefined &&
    body.tokens.every((t) => (t.kind === 'property' && t.names.length === 1) || (t.kind === 'index' && t.indexes.length === 1));
  const lookupIn = lookupFor(body);
  const compiled = { text, root, isDefinite: body.definite, isReference, body, lookupIn };
  return variable === undefined ? compiled : { ...compiled, variable };
}

function lookupFor(body: PathBody): (doc: unknown) => Lookup {
  if (body.tokens.length === 0 && body.aggregate === undefined) return (doc) => ({ found: true, value: doc });
  if (body.definite && body.aggregate === undefined) {
    const tokens = body.tokens;
    return (doc) => lookupDefinite(tokens, doc);
  }
  return (doc) => evaluateBody(body, doc, doc);
}

/** Whether `path` is a valid Reference Path (false for invalid paths rather than throwing). */
export function isReferencePath(path: string): boolean {
  try {
    return compilePath(path).isReference;
  } catch (error) {
    if (error instanceof PathSyntaxError) return false;
    throw error;
  }
}

const UNDEFINED_VARIABLE: Lookup = { found: false, miss: { kind: 'undefinedVariable', at: 0 } };

/** Looks a path up in a scope, with the reason when it selects nothing (see describePathMiss). */
export function lookupPath(path: string | CompiledPath, scope: Scope): Lookup {
  const compiled = typeof path === 'string' ? compilePath(path) : path;
  switch (compiled.root) {
    case 'input':
      return compiled.lookupIn(scope.input);
    case 'context':
      return compiled.lookupIn(scope.context);
    case 'variable': {
      const name = compiled.variable!;
      return scope.variables.has(name) ? compiled.lookupIn(scope.variables.get(name)) : UNDEFINED_VARIABLE;
    }
  }
}

/** Looks a path up in a scope: `{found: true, value}` (a list for indefinite paths) or `{found: false}`. */
export function queryPath(path: string | CompiledPath, scope: Scope): PathResult {
  return lookupPath(path, scope);
}

const JSON_PROVIDER = 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider';

/**
 * Jayway's message for a definite path that selected nothing, as AWS quotes it after
 * `Invalid path '<path>' : ` (`No results for path: $['a']['b']`, `Missing property in path $['a']`, …).
 */
export function describePathMiss(path: CompiledPath, miss: PathMiss): string {
  const tokens = path.body.tokens;
  switch (miss.kind) {
    case 'noResults':
    case 'undefinedVariable':
      return `No results for path: ${renderPath(tokens)}`;
    case 'missingProperty':
      return `Missing property in path ${renderPath(tokens, miss.at + 1)}`;
    case 'notAnObject':
      return (
        `Expected to find an object with property ${tokenFragment(tokens[miss.at]!)} in path ${renderPath(tokens, miss.at)} ` +
        `but found '${javaClassName(miss.model)}'. This is not a json object according to the JsonProvider: '${JSON_PROVIDER}'.`
      );
    case 'nullArray':
      return `The path ${renderPath(tokens, miss.at)} is null`;
    case 'notAnArray':
      return `Filter: ${renderPath(tokens, tokens.length, miss.at)} can only be applied to arrays. Current context is: ${javaToString(miss.model)}`;
    case 'multiPropertyNotLeaf':
      return `Multi properties can only be used as path leafs: ${renderPath(tokens, miss.at + 1)}`;
    case 'aggregateEmpty':
      return 'Aggregation function attempted to calculate value using empty array';
  }
}

/** The Java class json-smart (Jayway's default JSON provider) would hold a value in. */
function javaClassName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return 'java.lang.String';
    case 'boolean':
      return 'java.lang.Boolean';
    case 'number':
      if (!Number.isInteger(value)) return 'java.lang.Double';
      if (Math.abs(value) <= 2147483647) return 'java.lang.Integer';
      return Math.abs(value) <= 9223372036854775807 ? 'java.lang.Long' : 'java.math.BigInteger';
    default:
      return Array.isArray(value) ? 'net.minidev.json.JSONArray' : 'net.minidev.json.JSONObject';
  }
}

function javaToString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
}
