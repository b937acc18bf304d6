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
    /**
     * The error name as AWS reports it; any string for errors raised by tasks. Undefined when a
     * task failed without naming its error (AWS then shows `"Error": null` to a Catcher).
     */
    readonly error: PredefinedErrorName | (string & {}) | undefined,
    /** The cause text; undefined when there is none. */
    override readonly cause?: string,
  ) {
    super(cause ? `${error ?? 'Error'}: ${cause}` : (error ?? 'Error'));
  }
}

/**
 * A state's own States.Runtime whose cause AWS gives as it is, without the "An error occurred
 * while executing the state …" preamble other evaluation errors get (a Wait's SecondsPath).
 */
export class BareCauseError extends StatesError {}

/**
 * `States.Runtime` is the one error `States.ALL` does not match: it means the definition and the
 * data disagree, which no retry can mend. (A task's States.DataLimitExceeded, by contrast, is
 * caught by States.ALL on AWS.)
 */
export function isTerminalError(error: string | undefined): boolean {
  return error === 'States.Runtime';
}
