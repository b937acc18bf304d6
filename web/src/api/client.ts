/**
 * The console's only way to the server: the Step Functions API at `POST /` (AWS JSON 1.0), the
 * same requests an AWS SDK sends. Errors come back as AwsApiError with AWS's short error name.
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

export async function callApi<T>(action: string, body: object = {}, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `AWSStepFunctions.${action}`,
      },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new AwsApiError('NetworkError', `The Stepwise server could not be reached (${(error as Error).message}).`, 0);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AwsApiError('InvalidResponse', `The server answered ${response.status} with a body that is not JSON.`, response.status);
  }
  if (!response.ok) {
    const error = parsed as { __type?: string; message?: string; Message?: string };
    const type = error.__type ?? 'UnknownError';
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
