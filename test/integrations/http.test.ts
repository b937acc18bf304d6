/**
 * The HTTP Task integration (arn:aws:states:::http:invoke) against real local HTTP servers:
 * request building (headers, query, JSON and URL-encoded bodies, connection parameters), the
 * result and error shapes, the time and size limits, cancellation, and EventBridge connection
 * authorization (API_KEY, BASIC, OAuth client credentials with its token cache).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/config/types.js';
import { createHttpIntegration, type HttpIntegrationOptions } from '../../src/integrations/http.js';
import type { Integration, IntegrationOutcome } from '../../src/integrations/integration.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface TestServer {
  readonly url: string;
  readonly received: Received[];
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(handler: Handler): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** A port nothing listens on (a server was there a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function integration(options: Partial<HttpIntegrationOptions> = {}): Integration {
  return createHttpIntegration({ connections: {}, region: 'eu-west-3', accountId: '123456789012', ...options });
}

function invoke(http: Integration, parameters: unknown, signal: AbortSignal = new AbortController().signal): Promise<IntegrationOutcome> {
  return http.call({
    resource: { kind: 'service', arn: 'arn:aws:states:::http:invoke', service: 'http', action: 'invoke', pattern: 'request-response', region: 'eu-west-3' },
    service: 'http',
    action: 'invoke',
    pattern: 'request-response',
    parameters,
    stateName: 'Call API',
    executionArn: 'arn:aws:states:eu-west-3:123456789012:execution:machine:run',
    context: {},
    signal,
    requestId: 'request-1',
  });
}

function connectionArn(name: string, id = '81210c42-8af1-456b-9c4a-6ff02fc664ac'): string {
  return `arn:aws:events:eu-west-3:123456789012:connection/${name}/${id}`;
}

function expectFailure(outcome: IntegrationOutcome, error: string, cause?: RegExp): void {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.error).toBe(error);
  if (cause) expect(outcome.cause).toMatch(cause);
}

function output(outcome: IntegrationOutcome): { Headers: Record<string, string[]>; ResponseBody: unknown; StatusCode: number; StatusText: string } {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error}: ${outcome.cause}`);
  return outcome.output as never;
}

describe('HTTP Task: requests and results', () => {
  it('answers a JSON response with Headers (lower-case names, array values), parsed ResponseBody, StatusCode and StatusText', async () => {
    const api = await serve((_req, res) => json(res, 200, { id: 7, tags: ['a'] }, { 'x-request-id': 'abc', 'set-cookie': ['a=1', 'b=2'] }));
    const result = output(await invoke(integration(), { ApiEndpoint: `${api.url}/v1/customers`, Method: 'POST', RequestBody: { name: 'Jane', n: 2 } }));

    expect(result.StatusCode).toBe(200);
    expect(result.StatusText).toBe('OK');
    expect(result.ResponseBody).toEqual({ id: 7, tags: ['a'] });
    expect(result.Headers['content-type']).toEqual(['application/json']);
    expect(result.Headers['x-request-id']).toEqual(['abc']);
    expect(result.Headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(result.Headers.connection).toBeUndefined();
    expect(Object.keys(output(await invoke(integration(), { ApiEndpoint: api.url, Method: 'GET' })))).toEqual(['Headers', 'ResponseBody', 'StatusCode', 'StatusText']);

    const [request] = api.received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/v1/customers');
    expect(JSON.parse(request!.body)).toEqual({ name: 'Jane', n: 2 });
    expect(request!.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(request!.headers['user-agent']).toBe('Amazon|StepFunctions|HttpInvoke|eu-west-3');
    expect(request!.headers.range).toBe('bytes=0-262144');
  });

  it('answers a text response as a string, an empty one as "", and the status text of a 2xx other than 200', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('héllo {"not":"parsed"}');
      } else if (req.url === '/created') {
        res.writeHead(201, 'Made It', { 'content-type': 'text/html' });
        res.end('<p>ok</p>');
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    const http = integration();
    const text = output(await invoke(http, { ApiEndpoint: `${api.url}/text`, Method: 'GET' }));
    expect(text.ResponseBody).toBe('héllo {"not":"parsed"}');
    const created = output(await invoke(http, { ApiEndpoint: `${api.url}/created`, Method: 'PUT', RequestBody: 'raw text body' }));
    expect(created).toMatchObject({ StatusCode: 201, StatusText: 'Made It', ResponseBody: '<p>ok</p>' });
    expect(api.received[1]!.body).toBe('raw text body');
    const empty = output(await invoke(http, { ApiEndpoint: `${api.url}/none`, Method: 'DELETE' }));
    expect(empty).toMatchObject({ StatusCode: 204, StatusText: 'No Content', ResponseBody: '' });
    const head = output(await invoke(http, { ApiEndpoint: `${api.url}/text`, Method: 'HEAD' }));
    expect(head).toMatchObject({ StatusCode: 200, ResponseBody: '' });
  });

  it('sends the task Headers and QueryParameters (URL-encoded, appended to the query of ApiEndpoint, arrays repeated)', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const http = integration();
    await invoke(http, {
      ApiEndpoint: `${api.url}/search?fixed=1`,
      Method: 'GET',
      Headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc', 'X-Count': 3 },
      QueryParameters: { currency: 'usd', q: 'a b&c', limit: 10, ids: ['x', 'y'], filter: { status: 'open' } },
    });
    await invoke(http, { ApiEndpoint: `${api.url}/search`, Method: 'GET', QueryParameters: 'a=1&b=two%20words' });

    expect(api.received[0]!.url).toBe('/search?fixed=1&currency=usd&q=a%20b%26c&limit=10&ids=x&ids=y&filter%5Bstatus%5D=open');
    expect(api.received[0]!.headers['x-trace']).toBe('abc');
    expect(api.received[0]!.headers['x-count']).toBe('3');
    expect(api.received[0]!.body).toBe('');
    expect(api.received[1]!.url).toBe('/search?a=1&b=two%20words');
  });

  it.each([
    ['INDICES', 'array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c'],
    ['REPEAT', 'array=a&array=b&array=c'],
    ['COMMAS', 'array=a,b,c'],
    ['BRACKETS', 'array%5B%5D=a&array%5B%5D=b&array%5B%5D=c'],
  ])('URL-encodes the RequestBody with ArrayFormat %s', async (format, encodedArray) => {
    const api = await serve((_req, res) => json(res, 200, {}));
    await invoke(integration(), {
      ApiEndpoint: api.url,
      Method: 'POST',
      Headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      RequestBody: { customer: 'cus 1', array: ['a', 'b', 'c'], metadata: { order_details: 'monthly report data' } },
      Transform: { RequestBodyEncoding: 'URL_ENCODED', RequestEncodingOptions: { ArrayFormat: format } },
    });
    const [request] = api.received;
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.body).toBe(`customer=cus%201&${encodedArray}&metadata%5Border_details%5D=monthly%20report%20data`);
  });

  it('uses INDICES when URL_ENCODED gives no ArrayFormat, and sends JSON with RequestBodyEncoding NONE', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const http = integration();
    await invoke(http, { ApiEndpoint: api.url, Method: 'PATCH', RequestBody: { a: [1, true, null] }, Transform: { RequestBodyEncoding: 'URL_ENCODED' } });
    await invoke(http, { ApiEndpoint: api.url, Method: 'PATCH', RequestBody: { a: [1] }, Transform: { RequestBodyEncoding: 'NONE' } });
    expect(api.received[0]!.body).toBe('a%5B0%5D=1&a%5B1%5D=true&a%5B2%5D=');
    expect(api.received[1]!.body).toBe('{"a":[1]}');
    expect(api.received[1]!.headers['content-type']).toBe('application/json; charset=UTF-8');
  });

  it('fails a 4xx or 5xx response with States.Http.StatusCode.<code> and the status text as cause (the body is not kept)', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/missing') json(res, 404, { message: 'no such customer' });
      else if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      } else json(res, 500, { message: 'boom' });
    });
    const http = integration();
    const missing = await invoke(http, { ApiEndpoint: `${api.url}/missing`, Method: 'GET' });
    expectFailure(missing, 'States.Http.StatusCode.404');
    expect(missing).toEqual({ ok: false, error: 'States.Http.StatusCode.404', cause: 'Not Found' });
    expect(await invoke(http, { ApiEndpoint: `${api.url}/broken`, Method: 'POST', RequestBody: {} })).toEqual({ ok: false, error: 'States.Http.StatusCode.500', cause: 'Internal Server Error' });
    // Redirects are not followed.
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/moved`, Method: 'GET' }), 'States.Http.StatusCode.302', /^Found$/);
    expect(api.received.map((r) => r.url)).toEqual(['/missing', '/broken', '/moved']);
  });

  it('fails with States.Runtime for missing or invalid parameters and headers AWS does not allow, before sending anything', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const http = integration();
    const cases: Array<[unknown, RegExp]> = [
      [{ Method: 'GET' }, /needs ApiEndpoint/],
      [{ ApiEndpoint: 'not a url', Method: 'GET' }, /is not a URL/],
      [{ ApiEndpoint: 'ftp://example.com/x', Method: 'GET' }, /https:\/\//],
      [{ ApiEndpoint: api.url }, /Method must be one of/],
      [{ ApiEndpoint: api.url, Method: 'TRACE' }, /not 'TRACE'/],
      [{ ApiEndpoint: api.url, Method: 'get' }, /not 'get'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { Authorization: 'Bearer x' } }, /does not allow the header 'Authorization'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { Host: 'example.com' } }, /'Host'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { 'X-Amz-Date': '1' } }, /'X-Amz-Date'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { 'x-forwarded-for': '1.2.3.4' } }, /'x-forwarded-for'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { 'If-None-Match': '"x"' } }, /'If-None-Match'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { 'X-Ok': 'a\r\nInjected: 1' } }, /value of the header 'X-Ok'/],
      [{ ApiEndpoint: api.url, Method: 'GET', Headers: { 'bad name': 'x' } }, /not a valid HTTP header name/],
      [{ ApiEndpoint: api.url, Method: 'GET', Header: { a: 'b' } }, /does not support the field 'Header'/],
      [{ ApiEndpoint: api.url, Method: 'POST', Transform: { RequestBodyEncoding: 'BASE64' } }, /NONE or URL_ENCODED/],
      [{ ApiEndpoint: api.url, Method: 'POST', Transform: { RequestBodyEncoding: 'URL_ENCODED', RequestEncodingOptions: { ArrayFormat: 'JSON' } } }, /ArrayFormat/],
      [{ ApiEndpoint: api.url, Method: 'POST', RequestBody: [1], Transform: { RequestBodyEncoding: 'URL_ENCODED' } }, /must be a JSON object/],
      [{ ApiEndpoint: api.url, Method: 'GET', Authentication: { Connection: 'x' } }, /ConnectionArn/],
      [{ ApiEndpoint: api.url, Method: 'GET', Authentication: { ConnectionArn: 'arn:aws:lambda:eu-west-3:123456789012:function:f' } }, /not an EventBridge connection ARN/],
      ['GET', /needs Parameters/],
    ];
    for (const [parameters, cause] of cases) expectFailure(await invoke(http, parameters), 'States.Runtime', cause);
    expect(api.received).toHaveLength(0);
  });

  it('fails with States.Runtime for responses AWS does not read: binary content types and bodies that are not UTF-8', async () => {
    const api = await serve((req, res) => {
      res.writeHead(200, { 'content-type': req.url === '/image' ? 'image/png' : req.url === '/bytes' ? 'application/octet-stream' : 'text/plain' });
      res.end(Buffer.from([0xff, 0xfe, 0x00, 0x81]));
    });
    const http = integration();
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/image`, Method: 'GET' }), 'States.Runtime', /content type 'image\/png'/);
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/bytes`, Method: 'GET' }), 'States.Runtime', /application\/octet-stream/);
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/text`, Method: 'GET' }), 'States.Runtime', /not valid UTF-8/);
  });

  it('handles http:invoke request-response only, and fails a task in flight at a crash with States.Http.Socket (not sent again)', () => {
    const http = integration();
    const kind = { kind: 'service', arn: 'arn:aws:states:::http:invoke', service: 'http', action: 'invoke', pattern: 'request-response', region: 'x' } as const;
    expect(http.handles({ resource: kind, service: 'http', action: 'invoke', pattern: 'request-response' })).toBe(true);
    expect(http.handles({ resource: kind, service: 'http', action: 'invoke', pattern: 'wait-for-task-token' })).toBe(false);
    expect(http.handles({ resource: kind, service: 'lambda', action: 'invoke', pattern: 'request-response' })).toBe(false);
    const after = http.afterCrash({ service: 'http', action: 'invoke', parameters: {} });
    expect(after).not.toBe('repeat');
    expect(after).toMatchObject({ error: 'States.Http.Socket', cause: expect.stringMatching(/not sent again/) });
  });
});

describe('HTTP Task: the request as sent', () => {
  it('sends a GET with a RequestBody, as AWS does, and keeps each value of a repeated response header', async () => {
    const api = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-multi', ['one', 'two']);
      res.end('{}');
    });
    const result = output(await invoke(integration(), { ApiEndpoint: api.url, Method: 'GET', RequestBody: { message: 'Hello from Step Functions!' } }));
    expect(result.Headers['x-multi']).toEqual(['one', 'two']);
    expect(api.received[0]!.body).toBe('{"message":"Hello from Step Functions!"}');
    expect(api.received[0]!.headers['content-type']).toBe('application/json; charset=UTF-8');
  });

  it('lets neither Range nor User-Agent be replaced by the task', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    await invoke(integration({ region: 'us-west-2' }), { ApiEndpoint: api.url, Method: 'GET', Headers: { Range: 'bytes=0-1', 'User-Agent': 'mine' } });
    expect(api.received[0]!.headers.range).toBe('bytes=0-262144');
    expect(api.received[0]!.headers['user-agent']).toBe('Amazon|StepFunctions|HttpInvoke|us-west-2');
  });
});

describe('HTTP Task through an injected fetch', () => {
  const viaFetch = (options: Partial<HttpIntegrationOptions> = {}) => integration({ fetch: globalThis.fetch, ...options });

  it('answers the same result and errors', async () => {
    const api = await serve((req, res) => (req.url === '/missing' ? json(res, 404, {}) : json(res, 200, { id: 1 }, { 'set-cookie': ['a=1', 'b=2'] })));
    const result = output(await invoke(viaFetch(), { ApiEndpoint: `${api.url}/ok`, Method: 'POST', RequestBody: { a: 1 }, QueryParameters: { q: 'x y' } }));
    expect(result).toMatchObject({ StatusCode: 200, StatusText: 'OK', ResponseBody: { id: 1 } });
    expect(result.Headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(result.Headers['content-type']).toEqual(['application/json']);
    expect(api.received[0]!.url).toBe('/ok?q=x%20y');
    expect(api.received[0]!.headers['user-agent']).toBe('Amazon|StepFunctions|HttpInvoke|eu-west-3');
    expect(await invoke(viaFetch(), { ApiEndpoint: `${api.url}/missing`, Method: 'GET' })).toEqual({ ok: false, error: 'States.Http.StatusCode.404', cause: 'Not Found' });
    const port = await closedPort();
    expectFailure(await invoke(viaFetch(), { ApiEndpoint: `http://127.0.0.1:${port}/`, Method: 'GET' }), 'States.Http.Socket', /ECONNREFUSED/);
  });

  it('stops at the time limit and at the size limit', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const api = await serve((req, res) => {
      if (req.url === '/slow') return;
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
      };
      pump();
    });
    const http = viaFetch({ timeoutMs: 300, maxResponseBytes: 64 * 1024 });
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/slow`, Method: 'GET' }), 'States.Http.Socket', /within 0\.3 seconds/);
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/endless`, Method: 'GET' }), 'States.DataLimitExceeded');
  });

  it('fetches OAuth tokens through it', async () => {
    let issued = 0;
    const tokens = await serve((_req, res) => json(res, 200, { access_token: `tok-${++issued}`, expires_in: 3600 }));
    const api = await serve((req, res) => json(res, 200, { auth: req.headers.authorization }));
    const http = viaFetch({
      connections: { OAuth: { AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS', AuthParameters: { OAuthParameters: { AuthorizationEndpoint: `${tokens.url}/token`, HttpMethod: 'POST', ClientParameters: { ClientID: 'c', ClientSecret: 's' } } } } },
    });
    const parameters = { Authentication: { ConnectionArn: connectionArn('OAuth') }, ApiEndpoint: api.url, Method: 'GET' };
    expect(output(await invoke(http, parameters)).ResponseBody).toEqual({ auth: 'Bearer tok-1' });
    expect(output(await invoke(http, parameters)).ResponseBody).toEqual({ auth: 'Bearer tok-1' });
    expect(issued).toBe(1);
  });
});

describe('HTTP Task: network, time and size limits', () => {
  it('fails with States.Http.Socket when nothing listens', async () => {
    const port = await closedPort();
    expectFailure(await invoke(integration(), { ApiEndpoint: `http://127.0.0.1:${port}/x`, Method: 'GET' }), 'States.Http.Socket', /ECONNREFUSED/);
  });

  it('fails with States.Http.Socket when the TLS certificate of the server is not trusted', async () => {
    // A self-signed certificate, made for this test.
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-http-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => json(res, 200, {}));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      expectFailure(await invoke(integration(), { ApiEndpoint: url, Method: 'GET' }), 'States.Http.Socket', /self[- ]signed certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with States.Http.Socket when the answer takes longer than the limit (60 s on AWS; timeoutMs here)', async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const api = await serve((req) => req.socket.on('close', closed)); // never answers
    const outcome = await invoke(integration({ timeoutMs: 300 }), { ApiEndpoint: `${api.url}/slow`, Method: 'GET' });
    expectFailure(outcome, 'States.Http.Socket', /did not complete within 0\.3 seconds/);
    await connectionClosed; // the request was abandoned, not left open
  });

  it('stops the request when the task is cancelled (call.signal)', async () => {
    let arrived!: () => void;
    let closed!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const api = await serve((req) => {
      req.socket.on('close', closed);
      arrived();
    });
    const controller = new AbortController();
    const pending = invoke(integration(), { ApiEndpoint: api.url, Method: 'POST', RequestBody: { a: 1 } }, controller.signal);
    await requestArrived;
    controller.abort();
    expectFailure(await pending, 'States.Http.Socket', /cancelled/);
    await connectionClosed;
  });

  it('stops reading a response body larger than maxResponseBytes and fails with States.DataLimitExceeded', async () => {
    let closed!: (written: number) => void;
    const streamClosed = new Promise<number>((resolve) => (closed = resolve));
    const chunk = Buffer.alloc(16 * 1024, 'x');
    // An endless body: only a reader that stops lets this test end.
    const api = await serve((req, res) => {
      let written = 0;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.on('close', () => closed(written));
      const pump = () => {
        while (!res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
      void req;
    });
    const outcome = await invoke(integration({ maxResponseBytes: 64 * 1024 }), { ApiEndpoint: api.url, Method: 'GET' });
    expectFailure(outcome, 'States.DataLimitExceeded', /larger than 65536 bytes/);
    expect(await streamClosed).toBeGreaterThan(64 * 1024);
  });

  it('refuses a declared Content-Length over the limit without reading, and accepts a body of exactly the limit', async () => {
    const api = await serve((req, res) => {
      const size = req.url === '/big' ? 1_000_000 : 1000;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(size) });
      res.end(Buffer.alloc(size, 'y'));
    });
    const http = integration({ maxResponseBytes: 1000 });
    expectFailure(await invoke(http, { ApiEndpoint: `${api.url}/big`, Method: 'GET' }), 'States.DataLimitExceeded');
    expect(output(await invoke(http, { ApiEndpoint: `${api.url}/exact`, Method: 'GET' })).ResponseBody).toBe('y'.repeat(1000));
  });
});

describe('HTTP Task: EventBridge connections', () => {
  const apiKeyConnection = (extra: Partial<ConnectionConfig['AuthParameters']> = {}): ConnectionConfig => ({
    AuthorizationType: 'API_KEY',
    AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: 'S3cr3t-api-key' }, ...extra },
  });

  it('API_KEY: sends the key header and merges InvocationHttpParameters, the connection winning over the task', async () => {
    const api = await serve((_req, res) => json(res, 200, { ok: true }));
    const http = integration({
      connections: {
        Example: apiKeyConnection({
          InvocationHttpParameters: {
            HeaderParameters: [{ Key: 'Header-Param', Value: 'connection_header_param' }],
            QueryStringParameters: [{ Key: 'QueryParam', Value: 'connection_query_param' }, { Key: 'token', Value: 'query-S3cr3t', IsValueSecret: true }],
            BodyParameters: [{ Key: 'BodyParam', Value: 'connection_body_param' }],
          },
        }),
      },
    });
    const result = await invoke(http, {
      Authentication: { ConnectionArn: connectionArn('Example') },
      ApiEndpoint: `${api.url}/path`,
      Method: 'POST',
      Headers: { 'Request-Id': 'my_request_id', 'header-param': 'state_machine_header_param' },
      RequestBody: { Job: 'Software Engineer', Company: 'AnyCompany', BodyParam: 'state_machine_body_param' },
      QueryParameters: { QueryParam: 'state_machine_query_param', other: 'kept' },
    });
    expect(output(result).ResponseBody).toEqual({ ok: true });
    const [request] = api.received;
    expect(request!.headers['x-api-key']).toBe('S3cr3t-api-key');
    expect(request!.headers['header-param']).toBe('connection_header_param');
    expect(request!.headers['request-id']).toBe('my_request_id');
    expect(request!.url).toBe('/path?other=kept&QueryParam=connection_query_param&token=query-S3cr3t');
    expect(JSON.parse(request!.body)).toEqual({ Job: 'Software Engineer', Company: 'AnyCompany', BodyParam: 'connection_body_param' });
    // InvocationConfig names a connection too.
    output(await invoke(http, { InvocationConfig: { ConnectionArn: connectionArn('Example') }, ApiEndpoint: api.url, Method: 'GET' }));
    expect(api.received[1]!.headers['x-api-key']).toBe('S3cr3t-api-key');
  });

  it('fails with States.Runtime when the RequestBody is a string and the connection has body parameters', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const http = integration({ connections: { Example: apiKeyConnection({ InvocationHttpParameters: { BodyParameters: [{ Key: 'k', Value: 'v' }] } }) } });
    expectFailure(
      await invoke(http, { Authentication: { ConnectionArn: connectionArn('Example') }, ApiEndpoint: api.url, Method: 'POST', RequestBody: 'a=b' }),
      'States.Runtime',
      /cannot be merged/,
    );
    expect(api.received).toHaveLength(0);
  });

  it('BASIC: sends Authorization: Basic base64(user:password)', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const http = integration({ connections: { Stripe: { AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'myUsername', Password: 'pw-S3cr3t' } } } } });
    output(await invoke(http, { Authentication: { ConnectionArn: connectionArn('Stripe') }, ApiEndpoint: api.url, Method: 'GET' }));
    expect(api.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('myUsername:pw-S3cr3t').toString('base64')}`);
  });

  it('finds a connection by name (ARN with or without its id); an unknown one fails with Events.ConnectionResource.ResourceNotFound', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const http = integration({ connections: { Example: apiKeyConnection() } });
    output(await invoke(http, { Authentication: { ConnectionArn: 'arn:aws:events:us-east-1:000000000000:connection/Example' }, ApiEndpoint: api.url, Method: 'GET' }));
    const unknown = await invoke(http, { Authentication: { ConnectionArn: connectionArn('Missing') }, ApiEndpoint: api.url, Method: 'GET' });
    expectFailure(unknown, 'Events.ConnectionResource.ResourceNotFound', /Connection 'Missing' does not exist.*stepwise\.config\.json.*"connections"/);
    expect(api.received).toHaveLength(1);
  });

  describe('OAUTH_CLIENT_CREDENTIALS', () => {
    /** A token server counting its requests; tokens tok-1, tok-2… with the given expires_in. */
    async function tokenServer(expiresIn: number | undefined): Promise<TestServer & { count(): number }> {
      let issued = 0;
      const server = await serve((_req, res) => {
        issued += 1;
        json(res, 200, { access_token: `tok-${issued}`, token_type: 'Bearer', ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) });
      });
      return { ...server, count: () => issued };
    }

    function oauthConnection(tokenUrl: string): ConnectionConfig {
      return {
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: `${tokenUrl}/oauth/token`,
            HttpMethod: 'POST',
            ClientParameters: { ClientID: 'my-client', ClientSecret: 'client-S3cr3t' },
            OAuthHttpParameters: {
              BodyParameters: [{ Key: 'grant_type', Value: 'client_credentials' }, { Key: 'audience', Value: 'https://api.example.com' }],
              HeaderParameters: [{ Key: 'X-Tenant', Value: 't1' }],
              QueryStringParameters: [{ Key: 'realm', Value: 'main' }],
            },
          },
        },
      };
    }

    /** An API that accepts `Bearer tok-N` unless N is in `refused`. */
    async function protectedApi(refused: Set<string>): Promise<TestServer> {
      return serve((req, res) => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token || refused.has(token)) return json(res, 401, { message: 'bad token' });
        json(res, 200, { token });
      });
    }

    const call = (http: Integration, api: TestServer) => invoke(http, { Authentication: { ConnectionArn: connectionArn('OAuth') }, ApiEndpoint: `${api.url}/data`, Method: 'GET' });

    it('fetches a token with the client credentials and OAuthHttpParameters, and reuses it until it expires', async () => {
      const tokens = await tokenServer(3600);
      const api = await protectedApi(new Set());
      const http = integration({ connections: { OAuth: oauthConnection(tokens.url) } });

      expect(output(await call(http, api)).ResponseBody).toEqual({ token: 'tok-1' });
      expect(output(await call(http, api)).ResponseBody).toEqual({ token: 'tok-1' });
      expect(tokens.count()).toBe(1);

      const [tokenRequest] = tokens.received;
      expect(tokenRequest!.method).toBe('POST');
      expect(tokenRequest!.url).toBe('/oauth/token?realm=main');
      expect(tokenRequest!.headers.authorization).toBe(`Basic ${Buffer.from('my-client:client-S3cr3t').toString('base64')}`);
      expect(tokenRequest!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(tokenRequest!.headers['x-tenant']).toBe('t1');
      expect(Object.fromEntries(new URLSearchParams(tokenRequest!.body))).toEqual({ grant_type: 'client_credentials', audience: 'https://api.example.com' });
    });

    it('fetches one token for tasks that ask at the same time', async () => {
      const tokens = await tokenServer(3600);
      const api = await protectedApi(new Set());
      const http = integration({ connections: { OAuth: oauthConnection(tokens.url) } });
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => call(http, api)));
      for (const result of results) expect(output(result).ResponseBody).toEqual({ token: 'tok-1' });
      expect(tokens.count()).toBe(1);
    });

    it('refreshes a token that expires within 60 seconds before using it again (as EventBridge does)', async () => {
      const tokens = await tokenServer(30);
      const api = await protectedApi(new Set());
      const http = integration({ connections: { OAuth: oauthConnection(tokens.url) } });
      expect(output(await call(http, api)).ResponseBody).toEqual({ token: 'tok-1' });
      expect(output(await call(http, api)).ResponseBody).toEqual({ token: 'tok-2' });
      expect(tokens.count()).toBe(2);
    });

    it('after a 401 the task fails (not sent again) and the next request gets a fresh token', async () => {
      const tokens = await tokenServer(undefined); // no expires_in: kept until refused
      const refused = new Set<string>();
      const api = await protectedApi(refused);
      const http = integration({ connections: { OAuth: oauthConnection(tokens.url) } });
      expect(output(await call(http, api)).ResponseBody).toEqual({ token: 'tok-1' });
      refused.add('tok-1');
      expect(await call(http, api)).toEqual({ ok: false, error: 'States.Http.StatusCode.401', cause: 'Unauthorized' });
      expect(api.received).toHaveLength(2);
      expect(output(await call(http, api)).ResponseBody).toEqual({ token: 'tok-2' });
      expect(tokens.count()).toBe(2);
    });

    it('fails with Events.ConnectionResource.InvalidConnectionState when no token is given, naming only the OAuth error code', async () => {
      const tokens = await serve((_req, res) => json(res, 400, { error: 'invalid_client', error_description: 'client-S3cr3t is wrong' }));
      const api = await protectedApi(new Set());
      const http = integration({ connections: { OAuth: oauthConnection(tokens.url) } });
      const outcome = await call(http, api);
      expectFailure(outcome, 'Events.ConnectionResource.InvalidConnectionState', /Connection 'OAuth' could not be authorized: .* answered 400 \(invalid_client\)/);
      expect(JSON.stringify(outcome)).not.toContain('S3cr3t');
      expect(api.received).toHaveLength(0);
    });
  });

  it('never puts a secret in a result or a cause', async () => {
    const port = await closedPort();
    const api = await serve((req, res) => (req.url!.startsWith('/missing') ? json(res, 404, {}) : json(res, 200, { fine: true })));
    const tokens = await serve((_req, res) => json(res, 200, { access_token: 'tok-S3cr3t', expires_in: 3600 }));
    const secretQuery = { InvocationHttpParameters: { QueryStringParameters: [{ Key: 'sig', Value: 'query-S3cr3t', IsValueSecret: true }] } };
    const http = integration({
      connections: {
        Key: apiKeyConnection(secretQuery),
        Basic: { AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'pw-S3cr3t' }, ...secretQuery } },
        OAuth: {
          AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
          AuthParameters: { OAuthParameters: { AuthorizationEndpoint: `${tokens.url}/token`, HttpMethod: 'POST', ClientParameters: { ClientID: 'c', ClientSecret: 'client-S3cr3t' } }, ...secretQuery },
        },
      },
      timeoutMs: 2000,
    });
    const outcomes: IntegrationOutcome[] = [];
    for (const name of ['Key', 'Basic', 'OAuth']) {
      const Authentication = { ConnectionArn: connectionArn(name) };
      outcomes.push(await invoke(http, { Authentication, ApiEndpoint: `${api.url}/ok`, Method: 'GET' }));
      outcomes.push(await invoke(http, { Authentication, ApiEndpoint: `${api.url}/missing`, Method: 'GET' }));
      outcomes.push(await invoke(http, { Authentication, ApiEndpoint: `http://127.0.0.1:${port}/down`, Method: 'GET' }));
    }
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error))).toEqual([
      'ok', 'States.Http.StatusCode.404', 'States.Http.Socket',
      'ok', 'States.Http.StatusCode.404', 'States.Http.Socket',
      'ok', 'States.Http.StatusCode.404', 'States.Http.Socket',
    ]);
    expect(JSON.stringify(outcomes)).not.toMatch(/S3cr3t/);
    // The secrets were sent, though.
    expect(api.received.every((r) => r.url.endsWith('sig=query-S3cr3t'))).toBe(true);
    expect(api.received.some((r) => r.headers.authorization === 'Bearer tok-S3cr3t')).toBe(true);
  });
});
