/**
 * Payload templates of JSONPath states: Parameters, ItemSelector, ResultSelector and JSONPath
 * Assign. A key ending in `.$` takes its value from a path (`$.x`, `$$.x`, `$var`) or an
 * intrinsic function call (`States.Format(…)`), under the key without `.$`; everything else is
 * copied, nested objects and arrays processed the same way.
 *
 * A template is compiled once (cached per template object) into a tree of closures, so applying
 * it parses nothing.
 */
import { StatesError } from './errors.js';
import { jsonForCause } from './data-flow.js';
import { compileIntrinsic, evaluateIntrinsic, type IntrinsicEnv } from './intrinsics.js';
import { PathSyntaxError, compilePath, lookupPath, queryPath } from './jsonpath.js';
import { setOwn } from './jsonpath/evaluate.js';
import { cloneJson, type PathQuery, type Scope } from './scope.js';

interface Evaluation {
  readonly scope: Scope;
  readonly env: IntrinsicEnv | undefined;
  query?: PathQuery;
}

type Produce = (evaluation: Evaluation) => unknown;

const compiledTemplates = new WeakMap<object, Produce>();

/**
 * Applies a payload template to `scope` (`scope.input` is what `$` reads). `fieldName` names the
 * field holding the template (Parameters, ResultSelector, …) in errors about the template itself;
 * `env` supplies the random sources intrinsics such as States.UUID draw from.
 */
export function applyPayloadTemplate(template: unknown, scope: Scope, fieldName = 'Parameters', env?: IntrinsicEnv): unknown {
  if (template === null || typeof template !== 'object') return template;
  let produce = compiledTemplates.get(template);
  if (produce === undefined) {
    produce = compileValue(template, fieldName);
    compiledTemplates.set(template, produce);
  }
  return produce({ scope, env });
}

/**
 * Evaluates a single `.$`-style value (a path or an intrinsic call) for the field `fieldName`,
 * e.g. a Fail state's ErrorPath and CausePath.
 */
export function evaluatePathOrIntrinsic(expression: string, scope: Scope, fieldName: string, env?: IntrinsicEnv): unknown {
  return compileDynamic(expression, fieldName, fieldName)({ scope, env });
}

function compileValue(value: unknown, fieldName: string): Produce {
  if (Array.isArray(value)) {
    if (!value.some(isDynamic)) return constant(value);
    const elements = value.map((element) => compileValue(element, fieldName));
    return (evaluation) => elements.map((produce) => produce(evaluation));
  }
  if (value !== null && typeof value === 'object') {
    if (!isDynamic(value)) return constant(value);
    const entries: Array<readonly [string, Produce]> = Object.entries(value).map(([key, member]) =>
      key.length > 2 && key.endsWith('.$') ? [key.slice(0, -2), compileDynamicMember(key, member, fieldName)] : [key, compileValue(member, fieldName)],
    );
    return (evaluation) => {
      const out: Record<string, unknown> = {};
      for (const [key, produce] of entries) setOwn(out, key, produce(evaluation));
      return out;
    };
  }
  return constant(value);
}

/** Whether anything in `value` is a `.$` key (else the value is copied as it is). */
function isDynamic(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isDynamic);
  if (value === null || typeof value !== 'object') return false;
  for (const [key, member] of Object.entries(value)) {
    if ((key.length > 2 && key.endsWith('.$')) || isDynamic(member)) return true;
  }
  return false;
}

/** A literal part of the template; copied each time, so no output shares the definition's objects. */
function constant(value: unknown): Produce {
  if (value === null || typeof value !== 'object') return () => value;
  return () => cloneJson(value);
}

function compileDynamicMember(key: string, expression: unknown, fieldName: string): Produce {
  if (typeof expression !== 'string') {
    throw new PathSyntaxError(
      `${fieldName}: The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`,
    );
  }
  return compileDynamic(expression, key, fieldName);
}

/** A path or intrinsic for the field `key` (as AWS names it in errors: `name.$`, `ErrorPath`). */
function compileDynamic(expression: string, key: string, fieldName: string): Produce {
  if (expression.startsWith('States.')) {
    const intrinsic = compileIntrinsic(expression);
    return (evaluation) => {
      const { scope } = evaluation;
      const query = (evaluation.query ??= (p) => queryPath(p, scope));
      return evaluateIntrinsic(intrinsic, query, evaluation.env);
    };
  }
  let path;
  try {
    path = compilePath(expression);
  } catch (error) {
    if (error instanceof PathSyntaxError) {
      throw new PathSyntaxError(`${fieldName}: The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call (${error.message})`);
    }
    throw error;
  }
  return ({ scope }) => {
    const result = lookupPath(path, scope);
    if (result.found) return result.value;
    throw new StatesError(
      'States.Runtime',
      `The JSONPath '${expression}' specified for the field '${key}' could not be found in the input '${jsonForCause(scope.input)}'`,
    );
  };
}
