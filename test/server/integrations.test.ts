// Tasks that reach real code from `stepwise serve`: the configuration's functions run in worker
// processes, an HTTP Task calls a real local server, and the guarantees across a SIGKILL are
// those Standard workflows give: a call that was in flight is not made again unless a Retry
// says so (Lambda.ServiceException, which AWS's recommended Retry for Lambda names), and a
// .waitForTaskToken task whose request was sent goes on waiting for its token.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand, StartSyncExecutionCommand, TestStateCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ROLE, assertBuilt, pollUntil, runCli, sdk, startServe, stopAll, tempDir, type ServeProcess } from './serve-process.js';

let tmp: ReturnType<typeof tempDir>;
let target: Server;
let targetUrl: string;
const received: unknown[] = [];

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('integrations');
  const functions = join(tmp.dir, 'functions');
  mkdirSync(functions);
  const calls = join(tmp.dir, 'calls.log');
  writeFileSync(
    join(functions, 'work.mjs'),
    `import { appendFileSync, writeFileSync } from 'node:fs';
export const quick = async (event) => ({ doubled: event.n * 2 });
// Records each invocation, then takes its time: the server is killed meanwhile.
export const slow = async (event, context) => {
  appendFileSync(${JSON.stringify(calls)}, context.awsRequestId + '\\n');
  await new Promise((r) => setTimeout(r, event.ms));
  return { slept: event.ms };
};
export const token = async (event) => { writeFileSync(${JSON.stringify(join(tmp.dir, 'token.txt'))}, event.token); return 'sent'; };
export const crash = async () => { process.exit(3); };
export const big = async () => 'x'.repeat(300 * 1024);
`,
  );
  writeFileSync(
    join(tmp.dir, 'stepwise.config.json'),
    JSON.stringify({
      functions: {
        Quick: { CodeUri: 'functions/', Handler: 'work.quick' },
        Slow: { CodeUri: 'functions/', Handler: 'work.slow', Timeout: 60 },
        Token: { CodeUri: 'functions/', Handler: 'work.token' },
        Crash: { CodeUri: 'functions/', Handler: 'work.crash' },
        Big: { CodeUri: 'functions/', Handler: 'work.big' },
      },
    }),
  );
  target = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, body: JSON.parse(body || 'null') });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await stopAll();
  await new Promise((resolve) => target?.close(resolve));
  tmp?.remove();
}, 30_000);

async function machine(client: SFNClient, name: string, definition: unknown): Promise<string> {
  const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }));
  return stateMachineArn!;
}

async function finished(client: SFNClient, executionArn: string) {
  return pollUntil(async () => {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  }, `${executionArn} to end`);
}

/** Waits for a condition on files the functions write. */
const until = (check: () => boolean, what: string, timeoutMs = 10_000) => pollUntil(async () => (check() ? true : undefined), what, timeoutMs);
const callCount = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0);

function serve(db: string): Promise<ServeProcess> {
  return startServe({ db, args: ['--config', join(tmp.dir, 'stepwise.config.json'), '--log-level', 'debug'] });
}

describe('serve: tasks that call functions and HTTP endpoints', { timeout: 120_000 }, () => {
  it('runs lambda:invoke, a bare function ARN and an HTTP Task, and logs what answered each', async () => {
    const server = await serve(join(tmp.dir, 'calls.db'));
    const client = sdk(server.url);
    const arn = await machine(client, 'calls', {
      StartAt: 'Invoke',
      States: {
        Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Quick', Payload: { n: 21 } }, ResultSelector: { 'v.$': '$.Payload.doubled' }, ResultPath: '$.invoke', Next: 'Bare' },
        Bare: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Quick', Parameters: { n: 5 }, ResultPath: '$.bare', Next: 'Http' },
        Http: { Type: 'Task', Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: `${targetUrl}/orders`, Method: 'POST', RequestBody: { 'id.$': '$.id' } }, ResultSelector: { 'status.$': '$.StatusCode', 'body.$': '$.ResponseBody' }, ResultPath: '$.http', End: true },
      },
    });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"id":"o-1"}' }));
    const done = await finished(client, executionArn!);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ id: 'o-1', invoke: { v: 42 }, bare: { doubled: 10 }, http: { status: 200, body: { ok: true } } });
    expect(received).toContainEqual({ method: 'POST', url: '/orders', body: { id: 'o-1' } });
    const types = (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
    expect(types).toContain('LambdaFunctionSucceeded');
    const log = server.output().stdout;
    expect(log).toMatch(/"answeredBy":"lambda"/);
    expect(log).toMatch(/"answeredBy":"http"/);
    await server.stop();
  });

  it('runs functions from EXPRESS executions (StartSyncExecution) and from TestState, which calls the service once', async () => {
    const server = await serve(join(tmp.dir, 'express.db'));
    const client = sdk(server.url);
    const definition = { StartAt: 'Q', States: { Q: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Quick', End: true } } };
    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'express-fn', roleArn: ROLE, type: 'EXPRESS', definition: JSON.stringify(definition) }));
    const sync = await client.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{"n":4}' }));
    expect(sync).toMatchObject({ status: 'SUCCEEDED', output: '{"doubled":8}' });
    const tested = await client.send(new TestStateCommand({ definition: JSON.stringify(definition.States.Q), roleArn: ROLE, input: '{"n":5}' }));
    expect(tested).toMatchObject({ status: 'SUCCEEDED', output: '{"doubled":10}' });
    // A Retrier that matches stops the test before a second call (AWS's RETRIABLE).
    const retrying = { ...definition.States.Q, Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Crash', Retry: [{ ErrorEquals: ['Lambda.Unknown'] }] };
    const retriable = await client.send(new TestStateCommand({ definition: JSON.stringify(retrying), roleArn: ROLE, input: '{}' }));
    expect(retriable).toMatchObject({ status: 'RETRIABLE', error: 'Lambda.Unknown' });
    await server.stop();
  });

  it('answers a Map of 300 concurrent function tasks (decided in batches), also across a SIGKILL in the middle', async () => {
    const db = join(tmp.dir, 'fan-out.db');
    let server = await serve(db);
    let client = sdk(server.url);
    const arn = await machine(client, 'fan-out', {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 0,
          ItemProcessor: {
            StartAt: 'Double',
            States: {
              Double: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: 'Quick', 'Payload.$': '$' },
                ResultSelector: { 'v.$': '$.Payload.doubled' },
                // Calls in flight at the SIGKILL fail with Lambda.ServiceException: invoked again.
                Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 3 }],
                End: true,
              },
            },
          },
          End: true,
        },
      },
    });
    const items = Array.from({ length: 300 }, (_, n) => ({ n }));
    const expected = items.map(({ n }) => ({ v: n * 2 }));
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ items }) }));
    const done = await finished(client, first.executionArn!);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual(expected);

    const second = await client.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ items }) }));
    await pollUntil(async () => ((await client.send(new GetExecutionHistoryCommand({ executionArn: second.executionArn, maxResults: 1000 }))).events!.some((e) => e.type === 'TaskSucceeded') ? true : undefined), 'some tasks to end');
    await server.kill();
    server = await serve(db);
    client = sdk(server.url);
    const recovered = await finished(client, second.executionArn!);
    expect(recovered.status, recovered.cause).toBe('SUCCEEDED');
    expect(JSON.parse(recovered.output!)).toEqual(expected);
    await server.stop();
  });

  it('warns about tasks nothing answers: in the log when a state machine is created, on stderr before `stepwise run`', async () => {
    const server = await serve(join(tmp.dir, 'warn.db'));
    const client = sdk(server.url);
    const definition = { StartAt: 'Ghost', States: { Ghost: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Ghost', End: true } } };
    await machine(client, 'ghost', definition);
    await pollUntil(async () => (server.output().stdout.includes('nothing answers') ? true : undefined), 'the warning in the log', 5_000);
    expect(server.output().stdout).toMatch(/"tasks":\["State 'Ghost': arn:aws:lambda:us-east-1:111111111111:function:Ghost: the function 'Ghost' is not declared/);
    await server.stop();

    const file = join(tmp.dir, 'ghost.asl.json');
    writeFileSync(file, JSON.stringify(definition));
    const run = await runCli(['run', file, '--config', join(tmp.dir, 'stepwise.config.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^stepwise: warning: nothing answers this task \(see docs\/integrations\.md\):\n  State 'Ghost': .*not declared/);
    expect(run.stderr).toMatch(/error: Lambda\.ResourceNotFoundException/);
    // A route answers it: no warning, and the run succeeds.
    const routed = await runCli(['run', file, '--config', join(tmp.dir, 'stepwise.config.json'), '--route', 'Ghost=return:{"boo":1}']);
    expect(routed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(routed.stdout)).toEqual({ boo: 1 });
  });

  it('refuses a configuration with mistakes at start, listing every one (run and serve, exit status 2)', async () => {
    const bad = join(tmp.dir, 'bad.config.json');
    writeFileSync(bad, JSON.stringify({ functions: { F: { CodeUri: 'nowhere/', Handler: 'x.handler', Timeout: 0 } }, buckets: { Bad_Bucket: '.' }, extra: true }));
    const file = join(tmp.dir, 'pass.asl.json');
    writeFileSync(file, JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }));
    for (const args of [['run', file, '--config', bad], ['serve', '--port', '0', '--db', ':memory:', '--config', bad]]) {
      const result = await runCli(args);
      expect(result.code, args[0]).toBe(2);
      for (const path of ['functions.F.CodeUri', 'functions.F.Timeout', 'buckets', 'extra']) expect(result.stderr, `${args[0]}: ${path}`).toContain(`: ${path}`);
    }
  });

  it('fails only the task whose function crashes its worker; the server goes on serving', async () => {
    const server = await serve(join(tmp.dir, 'crash.db'));
    const client = sdk(server.url);
    const arn = await machine(client, 'crash', { StartAt: 'C', States: { C: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Crash', End: true } } });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const done = await finished(client, executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Lambda.Unknown' });
    expect(JSON.parse(done.cause!)).toMatchObject({ errorType: 'Runtime.ExitError' });
    // A result beyond the 256 KiB payload quota fails its task as on AWS.
    const big = await machine(client, 'big', { StartAt: 'B', States: { B: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Big', End: true } } });
    const tooBig = await client.send(new StartExecutionCommand({ stateMachineArn: big }));
    expect(await finished(client, tooBig.executionArn!)).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    const again = await machine(client, 'after-crash', { StartAt: 'Q', States: { Q: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:Quick', End: true } } });
    const next = await client.send(new StartExecutionCommand({ stateMachineArn: again, input: '{"n":1}' }));
    expect(await finished(client, next.executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '{"doubled":2}' });
    await server.stop();
  });

  it('does not invoke again a function that was running at a SIGKILL, unless a Retry says so (at most once)', async () => {
    const db = join(tmp.dir, 'kill.db');
    const calls = join(tmp.dir, 'calls.log');
    let server = await serve(db);
    let client = sdk(server.url);
    const definition = (retry: boolean) => ({
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'Slow', Payload: { 'ms.$': '$.ms' } },
          ...(retry ? { Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 1 }] } : {}),
          End: true,
        },
      },
    });
    const once = await machine(client, 'no-retry', definition(false));
    const retried = await machine(client, 'with-retry', definition(true));
    const a = await client.send(new StartExecutionCommand({ stateMachineArn: once, input: '{"ms":30000}' }));
    await until(() => callCount(calls) >= 1, 'the first invocation');
    const b = await client.send(new StartExecutionCommand({ stateMachineArn: retried, input: '{"ms":30000}' }));
    await until(() => callCount(calls) >= 2, 'the second invocation');
    await server.kill();

    server = await serve(db);
    client = sdk(server.url);
    const failed = await finished(client, a.executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect(failed.cause).toMatch(/at most once/);
    // The Retry invokes it again (a third call in all), and this time it answers... after 30 s:
    // the retried execution is only checked to have started its second attempt.
    await until(() => callCount(calls) >= 3, 'the retried invocation', 15_000);
    expect(callCount(calls)).toBe(3);
    const history = (await client.send(new GetExecutionHistoryCommand({ executionArn: b.executionArn }))).events!;
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(2);
    expect(history.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails?.error).toBe('Lambda.ServiceException');
    await server.stop(2_000);
  });

  it('goes on waiting for the token of a .waitForTaskToken task whose request was sent before a SIGKILL', async () => {
    const db = join(tmp.dir, 'token.db');
    let server = await serve(db);
    let client = sdk(server.url);
    const arn = await machine(client, 'token', {
      StartAt: 'Ask',
      States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'Token', Payload: { 'token.$': '$$.Task.Token' } }, End: true } },
    });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const tokenFile = join(tmp.dir, 'token.txt');
    await until(() => existsSync(tokenFile), 'the function to get the token');
    await pollUntil(async () => ((await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!.some((e) => e.type === 'TaskSubmitted') ? true : undefined), 'TaskSubmitted', 10_000);
    await server.kill();

    server = await serve(db);
    client = sdk(server.url);
    await client.send(new SendTaskSuccessCommand({ taskToken: readFileSync(tokenFile, 'utf8'), output: '{"approved":true}' }));
    expect(await finished(client, executionArn!)).toMatchObject({ status: 'SUCCEEDED', output: '{"approved":true}' });
    const types = (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(1);
    await server.stop();
  });
});
