/**
 * HTTP triggers (stepwise.config.json `httpTriggers`): a request to a configured method and path
 * starts an execution, as API Gateway's Step Functions integration does, so a webhook or a front
 * end needs no SDK. The answer is StartExecution's (`{executionArn, startDate}`), or, with
 * `wait`, StartSyncExecution's once the (EXPRESS) execution ends; errors are the API's own, with
 * its status codes. The execution goes through the API's action, so names, quotas, versions and
 * aliases are checked exactly as for a client.
 *
 * A trigger that faces the internet can require an API key (`x-api-key`, as API Gateway) or a
 * GitHub-style signature (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`); both
 * are compared in constant time, and a refusal says no more than API Gateway's `Forbidden`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpTriggerConfig } from '../config/types.js';
import type { ApiContext } from '../api/context.js';
import { handleRequest } from '../api/protocol.js';
import { readBody } from '../api/read-body.js';

interface CompiledTrigger {
  readonly trigger: HttpTriggerConfig;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

/** The request handler for the server's extra routes: true when it answered the request. */
export function httpTriggers(ctx: ApiContext, triggers: readonly HttpTriggerConfig[]): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const compiled = triggers.map(compile);
  return async (req, res) => {
    if (compiled.length === 0) return false;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const found = findTrigger(compiled, req.method ?? 'GET', url.pathname);
    if (!found) return false;
    const requestId = randomUUID();
    const { maxRequestBytes, requestBodyTimeoutMs } = ctx.config.limits;
    const declared = Number(req.headers['content-length']);
    const body = Number.isFinite(declared) && declared > maxRequestBytes ? 'too-large' : await readBody(req, maxRequestBytes, requestBodyTimeoutMs);
    if (body === 'too-large') {
      send(res, 413, { message: `Request body is larger than the limit of ${maxRequestBytes} bytes` }, requestId, true);
      return true;
    }
    if (body === 'timeout') {
      send(res, 408, { message: 'The request body was not received in time' }, requestId, true);
      return true;
    }
    if (body === 'aborted') return true;
    const { trigger, pathParameters } = found;
    if (!authorised(trigger, req, body)) {
      ctx.log.warn('HTTP trigger refused a request', { method: trigger.method, path: trigger.path, requestId });
      send(res, 403, { message: 'Forbidden' }, requestId);
      return true;
    }
    const input = inputOf(trigger, req, url, pathParameters, body);
    if (input === undefined) {
      send(res, 400, { message: 'The request body is not valid JSON.' }, requestId);
      return true;
    }
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const answer = await handleRequest(ctx, {
      target: `AWSStepFunctions.${trigger.wait ? 'StartSyncExecution' : 'StartExecution'}`,
      body: JSON.stringify({ stateMachineArn: stateMachineArnOf(ctx, trigger.stateMachine), input }),
      requestId,
      signal: abort.signal,
      startedBy: { type: 'route', name: routeName(trigger) },
    });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    return true;
  };
}

/** How an execution names the route that started it (and the console and `stepwise routes list` show it). */
export function routeName(trigger: HttpTriggerConfig): string {
  return `${trigger.method} ${trigger.path}`;
}

function compile(trigger: HttpTriggerConfig): CompiledTrigger {
  const params: string[] = [];
  const source = trigger.path
    .split('/')
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { trigger, pattern: new RegExp(`^${source}/?$`), params };
}

function findTrigger(compiled: readonly CompiledTrigger[], method: string, pathname: string): { trigger: HttpTriggerConfig; pathParameters: Record<string, string> } | undefined {
  for (const { trigger, pattern, params } of compiled) {
    if (trigger.method !== method) continue;
    const match = pattern.exec(pathname);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    params.forEach((name, i) => {
      try {
        pathParameters[name] = decodeURIComponent(match[i + 1]!);
      } catch {
        pathParameters[name] = match[i + 1]!;
      }
    });
    return { trigger, pathParameters };
  }
  return undefined;
}

function stateMachineArnOf(ctx: ApiContext, stateMachine: string): string {
  return stateMachine.startsWith('arn:') ? stateMachine : `arn:aws:states:${ctx.config.region}:${ctx.config.accountId}:stateMachine:${stateMachine}`;
}


function authorised(trigger: HttpTriggerConfig, req: IncomingMessage, body: Buffer): boolean {
  if (trigger.apiKey !== undefined && !sameText(header(req, 'x-api-key'), trigger.apiKey)) return false;
  if (trigger.hmac) {
    const expected = `sha256=${createHmac('sha256', trigger.hmac.secret).update(body).digest('hex')}`;
    if (!sameText(header(req, trigger.hmac.header.toLowerCase()), expected)) return false;
  }
  return true;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Constant-time comparison (a mismatch in length answers at once: lengths are not secret). */
function sameText(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The execution's input as JSON text; undefined when the body should be JSON and is not. */
function inputOf(trigger: HttpTriggerConfig, req: IncomingMessage, url: URL, pathParameters: Record<string, string>, body: Buffer): string | undefined {
  const text = body.toString('utf8');
  let parsed: unknown;
  if (text.trim() === '') parsed = {};
  else {
    try {
      parsed = JSON.parse(text);
    } catch {
      if (trigger.input === 'body') return undefined;
      parsed = text; // a form or plain text body, passed as it came
    }
  }
  if (trigger.input === 'body') return JSON.stringify(parsed);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    // Secrets of the trigger itself stay out of the execution's input (and its history).
    if (name === 'x-api-key' || name === 'authorization' || (trigger.hmac && name === trigger.hmac.header.toLowerCase())) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return JSON.stringify({
    body: parsed,
    headers,
    queryStringParameters: Object.fromEntries(url.searchParams),
    pathParameters,
    httpMethod: req.method,
    path: url.pathname,
  });
}

function send(res: ServerResponse, status: number, body: unknown, requestId: string, close = false): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId, ...(close ? { Connection: 'close' } : {}) });
  res.end(JSON.stringify(body));
}
