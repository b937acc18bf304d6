/**
 * How intrinsic failures read. Step Functions fails the execution with `States.Runtime` (neither
 * retried nor caught), and the cause takes one of two shapes, depending on where the failure
 * happened. The engine prefixes both with "An error occurred while executing the state '<name>'
 * (entered at the event id #<n>). ", as it does for every state-level runtime error.
 *
 *  - An argument path that matches nothing names the whole expression as written:
 *    `The function 'States.Format('{}', $.nope)' had the following error: The JsonPath argument
 *    for the field '$.nope' could not be found in the input '{"other":1}'`
 *  - A function that rejects its arguments names the call that failed:
 *    `There was an error while evaluating the intrinsic function: States.MathAdd($.a, 1).
 *    Invalid arguments in States.MathAdd`
 */

/** Thrown by a function implementation; the evaluator adds the call it happened in. */
export class IntrinsicArgumentError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** Thrown when an argument path matches nothing; the evaluator adds the expression and the input. */
export class IntrinsicPathNotFound extends Error {
  constructor(readonly path: string) {
    super(`path not found: ${path}`);
  }
}

/** The detail for arguments a function cannot use: wrong count, type or value. */
export function invalidArguments(functionName: string): IntrinsicArgumentError {
  return new IntrinsicArgumentError(`Invalid arguments in ${functionName}`);
}

export function functionFailureCause(callText: string, detail: string): string {
  return `There was an error while evaluating the intrinsic function: ${callText}. ${detail}`;
}

/**
 * A `$$.` path is reported against the context object with one `$` removed, and the input named
 * is the state's input, not the context object (Step Functions Local writes it that way).
 */
export function pathNotFoundCause(expression: string, path: string, inputText: string): string {
  const field = path.startsWith('$$') ? path.slice(1) : path;
  return (
    `The function '${expression}' had the following error: ` +
    `The JsonPath argument for the field '${field}' could not be found in the input '${inputText}'`
  );
}
