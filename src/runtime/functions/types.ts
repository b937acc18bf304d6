/**
 * What an invocation of a local function gives and gets: exactly what Lambda's Invoke API
 * reports (the payload, or FunctionError with Lambda's error document), so the Lambda
 * integration shapes Step Functions' answer from local functions and from a remote Lambda API
 * the same way.
 */

export interface FunctionInvocation {
  /** The event (a JSON value; it is serialized, so the function gets a copy). */
  readonly event: unknown;
  /** Lambda's request id (context.awsRequestId / context.aws_request_id). */
  readonly requestId: string;
  /** Aborted: the invocation's process is killed and the result is a `Stepwise.Aborted` error. */
  readonly signal?: AbortSignal;
  /** For the function's ARN and AWS_REGION (default us-east-1). */
  readonly region?: string;
  /** For the function's ARN (default 123456789012, as Step Functions Local). */
  readonly accountId?: string;
}

export type FunctionResult =
  /** The handler's result (a JSON value; undefined became null). */
  | { readonly ok: true; readonly payload: unknown }
  | FunctionFailure;

/**
 * Lambda's error document: `errorType`, `errorMessage` and the stack (`trace` from Node.js,
 * `stackTrace` from Python, both given here as `trace`). Lambda's current runtimes report every
 * function error with `FunctionError: Unhandled` (the `Handled` of callback errors is gone), so
 * these do too; the union keeps `Handled` for a remote Lambda API that still says it.
 */
export interface FunctionFailure {
  readonly ok: false;
  readonly functionError: 'Unhandled' | 'Handled';
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

export type FunctionLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
