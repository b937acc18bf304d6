/**
 * The console's way to the server: the Step Functions API at `POST /` (AWS JSON 1.0), the same
 * requests an AWS SDK sends; EventBridge's and Stepwise's own actions go the same way under
 * their target prefixes, and the Scheduler's REST API through `getJson`. Errors come back as
 * AwsApiError with AWS's short error name.
 *
 * URLs are relative to the page (the server may serve everything under a base path), and when
 * the server has a keys file every request is signed with the signed-in key (auth/sign.ts). A
 * refusal that says the key itself is not valid (unknown, wrong secret, unsigned) signs the
 * user out, back to the sign-in page with the server's message.
 */
import { apiBase, currentSession, signOut, type SignedInKey } from '../auth/session.js';
import { signedHeaders, type SigningKey, type SigningService } from '../auth/sign.js';

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

/** `AWSStepFunctions` (default), `AWSEvents` (EventBridge) or `Stepwise` (the server's own actions). */
export type ApiService = 'AWSStepFunctions' | 'AWSEvents' | 'Stepwise';

/** The refusals that mean the key is not usable (as opposed to AccessDenied: usable, not allowed). */
const KEY_REFUSALS = new Set(['MissingAuthenticationTokenException', 'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignatureException']);

interface Request {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly service: SigningService;
}

export async function callApi<T>(action: string, body: object = {}, signal?: AbortSignal, service: ApiService = 'AWSStepFunctions'): Promise<T> {
  return send<T>(apiRequest(action, body, service), signal, currentSession().key);
}

/** The same call signed with `key` (which is not signed in yet): the sign-in page checks a key so, and a refusal signs nobody out. */
export async function callApiAs<T>(key: SigningKey, action: string, body: object = {}, service: ApiService = 'AWSStepFunctions'): Promise<T> {
  return send<T>(apiRequest(action, body, service), undefined, key);
}

/** A GET of a REST-JSON API on the same server (EventBridge Scheduler's `/schedules`): `path` as if from the API's root. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const url = new URL(path.replace(/^\//, ''), apiBase());
  return send<T>({ method: 'GET', url, headers: { Accept: 'application/json' }, service: 'scheduler' }, signal, currentSession().key);
}

function apiRequest(action: string, body: object, service: ApiService): Request {
  return {
    method: 'POST',
    url: apiBase(),
    headers: {
      'Content-Type': service === 'AWSEvents' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0',
      'X-Amz-Target': `${service}.${action}`,
    },
    body: JSON.stringify(body),
    service: service === 'AWSEvents' ? 'events' : 'states',
  };
}

async function send<T>(request: Request, signal: AbortSignal | undefined, key: SigningKey | undefined): Promise<T> {
  const config = currentSession().config;
  const signing = config?.authRequired === true && key !== undefined;
  const headers = signing ? await signedHeaders(key, config.region, request.service, request) : request.headers;
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method, headers, ...(request.body !== undefined ? { body: request.body } : {}), ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new AwsApiError('NetworkError', `The Stepwise server could not be reached (${(error as Error).message}).`, 0);
  }
  try {
    return await answerOf<T>(response);
  } catch (error) {
    // Only the signed-in key's own refusal signs out (not a stale answer after a sign-out, nor the sign-in page's check).
    const signedIn: SignedInKey | undefined = currentSession().key;
    if (error instanceof AwsApiError && KEY_REFUSALS.has(error.name) && config?.authRequired && (key === undefined || key === signedIn)) {
      signOut(`${error.name}: ${error.message}`);
    }
    throw error;
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
  // A refusal by the key's policies reads as such: the message names the action and the resource.
  if (error instanceof AwsApiError && error.name === 'AccessDeniedException') return `Not allowed: ${error.message}`;
  if (error instanceof AwsApiError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
