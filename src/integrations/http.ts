/**
 * HTTP Task: `arn:aws:states:::http:invoke`, as Step Functions runs it ("Call HTTPS APIs in
 * Step Functions workflows", docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html).
 *
 * The request: ApiEndpoint and Method (GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD), Headers,
 * QueryParameters, RequestBody (serialized JSON, or URL-encoded form data with
 * `Transform.RequestBodyEncoding: URL_ENCODED` and `RequestEncodingOptions.ArrayFormat`
 * INDICES (default) | REPEAT | COMMAS | BRACKETS), and the EventBridge connection of
 * `Authentication.ConnectionArn` (or `InvocationConfig.ConnectionArn`), whose headers, query
 * and body parameters are merged in, the connection's values winning over the task's
 * (connections.ts). Step Functions sets `User-Agent: Amazon|StepFunctions|HttpInvoke|<region>`
 * and `Range: bytes=0-262144`, and `Content-Type: application/json; charset=UTF-8` for a body
 * when the task gives no content type (the request AWS's examples show).
 *
 * The result: `{Headers, ResponseBody, StatusCode, StatusText}`, header names lower-case with
 * their values in arrays, ResponseBody parsed when the response is JSON, else the text.
 *
 * Requests go through node:http(s) with keep-alive agents (an injected `fetch` may replace it),
 * each bounded in time (the whole exchange) and in memory (the body is read to the limit only).
 *
 * Errors, as AWS names them:
 * - a status outside 2xx: `States.Http.StatusCode.<code>`, cause the status text (AWS keeps
 *   neither the body nor the headers of a failed response);
 * - no answer within 60 seconds ("HTTP Task duration — time to send an HTTP request and
 *   receive a response: 60 seconds, hard quota"), or a network, DNS or TLS failure:
 *   `States.Http.Socket`;
 * - a header AWS does not allow, a missing or invalid field, a string RequestBody with
 *   connection body parameters, a response of content type application/octet-stream, image/*,
 *   video/* or audio/*, or a body that is not valid UTF-8 text: `States.Runtime`;
 * - a response body larger than `maxResponseBytes` (the 256 KiB payload quota):
 *   `States.DataLimitExceeded`; the body is not read past the limit;
 * - connection problems: `Events.ConnectionResource.*`.
 *
 * Chosen locally, where AWS differs or does not say:
 * - Authentication is optional (AWS requires a connection): without one, nothing is added.
 * - `http://` endpoints are allowed (AWS calls HTTPS APIs only), so local services can be called.
 * - Redirects are not followed: a 3xx fails as `States.Http.StatusCode.3xx` (connection
 *   credentials are never sent to another host).
 * - A RequestBody that is a string is sent as it is.
 * - QueryParameters arrays repeat their key (`a=1&a=2`), nested objects use brackets (`a[b]=1`):
 *   AWS documents ArrayFormat for request bodies only.
 * - A JSON content type whose body does not parse gives the text.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionConfig } from '../config/types.js';
import { Connections, errorDetail, truncate, type AuthorizationHeader, type Connection, type Transport, type TransportResponse } from './connections.js';
import { failure, type AfterCrash, type Integration, type IntegrationCall, type IntegrationOutcome } from './integration.js';

export interface HttpIntegrationOptions {
  readonly connections: Readonly<Record<string, ConnectionConfig>>;
  readonly region: string;
  readonly accountId: string;
  /**
   * Sends the requests through this fetch instead of node:http (which is the default: about
   * four times less CPU per request than Node's fetch, and it can send a GET body as AWS does).
   */
  readonly fetch?: typeof fetch;
  /** Largest response body read (default 256 KiB, Step Functions' payload quota). */
  readonly maxResponseBytes?: number;
  /** How long a request may take, from sending it to the end of the response (default 60 s, AWS's hard quota). */
  readonly timeoutMs?: number;
}

const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
const FIELDS = new Set(['ApiEndpoint', 'Method', 'Authentication', 'InvocationConfig', 'Headers', 'QueryParameters', 'Transform', 'RequestBody']);
const ARRAY_FORMATS = new Set(['INDICES', 'REPEAT', 'COMMAS', 'BRACKETS']);
type ArrayFormat = 'INDICES' | 'REPEAT' | 'COMMAS' | 'BRACKETS';

/** "You can't use the following headers in your HTTP Task definition" (call-https-apis.html), lower-case. */
const FORBIDDEN_HEADERS = new Set([
  'a-im', 'accept-charset', 'accept-datetime', 'accept-encoding', 'authorization', 'cache-control', 'connection',
  'content-encoding', 'content-md5', 'date', 'expect', 'forwarded', 'from', 'host', 'http2-settings', 'if-match',
  'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'max-forwards', 'origin', 'pragma',
  'proxy-authorization', 'referer', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'warning',
]);
const FORBIDDEN_HEADER_PREFIXES = ['x-forwarded-', 'x-amz-', 'x-amzn-'];
/** Set by Step Functions whatever the task says ("Step Functions sets the User-Agent, Range, and Host headers"). */
const STEP_FUNCTIONS_HEADERS = new Set(['user-agent', 'range', 'content-length']);
/** Hop-by-hop headers describe the local socket, not the API's answer (AWS's examples show none). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What a task asks for, validated. */
interface HttpRequestSpec {
  readonly url: URL;
  readonly method: string;
  readonly connectionArn: string | undefined;
  /** Lower-case name → value. */
  readonly headers: Record<string, string>;
  readonly query: string[];
  readonly queryKeys: string[];
  readonly body: unknown;
  readonly urlEncoded: boolean;
  readonly arrayFormat: ArrayFormat;
}

export function createHttpIntegration(options: HttpIntegrationOptions): Integration {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport();
  const connections = new Connections(options.connections, { send: transport.send, timeoutMs });
  const userAgent = `Amazon|StepFunctions|HttpInvoke|${options.region}`;
  const range = 'bytes=0-262144';
  const seconds = `${timeoutMs / 1000} second${timeoutMs === 1000 ? '' : 's'}`;

  async function call(call: IntegrationCall): Promise<IntegrationOutcome> {
    const spec = parseRequest(call.parameters);
    if ('error' in spec) return spec;

    let connection: Connection | undefined;
    if (spec.connectionArn !== undefined) {
      const resolved = connections.resolve(spec.connectionArn);
      if (!('authorize' in resolved)) return resolved;
      connection = resolved;
    }

    const request = buildRequest(spec, connection);
    if ('error' in request) return request;
    const { headers } = request;
    headers['user-agent'] = userAgent;
    headers.range = range;

    // Where messages name the request: never the query string (connection parameters may be secret).
    const target = `${spec.method} ${spec.url.origin}${spec.url.pathname}`;
    if (call.signal.aborted) return cancelledOutcome();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCancel = () => controller.abort();
    call.signal.addEventListener('abort', onCancel, { once: true });
    const stopped = (): IntegrationOutcome =>
      timedOut ? failure('States.Http.Socket', `The HTTP request ${target} did not complete within ${seconds} (the HTTP Task's limit).`) : cancelledOutcome();

    try {
      let authorization: AuthorizationHeader | undefined;
      if (connection) {
        const auth = await connection.authorize(controller.signal);
        if (!auth.ok) return controller.signal.aborted ? stopped() : auth;
        authorization = auth;
        headers[auth.name] = auth.value;
      }

      let response: TransportResponse;
      try {
        response = await transport.send({ url: request.url, method: spec.method, headers, body: request.body, signal: controller.signal });
      } catch (e) {
        if (controller.signal.aborted) return stopped();
        return failure('States.Http.Socket', `The HTTP request ${target} failed: ${errorDetail(e)}`);
      }

      const status = response.status;
      if (status < 200 || status > 299) {
        if (authorization && (status === 401 || status === 407)) connection!.rejected(authorization);
        // Read (a bounded amount of) the body so the connection can be reused; it is not kept.
        await response.read(maxResponseBytes).catch(() => undefined);
        return failure(`States.Http.StatusCode.${status}`, statusText(response));
      }

      const mediaType = (response.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (unsupportedMediaType(mediaType)) {
        response.discard();
        return failure('States.Runtime', `The HTTP Task does not support responses of content type '${truncate(mediaType, 100)}' (application/octet-stream, image/*, video/* and audio/* are not read).`);
      }

      let bytes: Buffer | undefined;
      try {
        bytes = await response.read(maxResponseBytes);
      } catch (e) {
        if (controller.signal.aborted) return stopped();
        return failure('States.Http.Socket', `The HTTP response of ${target} could not be read: ${errorDetail(e)}`);
      }
      if (bytes === undefined) {
        return failure(
          'States.DataLimitExceeded',
          `The HTTP response body of ${target} is larger than ${maxResponseBytes} bytes, the most a task result can hold (Step Functions' payload quota is 256 KiB).`,
        );
      }
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        return failure('States.Runtime', `The HTTP response body of ${target} is not valid UTF-8 text (the HTTP Task reads text responses only).`);
      }

      return {
        ok: true,
        output: {
          Headers: responseHeaders(response),
          ResponseBody: isJson(mediaType) ? parseJsonOr(text) : text,
          StatusCode: status,
          StatusText: statusText(response),
        },
      };
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onCancel);
    }
  }

  return {
    name: 'http',
    handles: ({ service, action, pattern }) => service === 'http' && action === 'invoke' && pattern === 'request-response',
    call,
    afterCrash: (): AfterCrash => ({
      // An HTTP request is not safe to send twice (POST, PATCH…): at most once, unless the
      // definition's Retry (States.Http.Socket, or States.ALL) says to send it again.
      error: 'States.Http.Socket',
      cause: 'The HTTP request was in flight when Stepwise stopped; it was not sent again, as its answer is unknown and a request may not be safe to repeat. A Retry on States.Http.Socket (or States.ALL) sends it again.',
    }),
    close: async () => transport.close(),
  };
}

function cancelledOutcome(): IntegrationOutcome {
  return failure('States.Http.Socket', 'The HTTP request was cancelled: the task ended (TimeoutSeconds, a failed branch or the end of the execution).');
}

function runtime(cause: string): IntegrationOutcome & { readonly error: string } {
  return { ok: false, error: 'States.Runtime', cause };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Validates the task's parameters (States.Runtime for what AWS would refuse). */
function parseRequest(parameters: unknown): HttpRequestSpec | (IntegrationOutcome & { readonly error: string }) {
  if (!isObject(parameters)) return runtime('The HTTP Task needs Parameters (or Arguments) with ApiEndpoint and Method.');
  for (const key of Object.keys(parameters)) {
    if (!FIELDS.has(key)) return runtime(`The HTTP Task does not support the field '${truncate(key, 100)}' (supported: ${[...FIELDS].join(', ')}).`);
  }

  const endpoint = parameters.ApiEndpoint;
  if (typeof endpoint !== 'string' || endpoint === '') return runtime('The HTTP Task needs ApiEndpoint: the URL of the API to call.');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return runtime(`ApiEndpoint '${truncate(endpoint, 300)}' is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return runtime(`ApiEndpoint '${truncate(endpoint, 300)}' is not an https:// (or, locally, http://) URL.`);
  if (url.username || url.password) return runtime('ApiEndpoint must not hold credentials: give them in the EventBridge connection.');
  url.hash = '';

  const method = parameters.Method;
  if (typeof method !== 'string' || !METHODS.has(method)) {
    return runtime(`The HTTP Task's Method must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD${typeof method === 'string' ? `, not '${truncate(method, 50)}'` : ''}.`);
  }

  let connectionArn: string | undefined;
  for (const field of ['Authentication', 'InvocationConfig'] as const) {
    const value = parameters[field];
    if (value === undefined) continue;
    if (!isObject(value) || typeof value.ConnectionArn !== 'string') return runtime(`${field} must be an object with a ConnectionArn (an EventBridge connection ARN).`);
    if (connectionArn !== undefined && connectionArn !== value.ConnectionArn) return runtime('Authentication and InvocationConfig name different connections: give one of them.');
    connectionArn = value.ConnectionArn;
  }

  const headers: Record<string, string> = {};
  const given = parameters.Headers;
  if (given !== undefined) {
    if (!isObject(given)) return runtime('Headers must be a JSON object of header names and values.');
    for (const name of Object.keys(given)) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name)) return runtime(`'${truncate(name, 100)}' is not a valid HTTP header name.`);
      if (FORBIDDEN_HEADERS.has(lower) || FORBIDDEN_HEADER_PREFIXES.some((p) => lower.startsWith(p))) {
        return runtime(`The HTTP Task does not allow the header '${name}' in its definition (give credentials in the EventBridge connection).`);
      }
      const value = headerValue(given[name]);
      if (value === undefined) return runtime(`The value of the header '${name}' must be a string, a number or a boolean, without line breaks.`);
      if (!STEP_FUNCTIONS_HEADERS.has(lower)) headers[lower] = value;
    }
  }

  const query: string[] = [];
  const queryKeys: string[] = [];
  const queryError = addQueryParameters(parameters.QueryParameters, query, queryKeys);
  if (queryError) return runtime(queryError);

  let urlEncoded = false;
  let arrayFormat: ArrayFormat = 'INDICES';
  const transform = parameters.Transform;
  if (transform !== undefined) {
    if (!isObject(transform)) return runtime('Transform must be an object with RequestBodyEncoding (NONE or URL_ENCODED) and RequestEncodingOptions.');
    const encoding = transform.RequestBodyEncoding ?? 'NONE';
    if (encoding !== 'NONE' && encoding !== 'URL_ENCODED') return runtime('Transform.RequestBodyEncoding must be NONE or URL_ENCODED.');
    urlEncoded = encoding === 'URL_ENCODED';
    const options = transform.RequestEncodingOptions;
    if (options !== undefined) {
      if (!isObject(options)) return runtime('Transform.RequestEncodingOptions must be an object with ArrayFormat.');
      const format = options.ArrayFormat ?? 'INDICES';
      if (typeof format !== 'string' || !ARRAY_FORMATS.has(format)) return runtime('Transform.RequestEncodingOptions.ArrayFormat must be INDICES, REPEAT, COMMAS or BRACKETS.');
      arrayFormat = format as ArrayFormat;
    }
  }

  return { url, method, connectionArn, headers, query, queryKeys, body: parameters.RequestBody, urlEncoded, arrayFormat };
}

function headerValue(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  return text !== undefined && HEADER_VALUE.test(text) ? text : undefined;
}

/**
 * QueryParameters as a JSON object (or an array of them, or a query string), URL-encoded in
 * `out`; `keys` gets the top-level key of each pair (so a connection's parameter can replace it).
 */
function addQueryParameters(value: unknown, out: string[], keys: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    for (const [k, v] of new URLSearchParams(value.startsWith('?') ? value.slice(1) : value)) {
      out.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
      keys.push(k);
    }
    return undefined;
  }
  const objects = Array.isArray(value) ? value : [value];
  for (const object of objects) {
    if (!isObject(object)) return 'QueryParameters must be a JSON object of names and values (or a query string).';
    for (const key of Object.keys(object)) {
      const before = out.length;
      encodeField(key, object[key], 'REPEAT', out);
      for (let i = before; i < out.length; i++) keys.push(key);
    }
  }
  return undefined;
}

/** The URL, headers and body of the request: the task's, with the connection's merged in (its values win). */
function buildRequest(spec: HttpRequestSpec, connection: Connection | undefined): { url: string; headers: Record<string, string>; body: string | undefined } | (IntegrationOutcome & { readonly error: string }) {
  const { headers } = spec;
  let query = spec.query;
  let body = spec.body;

  if (connection) {
    for (const [name, value] of connection.headers) headers[name] = value;
    if (connection.query.length > 0) {
      const replaced = new Set(connection.query.map(([k]) => k));
      query = query.filter((_, i) => !replaced.has(spec.queryKeys[i]!));
      for (const [k, v] of connection.query) query.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    }
    if (connection.body) {
      if (typeof body === 'string') {
        return runtime('The RequestBody is a string and the connection has body parameters: they cannot be merged (give RequestBody as a JSON object).');
      }
      if (body !== undefined && body !== null && !isObject(body)) {
        return runtime('The RequestBody is not a JSON object and the connection has body parameters: they cannot be merged.');
      }
      // Spreading defines own properties: keys such as "__proto__" stay keys.
      body = { ...(body as Record<string, unknown> | null | undefined), ...connection.body };
    }
  }

  let url = spec.url.href;
  if (query.length > 0) url += `${spec.url.search ? '&' : '?'}${query.join('&')}`;

  if (body === undefined) return { url, headers, body: undefined };

  let text: string;
  if (spec.urlEncoded && isObject(body)) {
    const pairs: string[] = [];
    for (const key of Object.keys(body)) encodeField(key, body[key], spec.arrayFormat, pairs);
    text = pairs.join('&');
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (typeof body === 'string') {
    text = body;
  } else if (spec.urlEncoded) {
    return runtime('With Transform.RequestBodyEncoding URL_ENCODED, the RequestBody must be a JSON object (or an already encoded string).');
  } else {
    text = JSON.stringify(body);
  }
  headers['content-type'] ??= 'application/json; charset=UTF-8';
  return { url, headers, body: text };
}

/**
 * Adds `key`'s value as URL-encoded pairs, as Step Functions encodes a URL_ENCODED body:
 * objects as `key[field]`, arrays by `format` (INDICES `key[0]=a`, BRACKETS `key[]=a`,
 * REPEAT `key=a&key=b`, COMMAS `key=a,b`), null as `key=`.
 */
function encodeField(key: string, value: unknown, format: ArrayFormat, out: string[]): void {
  if (Array.isArray(value)) {
    if (format === 'COMMAS' && value.every((v) => !isObject(v) && !Array.isArray(v))) {
      if (value.length > 0) out.push(`${encodeURIComponent(key)}=${value.map(scalarText).map(encodeURIComponent).join(',')}`);
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const itemKey = format === 'INDICES' ? `${key}[${i}]` : format === 'BRACKETS' ? `${key}[]` : key;
      encodeField(itemKey, value[i], format, out);
    }
    return;
  }
  if (isObject(value)) {
    for (const field of Object.keys(value)) encodeField(`${key}[${field}]`, value[field], format, out);
    return;
  }
  out.push(`${encodeURIComponent(key)}=${encodeURIComponent(scalarText(value))}`);
}

function scalarText(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

function unsupportedMediaType(mediaType: string): boolean {
  return mediaType === 'application/octet-stream' || mediaType.startsWith('image/') || mediaType.startsWith('video/') || mediaType.startsWith('audio/');
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function parseJsonOr(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function statusText(response: TransportResponse): string {
  return response.statusText || http.STATUS_CODES[response.status] || '';
}

/** Header names lower-case, each with its values in an array (as AWS's results show them). */
function responseHeaders(response: TransportResponse): Record<string, string[]> {
  const headers = response.headers();
  for (const name of HOP_BY_HOP) headers.delete(name);
  // fromEntries defines own properties: a header named "__proto__" stays a header.
  return Object.fromEntries(headers);
}

/** How requests are sent: node:http(s) with keep-alive (default), or an injected fetch. */
interface HttpTransport {
  readonly send: Transport;
  close(): void;
}

/**
 * node:http and node:https with keep-alive agents. Sends the request as built (a GET may carry
 * a body, as on AWS), adds no header of its own but Host, Content-Length (or chunked encoding)
 * and Connection, follows no redirect and does not decompress (the task may not send
 * Accept-Encoding, so servers answer identity).
 */
function nodeTransport(): HttpTransport {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const send: Transport = (request) =>
    new Promise((resolve, reject) => {
      const secure = request.url.startsWith('https:');
      // Node frames a GET/DELETE/OPTIONS body only with an explicit Content-Length.
      if (request.body !== undefined) request.headers['content-length'] = String(Buffer.byteLength(request.body));
      const options = { method: request.method, headers: request.headers, signal: request.signal, agent: secure ? agents.https : agents.http };
      const req = (secure ? https : http).request(request.url, options, (res) => resolve(new NodeResponse(res)));
      req.on('error', reject);
      req.end(request.body);
    });
  return {
    send,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

class NodeResponse implements TransportResponse {
  readonly status: number;
  readonly statusText: string;

  constructor(private readonly res: http.IncomingMessage) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
  }

  header(name: string): string | undefined {
    const value = this.res.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  headers(): Map<string, string[]> {
    // rawHeaders keeps every occurrence of a repeated header, each its own value.
    const raw = this.res.rawHeaders;
    const headers = new Map<string, string[]>();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const values = headers.get(name);
      if (values) values.push(raw[i + 1]!);
      else headers.set(name, [raw[i + 1]!]);
    }
    return headers;
  }

  read(limit: number): Promise<Buffer | undefined> {
    const res = this.res;
    if (Number(res.headers['content-length']) > limit) {
      res.destroy();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        res.off('data', onData);
        finish();
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          settle(() => resolve(undefined));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      };
      res.on('data', onData);
      res.once('end', () => settle(() => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))));
      res.once('error', (e) => settle(() => reject(e)));
      res.once('close', () => settle(() => reject(new Error('the connection closed before the response ended'))));
    });
  }

  discard(): void {
    this.res.destroy();
  }
}

/**
 * An injected fetch (Node's, or one with a proxy dispatcher). It cannot send a body with GET or
 * HEAD, so those go without one; it adds headers of its own (accept, accept-language,
 * sec-fetch-mode, accept-encoding) and decompresses.
 */
function fetchTransport(fetchFn: typeof fetch): HttpTransport {
  const send: Transport = async (request) => {
    const withBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
    const response = await fetchFn(request.url, {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      signal: request.signal,
      ...(withBody ? { body: request.body } : {}),
    });
    return new FetchResponse(response);
  };
  return { send, close: () => {} };
}

class FetchResponse implements TransportResponse {
  readonly status: number;
  readonly statusText: string;

  constructor(private readonly response: Response) {
    this.status = response.status;
    this.statusText = response.statusText;
  }

  header(name: string): string | undefined {
    return this.response.headers.get(name) ?? undefined;
  }

  headers(): Map<string, string[]> {
    const headers = new Map<string, string[]>();
    // Headers gives set-cookie once per cookie, other repeated headers joined with ", ".
    this.response.headers.forEach((value, name) => {
      const values = headers.get(name);
      if (values) values.push(value);
      else headers.set(name, [value]);
    });
    return headers;
  }

  async read(limit: number): Promise<Buffer | undefined> {
    const body = this.response.body;
    if (!body) return Buffer.alloc(0);
    if (Number(this.response.headers.get('content-length')) > limit) {
      await body.cancel().catch(() => {});
      return undefined;
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks, size);
  }

  discard(): void {
    void this.response.body?.cancel().catch(() => {});
  }
}
