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
import { AwsError } from './errors.js';
import { EVENTS_TARGET_PREFIX, handleEventsRequest } from './events-protocol.js';
import type { EventBus } from '../runtime/event-bus.js';
import { unknownOperation } from './aws-errors.js';
import { handleStepwiseRequest, STEPWISE_TARGET_PREFIX, type StepwiseActionsSource } from './stepwise-protocol.js';
import type { ApiContext } from './context.js';
import { errorResponse, handleRequest, requestTooLarge, responseHeaders, type ApiResponse } from './protocol.js';
import { readBody } from './read-body.js';

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
}

export function createApiServer(ctx: ApiContext, options: ApiServerOptions = {}): http.Server {
  const server = http.createServer((req, res) => {
    serve(ctx, options, req, res).catch((error: unknown) => {
      ctx.log.error('request failed', { error: error instanceof Error ? error.stack ?? error.message : String(error) });
      if (!res.headersSent) send(res, errorResponse(new AwsError('InternalFailure', 'An internal error occurred.', 500), randomUUID()), true);
      else res.destroy();
    });
  });
  // Node's own limit on receiving a request; ours (below) answers sooner and in JSON.
  server.requestTimeout = ctx.config.limits.requestBodyTimeoutMs + 5_000;
  server.headersTimeout = Math.min(60_000, server.requestTimeout);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
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

  const limit = ctx.config.limits.maxRequestBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return refuse(res, errorResponse(requestTooLarge(limit), requestId), req);

  const body = await readBody(req, limit, ctx.config.limits.requestBodyTimeoutMs);
  if (body === 'too-large') return refuse(res, errorResponse(requestTooLarge(limit), requestId), req);
  if (body === 'timeout') return void (send(res, errorResponse(new AwsError('RequestTimeout', 'The request body was not received in time', 408), requestId), true), res.on('finish', () => req.socket.destroy())); // stalled: nothing to drain
  if (body === 'aborted') return;

  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const target = req.headers['x-amz-target'];
  const action = Array.isArray(target) ? target[0] : target;
  if (action?.startsWith(EVENTS_TARGET_PREFIX)) return send(res, await handleEventsRequest(action, body, requestId, ctx, options.events));
  if (action?.startsWith(STEPWISE_TARGET_PREFIX)) {
    return send(res, await handleStepwiseRequest(ctx, options.stepwise ?? { httpTriggers: [], routeName: () => '' }, action, body, requestId));
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
