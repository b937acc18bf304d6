// The access log (--access-log): the server in process over a real SQLite file, driven by the
// real @aws-sdk/client-sfn and raw HTTP; the lines are read from the file after the server
// closed (which flushes it).
import { readFileSync, renameSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { ConfigError } from '../../src/server/config.js';
import { tempDir } from './serve-process.js';

const ROLE = 'arn:aws:iam::111111111111:role/access-log-tests';
const SECRET_INPUT = 'the-input-is-never-logged';

interface Line {
  time: string;
  requestId?: string;
  source: string;
  key?: string;
  method: string;
  path: string;
  action?: string;
  resource?: string;
  status: number | null;
  error?: string;
  latencyMs: number;
}

const readLines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);

function raw(port: number, path: string, headers: Record<string, string>, body = '{}'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'Content-Type': 'application/x-amz-json-1.0', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the access log', () => {
  const temp = tempDir('access-log');
  const logFile = join(temp.dir, 'access.log');
  let server: RunningServer;
  let lines: Line[];
  let machineArn: string;
  let executionArn: string;

  beforeAll(async () => {
    server = await startServer(parseServeArgs(['--port', '0', '--db', join(temp.dir, 'stepwise.db'), '--access-log', logFile], {}), pino({ level: 'silent' }));
    const port = Number(new URL(server.url).port);
    const client = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
    machineArn = (await client.send(new CreateStateMachineCommand({ name: 'logged', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }))).stateMachineArn!;
    executionArn = (await client.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify({ secret: SECRET_INPUT }) }))).executionArn!;
    await expect(client.send(new DescribeExecutionCommand({ executionArn: `${machineArn.replace(':stateMachine:', ':execution:')}:missing` }))).rejects.toThrow();
    client.destroy();
    // A presigned-style query string, and a request refused before the API sees it.
    await raw(port, '/?X-Amz-Signature=query-signature-never-logged', { 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines' });
    await raw(port, '/', { Host: 'evil.example', 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines' });
    await fetch(`${server.url}/health`);
    await server.close();
    lines = readLines(logFile);
  });
  afterAll(async () => {
    await server?.close();
    temp.remove();
  });

  it('has one JSON line per request, with action, resource, status and error', () => {
    expect(lines.map((line) => [line.action, line.status, line.error])).toEqual([
      ['states:CreateStateMachine', 200, undefined],
      ['states:StartExecution', 200, undefined],
      ['states:DescribeExecution', 400, 'ExecutionDoesNotExist'],
      ['states:ListStateMachines', 200, undefined],
      [undefined, 403, 'AccessDeniedException'],
      [undefined, 200, undefined],
    ]);
    expect(lines[0]!.resource).toBe('logged');
    expect(lines[1]!.resource).toBe(machineArn);
    expect(lines[2]!.resource).toMatch(/:execution:logged:missing$/);
    expect(lines.at(-1)).toMatchObject({ method: 'GET', path: '/health' });
  });

  it('says when, from where, which request and how long it took', () => {
    for (const line of lines) {
      expect(Date.parse(line.time)).not.toBeNaN();
      expect(line.source).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(line.latencyMs).toBeGreaterThanOrEqual(0);
      expect(line.method).toMatch(/^(GET|POST)$/);
    }
    expect(lines[1]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never holds bodies, signatures, query strings or credentials', () => {
    const text = readFileSync(logFile, 'utf8');
    expect(text).not.toContain(SECRET_INPUT);
    expect(text).not.toContain('query-signature-never-logged');
    expect(text).not.toContain('X-Amz-Signature');
    expect(text).not.toContain('Signature=');
    expect(text).not.toContain(executionArn.split(':').at(-1)); // the new execution's name is only in the answer
    expect(lines[3]!.path).toBe('/');
  });

  it('is created readable by its owner alone', () => {
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
  });
});

describe('reopening the access log (SIGHUP, after logrotate moved it)', () => {
  const temp = tempDir('access-log-reopen');
  const logFile = join(temp.dir, 'access.log');

  afterAll(() => temp.remove());

  it('writes to the moved file until reload(), then to a new file at the path', async () => {
    const server = await startServer(parseServeArgs(['--port', '0', '--db', ':memory:', '--access-log', logFile], {}), pino({ level: 'silent' }));
    try {
      await fetch(`${server.url}/health`);
      renameSync(logFile, `${logFile}.1`);
      await fetch(`${server.url}/health?before-reload`);
      await server.reload();
      await fetch(`${server.url}/health`, { method: 'HEAD' });
    } finally {
      await server.close();
    }
    expect(readLines(`${logFile}.1`).map((line) => line.method)).toEqual(['GET', 'GET']);
    expect(readLines(logFile).map((line) => line.method)).toEqual(['HEAD']);
  });

  it('refuses to start when the file cannot be opened', async () => {
    const config = parseServeArgs(['--port', '0', '--db', ':memory:', '--access-log', join(temp.dir, 'no-such-folder', 'access.log')], {});
    await expect(startServer(config, pino({ level: 'silent' }))).rejects.toThrow(ConfigError);
    await expect(startServer(config, pino({ level: 'silent' }))).rejects.toThrow(/Cannot open the access log .*: its folder does not exist\./);
  });
});
