/**
 * Runtime errors of the States language. One class, carrying the AWS error name as data
 * (`States.Runtime`, `States.TaskFailed`, a Lambda's own error name, …) and the cause text,
 * exactly as Step Functions reports them in `ExecutionFailed` and to Catchers.
 */
export type PredefinedErrorName =
  | 'States.ALL'
  | 'States.BranchFailed'
  | 'States.DataLimitExceeded'
  | 'States.ExceedToleratedFailureThreshold'
  | 'States.HeartbeatTimeout'
  | 'States.IntrinsicFailure'
  | 'States.ItemReaderFailed'
  | 'States.NoChoiceMatched'
  | 'States.ParameterPathFailure'
  | 'States.Permissions'
  | 'States.QueryEvaluationError'
  | 'States.ResultPathMatchFailure'
  | 'States.ResultWriterFailed'
  | 'States.Runtime'
  | 'States.TaskFailed'
  | 'States.Timeout';

export class StatesError extends Error {
  override readonly name = 'StatesError';
  constructor(
    /** The error name as AWS reports it; any string for errors raised by tasks. */
    readonly error: PredefinedErrorName | (string & {}),
    /** The cause text (may be empty). */
    override readonly cause: string = '',
  ) {
    super(cause ? `${error}: ${cause}` : error);
  }
}

/** `States.Runtime` and `States.DataLimitExceeded` are not retriable nor catchable by `States.ALL`. */
export function isTerminalError(error: string): boolean {
  return error === 'States.Runtime' || error === 'States.DataLimitExceeded';
}
