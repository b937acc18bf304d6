/**
 * A `Url` function: the event is POSTed as JSON to the URL, within the function's Timeout; the
 * response body is the result. The request carries the headers Lambda's Runtime API gives a
 * runtime with each event (Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
 * -Invoked-Function-Arn), so a server written against it finds what it expects.
 *
 * Choices (Lambda has no such functions):
 * - 2xx: the body parsed as JSON (empty: null; not JSON: `Runtime.InvalidResponse`);
 * - another status: a body that is Lambda's error document ({errorType, errorMessage,
 *   trace|stackTrace}) is that error, as a function behind the URL means it; otherwise
 *   `Url.HttpStatus<code>` (e.g. `Url.HttpStatus500`) with the status and the body's start;
 * - no answer (refused, reset, DNS): `Url.NetworkError` with the reason;
 * - Timeout: Lambda's `Sandbox.Timedout`; a body beyond 6 MB: `Function.ResponseSizeTooLarge`.
 */
import { aborted, functionFailure, MAX_RESPONSE_BYTES, responseTooLarge, timedOut } from './lambda-errors.js';
import type { FunctionResult } from './types.js';

export interface UrlCall {
  readonly url: string;
  readonly requestId: string;
  readonly eventJson: string;
  readonly invokedFunctionArn: string;
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
}

class BodyTooLarge extends Error {}

async function readBody(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { value: unknown } | undefined {
  if (text.trim() === '') return { value: null };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function excerpt(text: string, max = 1_000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The error a non-2xx answer means. */
export function httpFailure(url: string, status: number, body: string): FunctionResult {
  const parsed = parseJson(body)?.value as Record<string, unknown> | null | undefined;
  if (typeof parsed === 'object' && parsed !== null && typeof parsed.errorType === 'string') {
    const stack = Array.isArray(parsed.trace) ? parsed.trace : Array.isArray(parsed.stackTrace) ? parsed.stackTrace : undefined;
    return functionFailure(parsed.errorType, typeof parsed.errorMessage === 'string' ? parsed.errorMessage : '', stack?.map(String));
  }
  return functionFailure(`Url.HttpStatus${status}`, `POST ${url} answered HTTP ${status}${body.trim() ? `: ${excerpt(body.trim())}` : ''}`);
}

function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.message === 'string') return typeof cause.code === 'string' && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message;
  return e instanceof Error ? e.message : String(e);
}

export async function callUrl(call: UrlCall): Promise<FunctionResult> {
  if (call.signal?.aborted) return aborted(call.requestId);
  const timeoutMs = Math.ceil(call.timeoutSeconds * 1000);
  // One signal for fetch, stopped by the Timeout or by the caller (AbortSignal.any is Node 20.3+).
  const stop = new AbortController();
  let timedOutNow = false;
  const timer = setTimeout(() => {
    timedOutNow = true;
    stop.abort();
  }, timeoutMs);
  const onAbort = (): void => stop.abort();
  call.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = stop.signal;
  try {
    const response = await fetch(call.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': call.requestId,
        'Lambda-Runtime-Deadline-Ms': String(Date.now() + timeoutMs),
        'Lambda-Runtime-Invoked-Function-Arn': call.invokedFunctionArn,
      },
      body: call.eventJson,
      signal,
    });
    const body = await readBody(response);
    if (response.status < 200 || response.status > 299) return httpFailure(call.url, response.status, body);
    const parsed = parseJson(body);
    if (parsed !== undefined) return { ok: true, payload: parsed.value };
    return functionFailure('Runtime.InvalidResponse', `RequestId: ${call.requestId} Error: POST ${call.url} answered a body that is not JSON: ${excerpt(body.trim(), 200)}`);
  } catch (e) {
    if (e instanceof BodyTooLarge) return responseTooLarge();
    if (call.signal?.aborted) return aborted(call.requestId);
    if (timedOutNow) return timedOut(call.requestId, call.timeoutSeconds);
    return functionFailure('Url.NetworkError', `POST ${call.url} failed: ${networkReason(e)}`);
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onAbort);
  }
}
