// Safe defaults: which requests the server answers at all (src/server/request-guard.ts), as a pure
// function and over real HTTP (the server in process on 127.0.0.1; raw node:http requests, since
// fetch does not let a test choose the Host header), and which addresses `serve` may listen on
// (the built CLI in a child process).
import http from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeArgs } from '../../src/server/config.js';
import { bindRefusal, checkRequest, isLoopbackAddress, type GuardSettings, type GuardedRequest } from '../../src/server/request-guard.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { assertBuilt, hasStackTrace, runCli, startServe, stopAll, tempDir } from './serve-process.js';

const LOOPBACK_ONLY: GuardSettings = { checkHost: true, allowedHosts: [], allowedOrigins: [] };
const api = (host: string | undefined, extra: Partial<GuardedRequest> = {}): GuardedRequest => ({ method: 'POST', path: '/', host, origin: undefined, secure: false, ...extra });

describe('checkRequest', () => {
  it('serves Host values that name loopback, with any port', () => {
    for (const host of ['localhost', 'localhost:8083', 'LOCALHOST:1', 'localhost.:8083', '127.0.0.1', '127.0.0.1:8083', '127.8.9.10:80', '[::1]', '[::1]:8083']) {
      expect(checkRequest(api(host), LOOPBACK_ONLY), host).toBeUndefined();
    }
  });

  it('refuses other Host values when Host is checked (DNS rebinding), saying what to do', () => {
    for (const host of ['evil.example', 'evil.example:8083', '127.0.0.1.evil.example', 'localhost.evil.example', '[::2]:8083', '10.0.0.1:8083', '', 'a b', 'localhost:x', '[::1']) {
      const refusal = checkRequest(api(host), LOOPBACK_ONLY);
      expect(refusal?.status, host).toBe(403);
      expect(refusal?.reason).toBe('host');
    }
    expect(checkRequest(api('evil.example:8083'), LOOPBACK_ONLY)?.message).toContain('--allowed-host evil.example');
  });

  it('serves an --allowed-host with any port, and any Host when Host is not checked', () => {
    const settings = { ...LOOPBACK_ONLY, allowedHosts: ['stepwise.internal'] };
    expect(checkRequest(api('stepwise.internal:8083'), settings)).toBeUndefined();
    expect(checkRequest(api('Stepwise.Internal'), settings)).toBeUndefined();
    expect(checkRequest(api('other.internal'), settings)?.reason).toBe('host');
    expect(checkRequest(api('evil.example'), { ...LOOPBACK_ONLY, checkHost: false })).toBeUndefined();
  });

  it('serves a request without Host (HTTP/1.0): browsers always send one', () => {
    expect(checkRequest(api(undefined), LOOPBACK_ONLY)).toBeUndefined();
  });

  it('always serves GET and HEAD /health, and nothing else on that path', () => {
    expect(checkRequest(api('evil.example', { method: 'GET', path: '/health' }), LOOPBACK_ONLY)).toBeUndefined();
    expect(checkRequest(api('evil.example', { method: 'HEAD', path: '/health', origin: 'http://evil.example' }), LOOPBACK_ONLY)).toBeUndefined();
    expect(checkRequest(api('evil.example', { method: 'POST', path: '/health' }), LOOPBACK_ONLY)?.reason).toBe('host');
  });

  it("serves an Origin that is the server's own (the console) and refuses another one", () => {
    expect(checkRequest(api('127.0.0.1:8083', { origin: 'http://127.0.0.1:8083' }), LOOPBACK_ONLY)).toBeUndefined();
    expect(checkRequest(api('localhost:8083', { origin: 'http://localhost:8083' }), LOOPBACK_ONLY)).toBeUndefined();
    expect(checkRequest(api('example.com', { origin: 'http://example.com:80' }), { ...LOOPBACK_ONLY, checkHost: false })).toBeUndefined();
    expect(checkRequest(api('localhost:8443', { origin: 'https://localhost:8443', secure: true }), LOOPBACK_ONLY)).toBeUndefined();

    const foreign = checkRequest(api('127.0.0.1:8083', { origin: 'http://evil.example' }), LOOPBACK_ONLY);
    expect(foreign).toMatchObject({ status: 403, reason: 'origin' });
    expect(foreign?.message).toContain('--allowed-origin http://evil.example');
    // Another port or scheme is another origin.
    expect(checkRequest(api('127.0.0.1:8083', { origin: 'http://127.0.0.1:3000' }), LOOPBACK_ONLY)?.reason).toBe('origin');
    expect(checkRequest(api('127.0.0.1:8083', { origin: 'https://127.0.0.1:8083' }), LOOPBACK_ONLY)?.reason).toBe('origin');
    // Sandboxed frames and file:// pages send "null"; garbage is no origin at all.
    expect(checkRequest(api('127.0.0.1:8083', { origin: 'null' }), LOOPBACK_ONLY)?.reason).toBe('origin');
    expect(checkRequest(api('127.0.0.1:8083', { origin: 'javascript:alert(1)' }), LOOPBACK_ONLY)?.reason).toBe('origin');
    // Origin is checked whether or not Host is.
    expect(checkRequest(api('stepwise.example.com', { origin: 'http://evil.example' }), { ...LOOPBACK_ONLY, checkHost: false })?.reason).toBe('origin');
  });

  it('serves an --allowed-origin', () => {
    const settings = { ...LOOPBACK_ONLY, checkHost: false, allowedOrigins: ['https://app.example.com'] };
    expect(checkRequest(api('stepwise.example.com', { origin: 'https://app.example.com' }), settings)).toBeUndefined();
    expect(checkRequest(api('stepwise.example.com', { origin: 'https://app.example.com:443' }), settings)).toBeUndefined();
    expect(checkRequest(api('stepwise.example.com', { origin: 'http://app.example.com' }), settings)?.reason).toBe('origin');
  });

  it('repeats no more than a bounded, printable part of a header in its message', () => {
    const refusal = checkRequest(api(`${'a'.repeat(5000)}.example`), LOOPBACK_ONLY);
    expect(refusal?.message.length).toBeLessThan(1000);
    expect(checkRequest(api('evil\u0000.example'), LOOPBACK_ONLY)?.message).not.toContain('\u0000');
  });
});

describe('where serve may listen', () => {
  it('listens on loopback alone without a keys file, unless --insecure', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      expect(isLoopbackAddress(host), host).toBe(true);
      expect(bindRefusal(host, { keys: false, insecure: false }), host).toBeUndefined();
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'stepwise.internal']) {
      expect(isLoopbackAddress(host), host).toBe(false);
      expect(bindRefusal(host, { keys: false, insecure: false }), host).toMatch(/--auth-file.*--insecure/s);
      expect(bindRefusal(host, { keys: false, insecure: true }), host).toBeUndefined();
      expect(bindRefusal(host, { keys: true, insecure: false }), host).toBeUndefined();
    }
  });

  it('reads --allowed-host, --allowed-origin and --insecure, and their variables, and refuses what is not a name or an origin', () => {
    const config = parseServeArgs(['--allowed-host', 'Stepwise.Internal', '--allowed-host', '[::2]', '--allowed-origin', 'https://App.Example.com:443', '--insecure'], {});
    expect(config).toMatchObject({ allowedHosts: ['stepwise.internal', '::2'], allowedOrigins: ['https://app.example.com'], insecure: true });
    const fromEnv = parseServeArgs([], { STEPWISE_ALLOWED_HOSTS: 'a.internal, b.internal', STEPWISE_ALLOWED_ORIGINS: 'http://localhost:5173', STEPWISE_INSECURE: 'true' });
    expect(fromEnv).toMatchObject({ allowedHosts: ['a.internal', 'b.internal'], allowedOrigins: ['http://localhost:5173'], insecure: true });
    expect(parseServeArgs([], {}).insecure).toBe(false);
    expect(() => parseServeArgs(['--allowed-host', 'http://stepwise.internal'], {})).toThrow(ConfigError);
    expect(() => parseServeArgs(['--allowed-host', 'stepwise.internal:8083'], {})).toThrow(/without scheme or port/);
    expect(() => parseServeArgs(['--allowed-origin', 'https://app.example.com/path'], {})).toThrow(/--allowed-origin must be an origin/);
    expect(() => parseServeArgs([], { STEPWISE_INSECURE: 'yes please' })).toThrow(/STEPWISE_INSECURE/);
  });
});

describe('a server on loopback without a keys file', () => {
  const temp = tempDir('guard');
  let server: RunningServer;
  let port: number;

  beforeAll(async () => {
    server = await startServer(
      parseServeArgs(['--host', '127.0.0.1', '--port', '0', '--db', join(temp.dir, 'stepwise.db'), '--allowed-host', 'stepwise.test', '--allowed-origin', 'http://localhost:5173'], {}),
      pino({ level: 'silent' }),
    );
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
    temp.remove();
  });

  /** ListStateMachines with the Host (and Origin) given. */
  const call = (headers: Record<string, string>, path = '/', method = 'POST') =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method, path, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines', ...headers } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: text === '' ? undefined : JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(method === 'POST' ? '{}' : undefined);
    });

  it('refuses a request whose Host names another server (DNS rebinding), before the API sees it', async () => {
    const refused = await call({ Host: `rebind.evil.example:${port}` });
    expect(refused.status).toBe(403);
    expect(refused.body.__type).toMatch(/AccessDeniedException$/);
    expect(refused.body.message).toContain("Host header 'rebind.evil.example:");
    expect(refused.body.message).toContain('--allowed-host rebind.evil.example');
  });

  it('serves its own Host names and an --allowed-host', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `stepwise.test:${port}`]) {
      const answer = await call({ Host: host });
      expect(answer.status, host).toBe(200);
      expect(answer.body).toEqual({ stateMachines: [] });
    }
  });

  it("refuses a page of another origin, and serves the console's own origin and an --allowed-origin", async () => {
    const refused = await call({ Host: `127.0.0.1:${port}`, Origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("web page at 'https://evil.example'");
    expect((await call({ Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await call({ Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await call({ Host: `127.0.0.1:${port}`, Origin: 'http://localhost:5173' })).status).toBe(200);
  });

  it('refuses the Scheduler API and the console pages the same way, and always answers /health', async () => {
    expect((await call({ Host: 'evil.example', Accept: 'text/html' }, '/', 'GET')).status).toBe(403);
    expect((await call({ Host: 'evil.example' }, '/schedules', 'GET')).status).toBe(403);
    const health = await call({ Host: 'evil.example', Origin: 'https://evil.example' }, '/health', 'GET');
    expect(health).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('serves an HTTP/1.0 request without Host (no browser sends one)', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end('POST / HTTP/1.0\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 2\r\n\r\n{}');
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"stateMachines":[]}');
  });
});

describe('stepwise serve on a non-loopback address', () => {
  const temp = tempDir('bind');
  beforeAll(() => assertBuilt());
  afterAll(async () => {
    await stopAll();
    temp.remove();
  });

  it('refuses to listen without a keys file, saying what to do', async () => {
    const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--db', join(temp.dir, 'refused.db')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Stepwise will not listen on 0.0.0.0 without a keys file');
    expect(run.stderr).toContain('--auth-file');
    expect(run.stderr).toContain('--insecure');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('listens with --insecure, warns, and answers any Host', async () => {
    const serve = await startServe({ db: join(temp.dir, 'insecure.db'), args: ['--host', '0.0.0.0', '--insecure'] });
    expect(serve.output().stdout).toContain('without a keys file (--insecure)');
    const port = new URL(serve.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { Host: `stepwise-ci:${port}`, 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines', 'Content-Type': 'application/x-amz-json-1.0' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(200);
    await serve.stop();
  });
});
