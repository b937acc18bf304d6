/**
 * A field's value in a JSONata state (`Output`, `Arguments`, `Assign`, `Items`, `Condition`, …):
 * any JSON, where every string of the form `{% expression %}` is evaluated and everything else is
 * taken literally, at any depth. Compiled once per definition value; evaluating walks the
 * compiled form, so literal parts are never re-inspected.
 */
import { cloneJson } from '../scope.js';
import { returnedNothing, threwDuringEvaluation, unsupportedResultType, describeEvaluationError } from './errors.js';
import {
  compileExpression,
  evaluateExpression,
  NEEDS_JSONATA,
  readSimplePath,
  type CompiledExpression,
  type JsonataBindings,
} from './expression.js';
import { toJsonResult, UNSUPPORTED } from './result.js';
import { topLevelReferences, type TopLevelReferences } from './references.js';

export type CompiledTemplate =
  /** No expression inside: the value itself (copied on evaluation, so callers may mutate it). */
  | { readonly kind: 'literal'; readonly value: unknown }
  /** The whole value is one `{% %}` string. */
  | { readonly kind: 'expression'; readonly expression: CompiledExpression }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledTemplate])[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledTemplate[] };

/**
 * Whether a string is a JSONata template: exactly `{%` at the start and `%}` at the end, with no
 * surrounding whitespace (AWS keeps `" {% x %} "` as a literal string).
 */
export function isJsonataTemplate(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 4 && value.startsWith('{%') && value.endsWith('%}');
}

const compiledObjects = new WeakMap<object, CompiledTemplate>();
const compiledStrings = new Map<string, CompiledTemplate>();
/** Template strings kept compiled; a long-lived server is not allowed to grow this forever. */
const MAX_CACHED_STRINGS = 10_000;

/**
 * Compiles a field value. Throws JsonataSyntaxError (with the path of the offending string) when
 * an expression does not parse. Cached by identity for objects and arrays, by text for strings.
 */
export function compileJsonataTemplate(value: unknown): CompiledTemplate {
  return compileAt(value, []);
}

function compileAt(value: unknown, path: (string | number)[]): CompiledTemplate {
  if (typeof value === 'string') {
    if (!isJsonataTemplate(value)) return { kind: 'literal', value };
    let compiled = compiledStrings.get(value);
    if (compiled === undefined) {
      compiled = { kind: 'expression', expression: compileExpression(value.slice(2, -2).trim(), path) };
      if (compiledStrings.size >= MAX_CACHED_STRINGS) compiledStrings.clear();
      compiledStrings.set(value, compiled);
    }
    return compiled;
  }
  if (value === null || typeof value !== 'object') return { kind: 'literal', value };
  const cached = compiledObjects.get(value);
  if (cached !== undefined) return cached;
  let compiled: CompiledTemplate;
  if (Array.isArray(value)) {
    const items = value.map((item, index) => compileAt(item, [...path, index]));
    compiled = items.every(isLiteral) ? { kind: 'literal', value } : { kind: 'array', items };
  } else {
    const entries = Object.keys(value).map(
      (key) => [key, compileAt((value as Record<string, unknown>)[key], [...path, key])] as const,
    );
    compiled = entries.every(([, entry]) => isLiteral(entry)) ? { kind: 'literal', value } : { kind: 'object', entries };
  }
  compiledObjects.set(value, compiled);
  return compiled;
}

/**
 * For definition validation: what a `{% %}` string reads from the top-level context (which AWS
 * refuses) and whether it reads `$states.errorOutput`. Throws JsonataSyntaxError like compiling.
 */
export function analyzeJsonataTemplate(template: string): TopLevelReferences {
  const compiled = compileAt(template, []);
  if (compiled.kind !== 'expression') return { topLevel: [], readsErrorOutput: false };
  return topLevelReferences(compiled.expression.program.ast());
}

function isLiteral(template: CompiledTemplate): boolean {
  return template.kind === 'literal';
}

/**
 * Evaluates a compiled field value. `fieldName` is the field as AWS names it in messages
 * (`Output`, `Assign`, `Choices[0]/Condition`); nested expressions are named below it
 * (`Output/a/b[0]`). Every failure is a `States.QueryEvaluationError` StatesError, including an
 * expression that returns nothing. Literal parts come back copied, but what an expression reads
 * is not: `{% $states.input %}` is the input object itself, so treat results as immutable.
 */
export function evaluateJsonataTemplate(
  compiled: CompiledTemplate,
  bindings: JsonataBindings,
  fieldName: string,
): Promise<unknown> {
  switch (compiled.kind) {
    case 'literal':
      return Promise.resolve(cloneJson(compiled.value));
    case 'expression': {
      const direct = readSimplePath(compiled.expression, bindings);
      if (direct === NEEDS_JSONATA) return evaluateField(compiled.expression, bindings, fieldName);
      if (direct === undefined) return Promise.reject(returnedNothing(compiled.expression.text, fieldName));
      return Promise.resolve(direct);
    }
    default:
      return evaluateComposite(compiled, bindings, fieldName);
  }
}

async function evaluateComposite(
  compiled: CompiledTemplate & { kind: 'object' | 'array' },
  bindings: JsonataBindings,
  field: string,
): Promise<unknown> {
  // One at a time, in definition order: the first failing expression is the one reported.
  if (compiled.kind === 'array') {
    const out = new Array<unknown>(compiled.items.length);
    for (let i = 0; i < compiled.items.length; i++) {
      out[i] = await evaluateJsonataTemplate(compiled.items[i]!, bindings, `${field}[${i}]`);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, entry] of compiled.entries) out[key] = await evaluateJsonataTemplate(entry, bindings, `${field}/${key}`);
  return out;
}

async function evaluateField(expression: CompiledExpression, bindings: JsonataBindings, field: string): Promise<unknown> {
  let raw: unknown;
  try {
    raw = await evaluateExpression(expression, bindings);
  } catch (error) {
    throw threwDuringEvaluation(expression.text, field, describeEvaluationError(error));
  }
  if (raw === undefined) throw returnedNothing(expression.text, field);
  try {
    return toJsonResult(raw);
  } catch (error) {
    if (error === UNSUPPORTED) throw unsupportedResultType(expression.text, field);
    throw error;
  }
}
