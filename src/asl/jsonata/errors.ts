/**
 * How JSONata failures are worded. Step Functions reports every run-time JSONata failure as
 * `States.QueryEvaluationError`, with a cause naming the expression (without its `{% %}`) and the
 * field it sits in, relative to the state: `Output`, `Output/a/b[0]`, `Assign/x`, `Items`.
 *
 * The engine prefixes these causes with "An error occurred while executing the state '<name>'
 * (entered at the event id #<n>). "; this module only words the part about the expression.
 */
import { StatesError } from '../errors.js';
import { MEMORY_LIMIT_MESSAGE } from './bounded.js';

/** An expression that does not parse; thrown when a template is compiled (definition validation). */
export class JsonataSyntaxError extends Error {
  override readonly name = 'JsonataSyntaxError';
  constructor(
    /** The parser's own sentence, as AWS quotes it after `INVALID_JSONATA_EXPRESSION: `. */
    readonly parserMessage: string,
    /** The expression text between `{%` and `%}`, trimmed. */
    readonly expression: string,
    /** Where the expression sits inside the compiled value: object keys and array indexes. */
    readonly path: readonly (string | number)[] = [],
    /** JSONata's error code (`S0202`, …) and character position, when the parser gave them. */
    readonly code?: string,
    readonly position?: number,
  ) {
    super(parserMessage);
  }
}

export function returnedNothing(expression: string, field: string): StatesError {
  return new StatesError(
    'States.QueryEvaluationError',
    `The JSONata expression '${expression}' specified for the field '${field}' returned nothing (undefined).`,
  );
}

export function threwDuringEvaluation(expression: string, field: string, detail: string): StatesError {
  return new StatesError(
    'States.QueryEvaluationError',
    `The JSONata expression '${expression}' specified for the field '${field}' threw an error during evaluation. ${detail}`,
  );
}

/** A function value (a lambda, a built-in, a regex) has no JSON form. */
export function unsupportedResultType(expression: string, field: string): StatesError {
  return new StatesError(
    'States.QueryEvaluationError',
    `The JSONata expression '${expression}' specified for the field '${field}' returned an unsupported result type.`,
  );
}

/**
 * For fields that need one JSON type, as AWS words it for a Map's `Items`:
 * "... returned an unexpected result type. Expected 'array', but was 'string' for value: \"x\"".
 */
export function unexpectedResultType(expression: string, field: string, expected: string, value: unknown): StatesError {
  return new StatesError(
    'States.QueryEvaluationError',
    `The JSONata expression '${expression}' specified for the field '${field}' returned an unexpected result type. ` +
      `Expected '${expected}', but was '${jsonTypeName(value)}' for value: ${JSON.stringify(value)}`,
  );
}

/** JSONata's own type names (`$type`), which AWS uses in its messages. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The sentence after "threw an error during evaluation.": `<code>: <message>` for JSONata's
 * catalogued errors (`T1006: Attempted to invoke a non-function`), the bare message otherwise.
 * The two run-away guards are worded as AWS's JSONata words them, not as jsonata-js does.
 */
export function describeEvaluationError(error: unknown): string {
  if (error === null || typeof error !== 'object') return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (code === 'D1011') {
    const limit = (error as { value?: unknown }).value;
    return `Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive. Depth=${Number(limit) + 1} max=${String(limit)}`;
  }
  if (code === 'D1012') return 'Expression evaluation timeout: Check for infinite loop';
  // jsonata's sequence limit (see ./bounded.ts) is the memory limit AWS words this way.
  if (code === 'D2015') return MEMORY_LIMIT_MESSAGE;
  return typeof code === 'string' && code !== '' ? `${code}: ${text}` : text;
}
