/**
 * The AWS JSON 1.0 protocol of Step Functions, independent of HTTP: a request is an action name
 * (`X-Amz-Target: AWSStepFunctions.<Action>`) and a JSON object; the answer is a status and a
 * JSON body. `server.ts` puts this on `node:http`; tests call it directly.
 *
 * Failures before an action runs, as AWS's request framework reports them:
 * - no target, another service's target or an unknown action: UnknownOperationException (400);
 * - an action whose token bucket is empty (throttling.ts): ThrottlingException (400);
 * - a body over the size limit: 413;
 * - a body that is not UTF-8, not JSON or not a JSON object: SerializationException (400);
 * - then the action's input model (input.ts), then the action itself.
 * Anything unexpected is logged and answered with InternalFailure (500).
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from './errors.js';
import { errorBody, internalFailure, serialization, unknownOperation } from './aws-errors.js';
import type { ApiContext } from './context.js';
import { readInput } from './input.js';
import { throttle } from './throttling.js';
import { operations } from './operations/index.js';
import { toJson } from './wire.js';
import type { StartedBy } from '../store/types.js';

export const TARGET_PREFIX = 'AWSStepFunctions.';
export const CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface ApiRequest {
  /** The X-Amz-Target header. */
  readonly target: string | undefined;
  readonly body: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Aborted when the client goes away. */
  readonly signal?: AbortSignal;
  readonly requestId?: string;
  /** Set by the server's own triggers (an HTTP route): what starts the execution, when the action starts one. */
  readonly startedBy?: StartedBy;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const never = new AbortController().signal;

export function responseHeaders(requestId: string): Record<string, string> {
  return { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId };
}

export function errorResponse(error: AwsError, requestId: string): ApiResponse {
  return { status: error.statusCode, body: toJson(errorBody(error)), headers: { ...responseHeaders(requestId), 'x-amzn-ErrorType': error.type } };
}

/** The action name a target names, or undefined for anything that is not a Step Functions action. */
export function actionOf(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith(TARGET_PREFIX)) return undefined;
  const action = target.slice(TARGET_PREFIX.length);
  return Object.prototype.hasOwnProperty.call(operations, action) ? action : undefined;
}

function parseBody(body: Uint8Array | string): Record<string, unknown> {
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    throw serialization('Invalid UTF-8 in request body');
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw serialization('Malformed JSON in request body');
  }
  if (Array.isArray(value)) throw serialization('Start of list found where not expected');
  if (value === null || typeof value !== 'object') throw serialization('Request body must be a JSON object');
  return value as Record<string, unknown>;
}

export async function handleRequest(ctx: ApiContext, request: ApiRequest): Promise<ApiResponse> {
  const requestId = request.requestId ?? randomUUID();
  const action = actionOf(request.target);
  try {
    if (action === undefined) throw unknownOperation();
    throttle(ctx, action);
    const size = typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.byteLength;
    if (size > ctx.config.limits.maxRequestBytes) throw requestTooLarge(ctx.config.limits.maxRequestBytes);
    const body = parseBody(request.body);
    const op = operations[action]!;
    const shape = typeof op.input === 'function' ? op.input(ctx) : op.input;
    const input = readInput(body, shape);
    const result = await op.run(input, ctx, { requestId, signal: request.signal ?? never, ...(request.startedBy ? { startedBy: request.startedBy } : {}) });
    return { status: 200, body: toJson(result), headers: responseHeaders(requestId) };
  } catch (error) {
    if (error instanceof AwsError) return errorResponse(error, requestId);
    ctx.log.error('internal error', { action, requestId, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    return errorResponse(internalFailure(), requestId);
  }
}

/** AWS's front end refuses oversized bodies with 413 before the service sees them. */
export function requestTooLarge(limit: number): AwsError {
  return new AwsError('RequestEntityTooLarge', `Request body is larger than the limit of ${limit} bytes`, 413);
}
