/**
 * The HTTP shell of the API: `POST /` speaks AWS JSON 1.0 (protocol.ts), `GET /health` answers
 * `{"status":"ok"}`, and an `extraRoutes` hook can claim other requests (metrics, the console).
 *
 * It must survive any client: a body larger than the limit is refused with 413 as soon as that
 * is known (Content-Length, or while reading) and not read further; a body that does not arrive
 * completely within `limits.requestBodyTimeoutMs` is answered with 408; both close the
 * connection. A client that disconnects aborts the request's signal (GetActivityTask stops
 * waiting). Every response is JSON with an `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { AwsError } from './errors.js';
import { EVENTS_TARGET_PREFIX, handleEventsRequest } from './events-protocol.js';
import type { EventBus } from '../runtime/event-bus.js';
import { unknownOperation } from './aws-errors.js';
import { handleStepwiseRequest, STEPWISE_TARGET_PREFIX, type StepwiseActionsSource } from './stepwise-protocol.js';
import type { ApiContext } from './context.js';
import { errorResponse, handleRequest, requestTooLarge, responseHeaders, TARGET_PREFIX, type ApiResponse } from './protocol.js';
import { readBody } from './read-body.js';
import type { ApiAuth } from './authorize.js';
import { stripBasePath } from './base-path.js';

export interface ApiServerOptions {
  /**
   * Gets each request first (except `/health`); resolves true when it answered the request
   * itself, false to leave it to the API.
   */
  readonly extraRoutes?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;
  /** What Stepwise's own actions (`Stepwise.*`, stepwise-protocol.ts) report beyond the store. */
  readonly stepwise?: StepwiseActionsSource;
  /** The EventBridge event bus the AWSEvents actions reach (without it, only TestEventPattern is served). */
  readonly events?: EventBus;
  /**
   * Sees every request first, `/health` included (the access log); the API then fills the
   * request's RequestRecord with the action and the resource it names.
   */
  readonly onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /**
   * Refuses a request before anything else runs (src/server/request-guard.ts): answered with
   * AccessDeniedException and the message; undefined serves it.
   */
  readonly screen?: (req: http.IncomingMessage) => { readonly status: number; readonly message: string } | undefined;
  /** Serve HTTPS with this certificate chain and key (`setSecureContext()` replaces them later). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** With a keys file: every `POST /` is SigV4-verified and authorised by IAM policies (authorize.ts). */
  readonly auth?: ApiAuth;
  /** `--base-path`: serve everything under this prefix (`/stepwise`, no trailing slash) and 404 the rest (base-path.ts). */
  readonly basePath?: string;
}

/**
 * What the access log tells of a request beyond HTTP, filled by whoever learns it: the API (the
 * action, the resource it names), authentication (the access key id). Never a secret or a payload.
 */
export interface RequestRecord {
  keyId?: string;
  /** IAM's name for the action: `states:StartExecution`, `events:PutEvents`. */
  action?: string;
  /** The ARN (or, for a create, the name) the request is about. */
  resource?: string;
}

const records = new WeakMap<http.IncomingMessage, RequestRecord>();

/** The request's record (made on first use; it goes with the request). */
export function requestRecord(req: http.IncomingMessage): RequestRecord {
  let record = records.get(req);
  if (!record) records.set(req, (record = {}));
  return record;
}

export function createApiServer(ctx: ApiContext, options: ApiServerOptions = {}): http.Server | https.Server {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    options.onRequest?.(req, res);
    // Before the screen, so that it sees `/health` as such under a base path too.
    if (options.basePath !== undefined && outsideBasePath(req, res, options.basePath)) return;
    const refusal = options.screen?.(req);
    if (refusal) return refuse(res, errorResponse(new AwsError('AccessDeniedException', refusal.message, refusal.status), randomUUID()), req);
    serve(ctx, options, req, res).catch((error: unknown) => {
      ctx.log.error('request failed', { error: error instanceof Error ? error.stack ?? error.message : String(error) });
      if (!res.headersSent) send(res, errorResponse(new AwsError('InternalFailure', 'An internal error occurred.', 500), randomUUID()), true);
      else res.destroy();
    });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  // Node's own limit on receiving a request; ours (below) answers sooner and in JSON.
  server.requestTimeout = ctx.config.limits.requestBodyTimeoutMs + 5_000;
  server.headersTimeout = Math.min(60_000, server.requestTimeout);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/**
 * Takes the base path off the request, or answers it: a path outside is 404 (AWS's front door
 * answers an unknown path so, with UnknownOperationException), and a GET of the bare prefix is
 * redirected to `<prefix>/` so the console's relative URLs resolve under it.
 */
function outsideBasePath(req: http.IncomingMessage, res: http.ServerResponse, basePath: string): boolean {
  const bare = (req.url ?? '').split('?')[0] === basePath;
  if (stripBasePath(req, basePath) === 'outside') {
    refuse(res, errorResponse(new AwsError('UnknownOperationException', `Stepwise is served under ${basePath}/`, 404), randomUUID()), req);
    return true;
  }
  if (bare && (req.method === 'GET' || req.method === 'HEAD')) {
    req.resume();
    res.writeHead(301, { Location: `${basePath}/`, 'Content-Length': 0 });
    res.end();
    return true;
  }
  return false;
}

function send(res: http.ServerResponse, response: ApiResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...response.headers, 'Content-Length': Buffer.byteLength(response.body) };
  if (close) headers.Connection = 'close';
  res.writeHead(response.status, headers);
  res.end(response.body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, requestId: string): void {
  send(res, { status, body: JSON.stringify(body), headers: responseHeaders(requestId) });
}

async function serve(ctx: ApiContext, options: ApiServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const path = (req.url ?? '/').split('?')[0];

  if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    req.resume();
    return sendJson(res, 200, { status: 'ok' }, requestId);
  }
  if (options.extraRoutes && (await options.extraRoutes(req, res))) return;
  if (path !== '/' || req.method !== 'POST') {
    req.resume();
    return send(res, errorResponse(unknownOperation(), requestId));
  }
  if (options.onRequest) recordAction(requestRecord(req), req.headers['x-amz-target']);
  // Authenticated before the body is read: an unsigned or unknown client is answered at once.
  const gate = options.auth?.jsonApi(req, requestId);
  if (gate && !gate.ok) return refuse(res, gate.response, req);
  if (gate?.ok && options.onRequest) requestRecord(req).keyId = gate.keyId;

  const limit = ctx.config.limits.maxRequestBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return refuse(res, errorResponse(requestTooLarge(limit), requestId), req);

  const body = await readBody(req, limit, ctx.config.limits.requestBodyTimeoutMs);
  if (body === 'too-large') return refuse(res, errorResponse(requestTooLarge(limit), requestId), req);
  if (body === 'timeout') return void (send(res, errorResponse(new AwsError('RequestTimeout', 'The request body was not received in time', 408), requestId), true), res.on('finish', () => req.socket.destroy())); // stalled: nothing to drain
  if (body === 'aborted') return;
  const refusal = await gate?.complete(body);
  if (refusal) return send(res, refusal);

  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const target = req.headers['x-amz-target'];
  const action = Array.isArray(target) ? target[0] : target;
  if (options.onRequest) recordResource(requestRecord(req), body);
  if (action?.startsWith(EVENTS_TARGET_PREFIX)) return send(res, await handleEventsRequest(action, body, requestId, ctx, options.events));
  if (action?.startsWith(STEPWISE_TARGET_PREFIX)) {
    return send(res, await handleStepwiseRequest(ctx, options.stepwise ?? { httpTriggers: [], routeName: () => '' }, action, body, requestId, gate?.ok ? gate.key : undefined));
  }
  const response = await handleRequest(ctx, {
    target: action,
    body,
    headers: req.headers,
    signal: controller.signal,
    requestId,
  });
  send(res, response);
}

/**
 * Answers a request the server will not process, then closes the connection. The rest of the
 * body is read and discarded first (up to a few seconds): a client still sending when the
 * socket closes would see a reset instead of the answer.
 */
function refuse(res: http.ServerResponse, response: ApiResponse, req: http.IncomingMessage): void {
  const answer = () => {
    clearTimeout(timer);
    send(res, response, true);
    res.on('finish', () => req.socket.destroy());
  };
  const timer = setTimeout(answer, 5000);
  if (req.complete || req.readableEnded) return answer();
  req.once('end', answer);
  req.once('error', answer);
  req.resume();
}

const IAM_PREFIXES: readonly (readonly [string, string])[] = [
  [TARGET_PREFIX, 'states:'],
  [EVENTS_TARGET_PREFIX, 'events:'],
  [STEPWISE_TARGET_PREFIX, 'stepwise:'],
];
/** Request fields that name what a request is about, in the order they are looked for. */
const RESOURCE_FIELDS = ['executionArn', 'stateMachineArn', 'activityArn', 'mapRunArn', 'stateMachineAliasArn', 'stateMachineVersionArn', 'resourceArn', 'Arn', 'Name', 'name'];

/** Notes the action an API call names (for the access log), before anything may refuse it. */
function recordAction(record: RequestRecord, header: string | string[] | undefined): void {
  const target = Array.isArray(header) ? header[0] : header;
  if (target === undefined) return;
  const prefix = IAM_PREFIXES.find(([wire]) => target.startsWith(wire));
  record.action = prefix ? prefix[1] + target.slice(prefix[0].length, prefix[0].length + 128) : target.slice(0, 128);
}

/** Notes the resource an API call is about (only when someone logs requests: it parses the body again). */
function recordResource(record: RequestRecord, body: Buffer): void {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return;
  }
  if (input === null || typeof input !== 'object') return;
  for (const field of RESOURCE_FIELDS) {
    const value = (input as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length <= 2048) {
      record.resource = value;
      return;
    }
  }
}
