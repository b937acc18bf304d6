// `Command` functions (a real process per invocation) and `Url` functions (a real local HTTP server).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunctions, type FunctionResult } from '../../src/runtime/functions/index.js';
import { codeFolder, recordingLog, type CodeFolder } from './fixtures.js';

let code: CodeFolder;
let functions: LocalFunctions;
let server: Server;
let base: string;
let closedPort: string;
const logged = recordingLog();
const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];

function failure(result: FunctionResult): Extract<FunctionResult, { ok: false }> {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.payload)}`);
  return result;
}

/** A Node.js one-liner as a Command (the server's own node, so PATH does not matter). */
const node = (script: string): string[] => [process.execPath, '-e', script];

function listen(target: Server): Promise<string> {
  return new Promise((resolve) => target.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(target.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  code = codeFolder('cmd-fns');
  code.write('double.py', 'import json, sys\nevent = json.load(sys.stdin)\nprint(json.dumps({"doubled": event["n"] * 2}))\n');

  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body });
      switch (request.url) {
        case '/ok':
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received: JSON.parse(body) }));
          return;
        case '/empty':
          response.writeHead(204).end();
          return;
        case '/lambda-error':
          response.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errorType: 'OrderRejected', errorMessage: 'no stock', trace: ['at reserve'] }));
          return;
        case '/plain-error':
          response.writeHead(503).end('down for maintenance');
          return;
        case '/not-json':
          response.writeHead(200).end('<html>hello</html>');
          return;
        case '/hang':
          return; // never answers
      }
    });
  });
  base = await listen(server);
  const closed = createServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));

  functions = new LocalFunctions(
    {
      echo: { Command: node('let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify({event:JSON.parse(s),cwd:process.cwd(),name:process.env.AWS_LAMBDA_FUNCTION_NAME,table:process.env.TABLE_NAME,secret:process.env.STEPWISE_SERVER_SECRET??null})))'), Environment: { Variables: { TABLE_NAME: 'orders' } } },
      python: { Command: ['python3', 'double.py'] },
      silent: { Command: node('') },
      notJson: { Command: node('console.log("done!")') },
      failing: { Command: node('console.error("first problem"); console.error("the reason it failed"); process.exit(3)') },
      sleeping: { Command: node('setTimeout(() => {}, 60_000)'), Timeout: 1 },
      missing: { Command: ['./no-such-program'] },
      urlOk: { Url: `${base}/ok` },
      urlEmpty: { Url: `${base}/empty` },
      urlLambdaError: { Url: `${base}/lambda-error` },
      urlPlainError: { Url: `${base}/plain-error` },
      urlNotJson: { Url: `${base}/not-json` },
      urlHang: { Url: `${base}/hang`, Timeout: 1 },
      urlRefused: { Url: `${closedPort}/ok` },
    },
    { log: logged.log, baseDir: code.dir },
  );
});

afterAll(async () => {
  await functions?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  code?.remove();
});

describe('LocalFunctions (Command)', () => {
  it('writes the event to stdin and answers stdout as JSON, in baseDir with the function environment', async () => {
    process.env.STEPWISE_SERVER_SECRET = 'must-not-leak';
    try {
      const result = await functions.invoke('echo', { event: { order: 5 }, requestId: 'req-cmd' });
      expect(result).toEqual({ ok: true, payload: { event: { order: 5 }, cwd: code.dir, name: 'echo', table: 'orders', secret: null } });
    } finally {
      delete process.env.STEPWISE_SERVER_SECRET;
    }
    expect(await functions.invoke('python', { event: { n: 21 }, requestId: 'req-cmd-py' })).toEqual({ ok: true, payload: { doubled: 42 } });
  });

  it('answers null for empty output and Runtime.InvalidResponse for output that is not JSON', async () => {
    expect(await functions.invoke('silent', { event: {}, requestId: 'req-silent' })).toEqual({ ok: true, payload: null });
    const failed = failure(await functions.invoke('notJson', { event: {}, requestId: 'req-not-json' }));
    expect(failed.errorType).toBe('Runtime.InvalidResponse');
    expect(failed.errorMessage).toContain('done!');
  });

  it('reports a non-zero exit as Runtime.ExitError with the last lines of stderr, which also reach the log', async () => {
    const failed = failure(await functions.invoke('failing', { event: {}, requestId: 'req-failing' }));
    expect(failed).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: req-failing Error: Runtime exited with error: exit status 3\nfirst problem\nthe reason it failed',
    });
    expect(logged.lines).toContainEqual({ level: 'warn', message: 'the reason it failed', fields: { function: 'failing', requestId: 'req-failing', stream: 'stderr' } });
  });

  it("kills a command that runs past its Timeout with Lambda's error", async () => {
    expect(failure(await functions.invoke('sleeping', { event: {}, requestId: 'req-sleeping' }))).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: req-sleeping Error: Task timed out after 1.00 seconds',
    });
  });

  it('reports a command that cannot start', async () => {
    const failed = failure(await functions.invoke('missing', { event: {}, requestId: 'req-missing' }));
    expect(failed.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(failed.errorMessage).toContain('ENOENT');
  });
});

describe('LocalFunctions (Url)', () => {
  it("POSTs the event as JSON with Lambda's runtime headers and answers the body", async () => {
    const result = await functions.invoke('urlOk', { event: { order: 8 }, requestId: 'req-url', region: 'eu-west-1', accountId: '111122223333' });
    expect(result).toEqual({ ok: true, payload: { received: { order: 8 } } });
    const request = received.find((r) => r.headers['lambda-runtime-aws-request-id'] === 'req-url');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['lambda-runtime-invoked-function-arn']).toBe('arn:aws:lambda:eu-west-1:111122223333:function:urlOk');
    expect(Number(request?.headers['lambda-runtime-deadline-ms'])).toBeGreaterThan(0);
    expect(await functions.invoke('urlEmpty', { event: {}, requestId: 'req-url-empty' })).toEqual({ ok: true, payload: null });
  });

  it("answers an error status with the body's Lambda error document, or Url.HttpStatus<code>", async () => {
    expect(failure(await functions.invoke('urlLambdaError', { event: {}, requestId: 'req-url-lambda' }))).toMatchObject({
      errorType: 'OrderRejected',
      errorMessage: 'no stock',
      trace: ['at reserve'],
    });
    const plain = failure(await functions.invoke('urlPlainError', { event: {}, requestId: 'req-url-plain' }));
    expect(plain.errorType).toBe('Url.HttpStatus503');
    expect(plain.errorMessage).toBe(`POST ${base}/plain-error answered HTTP 503: down for maintenance`);
    expect(failure(await functions.invoke('urlNotJson', { event: {}, requestId: 'req-url-html' })).errorType).toBe('Runtime.InvalidResponse');
  });

  it('reports a timeout and a refused connection', async () => {
    expect(failure(await functions.invoke('urlHang', { event: {}, requestId: 'req-url-hang' }))).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: req-url-hang Error: Task timed out after 1.00 seconds',
    });
    const refused = failure(await functions.invoke('urlRefused', { event: {}, requestId: 'req-url-refused' }));
    expect(refused.errorType).toBe('Url.NetworkError');
    expect(refused.errorMessage).toContain('ECONNREFUSED');
  });

  it('answers Stepwise.Aborted when the caller gives up', async () => {
    const controller = new AbortController();
    const pending = functions.invoke('urlHang', { event: {}, requestId: 'req-url-abort', signal: controller.signal });
    await expect.poll(() => received.some((r) => r.headers['lambda-runtime-aws-request-id'] === 'req-url-abort')).toBe(true);
    controller.abort();
    expect(failure(await pending).errorType).toBe('Stepwise.Aborted');
  });
});
