/**
 * The console's way to the server: the Step Functions API at `POST /` (AWS JSON 1.0), the same
 * requests an AWS SDK sends; EventBridge's and Stepwise's own actions go the same way under
 * their target prefixes, and the Scheduler's REST API through `getJson`. Errors come back as
 * AwsApiError with AWS's short error name.
 */

export class AwsApiError extends Error {
  constructor(
    /** The short name, e.g. `StateMachineDoesNotExist` (from `__type`'s part after `#`). */
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Where the API lives: the page's own origin. */
const ENDPOINT = '/';

/** `AWSStepFunctions` (default), `AWSEvents` (EventBridge) or `Stepwise` (the server's own actions). */
export type ApiService = 'AWSStepFunctions' | 'AWSEvents' | 'Stepwise';

export async function callApi<T>(action: string, body: object = {}, signal?: AbortSignal, service: ApiService = 'AWSStepFunctions'): Promise<T> {
  return answerOf<T>(
    await reach(
      ENDPOINT,
      {
        method: 'POST',
        headers: {
          'Content-Type': service === 'AWSEvents' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0',
          'X-Amz-Target': `${service}.${action}`,
        },
        body: JSON.stringify(body),
      },
      signal,
    ),
  );
}

/** A GET of a REST-JSON API on the same server (EventBridge Scheduler's `/schedules`). */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answerOf<T>(await reach(path, { method: 'GET', headers: { Accept: 'application/json' } }, signal));
}

async function reach(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { ...init, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new AwsApiError('NetworkError', `The Stepwise server could not be reached (${(error as Error).message}).`, 0);
  }
}

async function answerOf<T>(response: Response): Promise<T> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AwsApiError('InvalidResponse', `The server answered ${response.status} with a body that is not JSON.`, response.status);
  }
  if (!response.ok) {
    const error = parsed as { __type?: string; message?: string; Message?: string };
    // REST-JSON services (the Scheduler) name the error in a header rather than in `__type`.
    const type = error.__type ?? response.headers.get('x-amzn-ErrorType')?.split(':')[0] ?? 'UnknownError';
    throw new AwsApiError(type.slice(type.lastIndexOf('#') + 1), error.message ?? error.Message ?? `HTTP ${response.status}`, response.status);
  }
  return parsed as T;
}

/** A readable one-liner for an error thrown by callApi (or anything else). */
export function describeError(error: unknown): string {
  if (error instanceof AwsApiError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
