/**
 * Errors of the Step Functions API, as AWS sends them: `{"__type": "<name>", "message": "…"}`
 * with an HTTP status. The name is what the SDK turns into an exception class
 * (`ExecutionDoesNotExist`, `ValidationException`, …).
 */
export class AwsError extends Error {
  override readonly name = 'AwsError';
  constructor(
    /** The `__type`: AWS's exception name. */
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }

  toBody(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}
