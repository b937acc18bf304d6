/**
 * EventBridge Scheduler's wire protocol, REST-JSON (the `scheduler` service model, as
 * @aws-sdk/client-scheduler reads it): the action is the method and path, members come from the
 * path (`{Name}`), the query string and a JSON body; timestamps are epoch seconds (numbers) both
 * ways. An error is its status code with `x-amzn-ErrorType: <name>` and a body `{"Message": …}`;
 * the model's errors and statuses: ValidationException 400, ResourceNotFoundException 404,
 * ConflictException 409, ServiceQuotaExceededException 402, ThrottlingException 429,
 * InternalServerException 500.
 */
import { AwsError } from '../errors.js';

export const SCHEDULER_CONTENT_TYPE = 'application/json';

export function validation(message: string): AwsError {
  return new AwsError('ValidationException', message, 400);
}

export function notFound(message: string): AwsError {
  return new AwsError('ResourceNotFoundException', message, 404);
}

export function conflict(message: string): AwsError {
  return new AwsError('ConflictException', message, 409);
}

export function quotaExceeded(message: string): AwsError {
  return new AwsError('ServiceQuotaExceededException', message, 402);
}

/** What an action gets: its path label, the query string and the parsed body (`{}` when none). */
export interface SchedulerRequest {
  /** The `{Name}` or `{ResourceArn}` path label, decoded. */
  readonly label?: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

export interface SchedulerResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function jsonResponse(body: unknown, requestId: string): SchedulerResponse {
  return { status: 200, headers: headers(requestId), body: JSON.stringify(body) };
}

export function errorResponse(error: AwsError, requestId: string): SchedulerResponse {
  return {
    status: error.statusCode,
    headers: { ...headers(requestId), 'x-amzn-ErrorType': error.type },
    body: JSON.stringify({ Message: error.message }),
  };
}

function headers(requestId: string): Record<string, string> {
  return { 'Content-Type': SCHEDULER_CONTENT_TYPE, 'x-amzn-RequestId': requestId };
}

/** Epoch seconds on the wire (the SDK sends and reads fractions). */
export function toEpochSeconds(ms: number): number {
  return ms / 1000;
}
