/**
 * One JSONata expression, compiled once and evaluated many times the way Step Functions does:
 * - no context item (`$` is undefined): the input is `$states.input`;
 * - `$states` is `{input, context, result?, errorOutput?}`, workflow variables are `$name`;
 * - the functions Step Functions adds are available and `$eval` is not (calling it is T1006);
 * - evaluation is bounded as AWS bounds it (100 levels deep) and by a time limit.
 */
import jsonata from 'jsonata';
import type { VariableLookup } from '../scope.js';
import { JsonataSyntaxError } from './errors.js';
import { bindBoundedFunctions } from './bounded.js';
import { expressionLimits, type ExpressionLimits } from '../limits.js';
import { guardPattern } from '../safe-regexp.js';
import { hash, makeRandom, makeShuffle, makeUuid, parse, partition, randomUuid, range } from './functions.js';
import { referencedVariableNames } from './references.js';

export interface JsonataBindings {
  /** Bound as `$states`. */
  states: { input: unknown; context: unknown; result?: unknown; errorOutput?: unknown };
  /** Workflow variables, readable as `$name`. */
  variables: VariableLookup;
  /** Sources for `$random()`, `$uuid()` and `$shuffle`; default Math.random / crypto.randomUUID. */
  random?: () => number;
  uuid?: () => string;
}

export interface CompiledExpression {
  /** The text between `{%` and `%}`, trimmed: how AWS quotes the expression in its messages. */
  readonly text: string;
  readonly program: jsonata.Expression;
  /** The `$name`s the expression mentions: all that evaluation needs to bind. */
  readonly names: readonly string[];
  /** Set when the expression is a plain `$root.key.key…` path, which is read without jsonata. */
  readonly simplePath?: SimplePath;
}

interface SimplePath {
  readonly root: string;
  readonly keys: readonly string[];
}

/** AWS refuses an evaluation nested deeper than this (`1+1+…` of 100 terms passes, 101 fails). */
const MAX_DEPTH = 100;
/**
 * A run-away expression (an endless tail recursion) is stopped after `jsonataTimeoutMs`
 * (src/asl/limits.ts). AWS's own limit is not documented; its sentence is "Expression evaluation
 * timeout: Check for infinite loop". 2 s by default rather than jsonata's usual 5 s: the limit is
 * checked between expression nodes on the thread that makes the execution's decision, and a
 * decision may evaluate many expressions (a Map of twenty such states held the thread for 100 s
 * at 5 s each), while an expression over a 256 KiB payload that is not runaway needs well under
 * a second.
 *
 * jsonata takes its limits as options when it compiles, keeps the options object and reads
 * `timeout` and `sequence` from it during each evaluation. Every program is compiled with this
 * one object, brought up to date with the configured limits before each evaluation, so programs
 * compiled (and cached, here and in template.ts) before a change follow it too.
 */
const jsonataOptions = {
  stack: MAX_DEPTH,
  timeout: 0,
  sequence: 0,
  RegexEngine: GuardedRegExp as unknown as RegExpConstructor,
};
/** The limits jsonataOptions was last brought up to date with. */
let optionsFrom: ExpressionLimits | undefined;

/** jsonataOptions with the limits in force: one identity comparison unless they changed. */
function currentJsonataOptions(): typeof jsonataOptions {
  const limits = expressionLimits();
  if (limits !== optionsFrom) {
    jsonataOptions.timeout = limits.jsonataTimeoutMs;
    jsonataOptions.sequence = limits.jsonataMaxSequence;
    optionsFrom = limits;
  }
  return jsonataOptions;
}
/** Compiled programs by expression text; definitions are few, but a server lives long. */
const MAX_CACHED = 10_000;
const cache = new Map<string, CompiledExpression>();

/** Functions that behave the same in every evaluation, bound once per compiled program. */
const FIXED_FUNCTIONS: ReadonlyArray<readonly [string, unknown]> = [
  ['partition', partition],
  ['range', range],
  ['hash', hash],
  ['parse', parse],
  // A name bound to nothing: calling it fails with T1006, "Attempted to invoke a non-function".
  ['eval', undefined],
];

/** Compiles an expression text (already trimmed), reusing the program compiled for that text. */
export function compileExpression(text: string, path: readonly (string | number)[] = []): CompiledExpression {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  let program: jsonata.Expression;
  try {
    program = jsonata(text, currentJsonataOptions());
  } catch (error) {
    const { message, code, position } = error as { message?: string; code?: string; position?: number };
    throw new JsonataSyntaxError(message ?? String(error), text, path, code, position);
  }
  for (const [name, value] of FIXED_FUNCTIONS) program.assign(name, value);
  const ast = program.ast();
  const simplePath = asSimplePath(ast);
  const names = referencedVariableNames(ast);
  // After reading the tree: this rewrites its `&` nodes into calls of a bound function.
  bindBoundedFunctions(program);
  const compiled: CompiledExpression = {
    text,
    program,
    names,
    ...(simplePath ? { simplePath } : {}),
  };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(text, compiled);
  return compiled;
}

/**
 * Evaluates with the bindings the expression mentions. Resolves to jsonata's raw result
 * (undefined when the expression returns nothing); rejects with jsonata's error object.
 */
export function evaluateExpression(compiled: CompiledExpression, bindings: JsonataBindings): Promise<unknown> {
  const frame: Record<string, unknown> = {};
  const { variables } = bindings;
  for (const name of compiled.names) {
    if (name === 'states') continue;
    if (variables.has(name)) frame[name] = variables.get(name);
    else if (name === 'random') frame.random = makeRandom(bindings.random ?? Math.random);
    else if (name === 'uuid') frame.uuid = makeUuid(bindings.uuid ?? randomUuid);
    else if (name === 'shuffle') frame.shuffle = makeShuffle(bindings.random ?? Math.random);
  }
  // `$states` is reserved: a variable cannot shadow it.
  frame.states = bindings.states;
  currentJsonataOptions();
  return compiled.program.evaluate(undefined, frame);
}

/**
 * The regular expression class jsonata builds its regex literals with (`new RegexEngine(literal)`,
 * then `exec` with `lastIndex`): the literal as src/asl/safe-regexp.ts guards it, so that
 * `$match`, `$replace`, `$contains` and `$split` cannot backtrack catastrophically. A refused
 * pattern fails the evaluation (States.QueryEvaluationError) with the reason.
 */
function GuardedRegExp(literal: RegExp): RegExp {
  const guarded = guardPattern(literal.source, literal.flags);
  if ('refused' in guarded) throw { message: guarded.refused };
  return new RegExp(guarded.source, guarded.flags);
}

/** What readSimplePath answers when the path needs jsonata's own navigation after all. */
export const NEEDS_JSONATA = Symbol('needs jsonata');

/**
 * The value of a plain `$states.input.a.b` or `$var.a` path, read directly: most expressions in
 * real definitions are such paths, and this skips jsonata's asynchronous evaluation. Through
 * plain objects jsonata answers the very value found (or nothing for a missing key); an array or
 * a scalar on the way changes the semantics (mapping, singleton sequences), so those cases, and a
 * root that is neither `$states` nor a variable, answer NEEDS_JSONATA. The value comes from the
 * bindings, which hold JSON already.
 */
export function readSimplePath(compiled: CompiledExpression, bindings: JsonataBindings): unknown {
  const path = compiled.simplePath;
  if (path === undefined) return NEEDS_JSONATA;
  let value: unknown;
  if (path.root === 'states') value = bindings.states;
  else if (bindings.variables.has(path.root)) value = bindings.variables.get(path.root);
  else return NEEDS_JSONATA;
  for (const key of path.keys) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return NEEDS_JSONATA;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const PLAIN_STEP_KEYS = new Set(['type', 'value', 'position']);
const PLAIN_PATH_KEYS = new Set(['type', 'steps', 'position']);

function hasOnlyKeys(node: object, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(node)) if (!allowed.has(key)) return false;
  return true;
}

function isRootVariable(node: { type?: unknown; value?: unknown }): node is { type: 'variable'; value: string } {
  return node.type === 'variable' && typeof node.value === 'string' && node.value !== '' && node.value !== '$';
}

function asSimplePath(ast: jsonata.ExprNode): SimplePath | undefined {
  if (hasOnlyKeys(ast, PLAIN_STEP_KEYS) && isRootVariable(ast)) return { root: ast.value, keys: [] };
  if ((ast.type as string) !== 'path' || !hasOnlyKeys(ast, PLAIN_PATH_KEYS)) return undefined;
  const steps = (ast.steps ?? []) as jsonata.ExprNode[];
  const [first, ...rest] = steps;
  if (first === undefined || !hasOnlyKeys(first, PLAIN_STEP_KEYS) || !isRootVariable(first)) return undefined;
  const keys: string[] = [];
  for (const step of rest) {
    if (step.type !== 'name' || typeof step.value !== 'string' || !hasOnlyKeys(step, PLAIN_STEP_KEYS)) return undefined;
    keys.push(step.value);
  }
  return { root: first.value, keys };
}
