// Local Node.js functions: real modules in a temp folder, run by real worker processes
// (dist/runtime/functions/node-host.js, built by the test setup).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunctions, type FunctionResult } from '../../src/runtime/functions/index.js';
import { alive, codeFolder, recordingLog, type CodeFolder } from './fixtures.js';

let code: CodeFolder;
let functions: LocalFunctions;
const logged = recordingLog();
let concurrencyLog: string;

function payload(result: FunctionResult): unknown {
  if (!result.ok) throw new Error(`expected a result, got ${result.errorType}: ${result.errorMessage}`);
  return result.payload;
}

function failure(result: FunctionResult): Extract<FunctionResult, { ok: false }> {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.payload)}`);
  return result;
}

let requests = 0;
const invoke = (name: string, event: unknown = {}, extra: { signal?: AbortSignal; region?: string; accountId?: string } = {}): Promise<FunctionResult> =>
  functions.invoke(name, { event, requestId: `req-${name}-${++requests}`, ...extra });

beforeAll(() => {
  code = codeFolder('node-fns');
  concurrencyLog = join(code.dir, 'concurrency.log');
  code.write(
    'app.mjs',
    `
let invocations = 0;
export const handler = async (event) => ({ echo: event, invocations: ++invocations, pid: process.pid });
export const context = async (event, context) => ({
  awsRequestId: context.awsRequestId, functionName: context.functionName, functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName,
  logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
  callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
});
export const env = async () => ({ ...process.env });
class ValidationError extends Error { constructor(message) { super(message); this.name = 'ValidationError'; } }
export const fails = async (event) => { throw new ValidationError('order ' + event.id + ' is invalid'); };
export const throwsString = async () => { throw 'plain text'; };
export const logs = async (event, context) => { console.log('out line', context.awsRequestId); console.error('err line'); return 'logged'; };
export const slow = async () => { console.log('started', process.pid); await new Promise((resolve) => setTimeout(resolve, 60_000)); return 'late'; };
export const exits = async () => { process.exit(1); };
export const hogsMemory = async () => { const kept = []; for (;;) kept.push(new Array(1e6).fill(Math.random())); };
export const uncaught = () => new Promise(() => { setTimeout(() => { throw new RangeError('thrown from a timer'); }, 1); });
export const tooLarge = async () => 'x'.repeat(7_000_000);
export const nothingReturned = () => { setTimeout(() => {}, 20); };
export const syncThrow = () => { throw new TypeError('sync'); };
`,
  );
  code.write(
    'callbacks.js',
    `
exports.handler = function (event, context, callback) { setTimeout(() => callback(null, { sum: event.a + event.b }), 5); };
exports.fails = function (event, context, callback) { callback(new Error('callback failure')); };
exports.waits = function (event, context, callback) { setInterval(() => {}, 1000); callback(null, 'never delivered'); };
exports.doesNotWait = function (event, context, callback) {
  context.callbackWaitsForEmptyEventLoop = false;
  if (!globalThis.ticker) globalThis.ticker = setInterval(() => {}, 1000);
  callback(null, 'delivered');
};
exports.succeed = function (event, context) { context.succeed({ via: 'succeed' }); };
`,
  );
  code.write('nested/deep.cjs', `module.exports = { handlers: { run: async (event) => ({ nested: true, event }) } };`);
  code.write('broken.mjs', `export const handler = async () => { return ; ) };`);
  code.write(
    'concurrency.mjs',
    `
import { appendFileSync, readFileSync } from 'node:fs';
const log = ${JSON.stringify(concurrencyLog)};
const starts = () => readFileSync(log, 'utf8').split('\\n').filter((line) => line.startsWith('start')).length;
export const handler = async (event) => {
  appendFileSync(log, 'start ' + event.i + '\\n');
  // Wait for a second invocation to start (or give up after 2 s): the limit must let exactly two run together.
  const until = Date.now() + 2000;
  while (Date.now() < until && starts() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 10));
  appendFileSync(log, 'end ' + event.i + '\\n');
  return event.i;
};
`,
  );
  code.write('concurrency.log', '');
  code.write('modern.mjs', `export const handler = (event, context, callback) => callback(null, 'old style');`);

  const at = (Handler: string, more: object = {}) => ({ CodeUri: code.dir, Handler, ...more });
  functions = new LocalFunctions(
    {
      echo: at('app.handler'),
      ctx: at('app.context', { MemorySize: 256, Timeout: 5 }),
      env: at('app.env', { Environment: { Variables: { TABLE_NAME: 'orders', AWS_LAMBDA_FUNCTION_NAME: 'not-allowed' } } }),
      fails: at('app.fails'),
      throwsString: at('app.throwsString'),
      logs: at('app.logs'),
      slow: at('app.slow', { Timeout: 1 }),
      abortable: at('app.slow', { Timeout: 30 }),
      single: at('app.slow', { Timeout: 30, ReservedConcurrentExecutions: 1 }),
      exits: at('app.exits'),
      oom: at('app.hogsMemory', { MemorySize: 128, Timeout: 30 }),
      uncaught: at('app.uncaught'),
      tooLarge: at('app.tooLarge', { Timeout: 10 }),
      nothingReturned: at('app.nothingReturned'),
      syncThrow: at('app.syncThrow'),
      cjs: at('callbacks.handler'),
      cjsFails: at('callbacks.fails'),
      waits: at('callbacks.waits', { Timeout: 1 }),
      doesNotWait: at('callbacks.doesNotWait'),
      succeed: at('callbacks.succeed'),
      nested: at('nested/deep.handlers.run'),
      missingModule: at('missing.handler'),
      missingExport: at('app.nothere'),
      syntaxError: at('broken.handler'),
      malformed: at('nodot'),
      limited: at('concurrency.handler', { ReservedConcurrentExecutions: 2, Timeout: 10 }),
      node24Callback: at('modern.handler', { Runtime: 'nodejs24.x' }),
    },
    { log: logged.log, idleMs: 30_000 },
  );
});

afterAll(async () => {
  await functions?.close();
  code?.remove();
});

describe('LocalFunctions (Node.js)', () => {
  it('runs an ESM async handler and keeps the process warm between invocations', async () => {
    const first = payload(await invoke('echo', { order: 1 })) as { echo: unknown; invocations: number; pid: number };
    const second = payload(await invoke('echo', { order: 2 })) as { echo: unknown; invocations: number; pid: number };
    const third = payload(await invoke('echo', { order: 3 })) as { echo: unknown; invocations: number; pid: number };
    expect(first.echo).toEqual({ order: 1 });
    expect(third.echo).toEqual({ order: 3 });
    expect([first.invocations, second.invocations, third.invocations]).toEqual([1, 2, 3]);
    expect(new Set([first.pid, second.pid, third.pid]).size).toBe(1);
    expect(first.pid).not.toBe(process.pid);
  });

  it('runs a CommonJS callback handler, and context.succeed', async () => {
    expect(payload(await invoke('cjs', { a: 2, b: 3 }))).toEqual({ sum: 5 });
    expect(payload(await invoke('succeed'))).toEqual({ via: 'succeed' });
    const failed = failure(await invoke('cjsFails'));
    expect(failed).toMatchObject({ functionError: 'Unhandled', errorType: 'Error', errorMessage: 'callback failure' });
  });

  it('finds dir/file.export handlers with nested export paths', async () => {
    expect(payload(await invoke('nested', { x: 1 }))).toEqual({ nested: true, event: { x: 1 } });
  });

  it("gives Lambda's context", async () => {
    const result = payload(await functions.invoke('ctx', { event: {}, requestId: 'req-context', region: 'eu-west-1', accountId: '111122223333' })) as Record<string, unknown>;
    expect(result).toMatchObject({
      awsRequestId: 'req-context',
      functionName: 'ctx',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:ctx',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/ctx',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(result.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.remaining).toBeLessThanOrEqual(5000);
  });

  it("sets Lambda's variables and the function's own, and keeps the server's environment out", async () => {
    process.env.STEPWISE_SERVER_SECRET = 'must-not-leak';
    try {
      const env = payload(await invoke('env', {}, { region: 'eu-central-1' })) as Record<string, string>;
      expect(env).toMatchObject({
        TABLE_NAME: 'orders',
        AWS_LAMBDA_FUNCTION_NAME: 'env',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_REGION: 'eu-central-1',
        AWS_DEFAULT_REGION: 'eu-central-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        LAMBDA_TASK_ROOT: code.dir,
        _HANDLER: 'app.env',
        TZ: ':UTC',
      });
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.STEPWISE_SERVER_SECRET).toBeUndefined();
      expect(env.NODE_OPTIONS).toBeUndefined();
    } finally {
      delete process.env.STEPWISE_SERVER_SECRET;
    }
  });

  it("reports a thrown error as Lambda does: its name, message and stack", async () => {
    const failed = failure(await invoke('fails', { id: 7 }));
    expect(failed.functionError).toBe('Unhandled');
    expect(failed.errorType).toBe('ValidationError');
    expect(failed.errorMessage).toBe('order 7 is invalid');
    expect(failed.trace?.[0]).toBe('ValidationError: order 7 is invalid');
    expect(failed.trace?.some((line) => line.includes(join(code.dir, 'app.mjs')))).toBe(true);

    expect(failure(await invoke('throwsString'))).toMatchObject({ errorType: 'string', errorMessage: 'plain text', trace: [] });
    expect(failure(await invoke('syncThrow'))).toMatchObject({ errorType: 'TypeError', errorMessage: 'sync' });
  });

  it('sends the function’s stdout and stderr lines to the log with the request id', async () => {
    expect(payload(await functions.invoke('logs', { event: {}, requestId: 'req-logging' }))).toBe('logged');
    const out = await logged.waitFor((line) => line.message === 'out line req-logging');
    const err = await logged.waitFor((line) => line.message === 'err line' && line.fields?.requestId === 'req-logging');
    expect(out).toMatchObject({ level: 'info', fields: { function: 'logs', requestId: 'req-logging', stream: 'stdout' } });
    expect(err).toMatchObject({ level: 'warn', fields: { function: 'logs', stream: 'stderr' } });
  });

  it("times out with Lambda's error and kills the process", async () => {
    const failed = failure(await functions.invoke('slow', { event: {}, requestId: 'req-timeout' }));
    expect(failed).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: req-timeout Error: Task timed out after 1.00 seconds' });
    const started = await logged.waitFor((line) => line.fields?.requestId === 'req-timeout' && line.message.startsWith('started'));
    const pid = Number(started.message.split(' ')[1]);
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it('reports process.exit as Runtime.ExitError and replaces the process', async () => {
    const failed = failure(await functions.invoke('exits', { event: {}, requestId: 'req-exit' }));
    expect(failed).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: 'RequestId: req-exit Error: Runtime exited with error: exit status 1' });
    // The function still answers (a fresh process each time, as this one exits every time).
    expect(failure(await invoke('exits')).errorType).toBe('Runtime.ExitError');
  });

  it('reports an uncaught exception with its error and replaces the process', async () => {
    const failed = failure(await invoke('uncaught'));
    expect(failed).toMatchObject({ errorType: 'RangeError', errorMessage: 'thrown from a timer' });
    expect(failure(await invoke('uncaught')).errorType).toBe('RangeError');
  });

  it('reports an exhausted heap as Runtime.OutOfMemory', async () => {
    const failed = failure(await functions.invoke('oom', { event: {}, requestId: 'req-oom' }));
    expect(failed).toMatchObject({ errorType: 'Runtime.OutOfMemory', errorMessage: 'RequestId: req-oom Error: Runtime exited with error: signal: killed' });
  });

  it('refuses a result over 6 MB with Function.ResponseSizeTooLarge', async () => {
    expect(failure(await invoke('tooLarge'))).toMatchObject({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  it('answers null for a handler that returns nothing once its event loop is empty', async () => {
    expect(await invoke('nothingReturned')).toEqual({ ok: true, payload: null });
  });

  it('waits for the event loop to empty after callback() unless callbackWaitsForEmptyEventLoop is false', async () => {
    expect(failure(await invoke('waits')).errorType).toBe('Sandbox.Timedout');
    expect(payload(await invoke('doesNotWait'))).toBe('delivered');
    expect(payload(await invoke('doesNotWait'))).toBe('delivered');
  });

  it("reports init failures with Lambda's runtime errors", async () => {
    const missing = failure(await invoke('missingModule'));
    expect(missing.errorType).toBe('Runtime.ImportModuleError');
    expect(missing.errorMessage).toMatch(/^Error: Cannot find module 'missing'/);
    expect(failure(await invoke('missingExport'))).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'app.nothere is undefined or not exported' });
    expect(failure(await invoke('syntaxError')).errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(failure(await invoke('malformed'))).toMatchObject({ errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' });
    expect(failure(await invoke('node24Callback')).errorType).toBe('Runtime.CallbackHandlerDeprecated');
  });

  it('runs at most ReservedConcurrentExecutions invocations at once; the others wait their turn', async () => {
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => invoke('limited', { i })));
    expect(results.map(payload)).toEqual([0, 1, 2, 3, 4, 5]);
    let running = 0;
    let most = 0;
    const lines = readFileSync(concurrencyLog, 'utf8').trim().split('\n');
    for (const line of lines) {
      running += line.startsWith('start') ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(lines).toHaveLength(12);
    expect(most).toBe(2);
  });

  it('kills the process of an aborted invocation and answers Stepwise.Aborted', async () => {
    const controller = new AbortController();
    const pending = functions.invoke('abortable', { event: {}, requestId: 'req-abort', signal: controller.signal });
    const started = await logged.waitFor((line) => line.fields?.requestId === 'req-abort' && line.message.startsWith('started'));
    controller.abort();
    expect(failure(await pending).errorType).toBe('Stepwise.Aborted');
    await expect.poll(() => alive(Number(started.message.split(' ')[1]))).toBe(false);
  });

  it('answers Stepwise.Aborted for an invocation aborted while it waits for a free slot', async () => {
    const running = new AbortController();
    const first = functions.invoke('single', { event: {}, requestId: 'req-single-1', signal: running.signal });
    await logged.waitFor((line) => line.fields?.requestId === 'req-single-1' && line.message.startsWith('started'));
    const waiting = new AbortController();
    const second = functions.invoke('single', { event: {}, requestId: 'req-single-2', signal: waiting.signal });
    waiting.abort();
    expect(failure(await second)).toMatchObject({ errorType: 'Stepwise.Aborted', errorMessage: expect.stringContaining('req-single-2') });
    expect(logged.lines.some((line) => line.fields?.requestId === 'req-single-2')).toBe(false);
    running.abort();
    expect(failure(await first).errorType).toBe('Stepwise.Aborted');
  });

  it('rejects an unknown function name', async () => {
    await expect(invoke('nobody')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(functions.has('echo')).toBe(true);
    expect(functions.has('nobody')).toBe(false);
  });

  it('ends a process that stayed idle for idleMs', async () => {
    const own = new LocalFunctions({ echo: { CodeUri: code.dir, Handler: 'app.handler' } }, { idleMs: 100 });
    try {
      const { pid } = payload(await own.invoke('echo', { event: {}, requestId: 'req-idle' })) as { pid: number };
      expect(alive(pid)).toBe(true);
      await expect.poll(() => alive(pid)).toBe(false);
    } finally {
      await own.close();
    }
  });

  it('close() kills every process and answers what is still running', async () => {
    const own = new LocalFunctions({ slow: { CodeUri: code.dir, Handler: 'app.slow', Timeout: 30 } }, { log: logged.log });
    const pending = own.invoke('slow', { event: {}, requestId: 'req-close' });
    const started = await logged.waitFor((line) => line.fields?.requestId === 'req-close' && line.message.startsWith('started'));
    await own.close();
    expect(failure(await pending).errorType).toBe('Stepwise.Aborted');
    expect(alive(Number(started.message.split(' ')[1]))).toBe(false);
    expect(failure(await own.invoke('slow', { event: {}, requestId: 'req-after-close' })).errorType).toBe('Stepwise.Aborted');
  });
});
