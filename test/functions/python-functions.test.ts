// Local Python functions: real modules in a temp folder, run by real `python3` processes.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunctions, type FunctionResult } from '../../src/runtime/functions/index.js';
import { alive, codeFolder, recordingLog, type CodeFolder } from './fixtures.js';

let code: CodeFolder;
let functions: LocalFunctions;
const logged = recordingLog();
let appSource: string;

function payload(result: FunctionResult): unknown {
  if (!result.ok) throw new Error(`expected a result, got ${result.errorType}: ${result.errorMessage}`);
  return result.payload;
}

function failure(result: FunctionResult): Extract<FunctionResult, { ok: false }> {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.payload)}`);
  return result;
}

beforeAll(() => {
  code = codeFolder('py-fns');
  appSource = `import os, sys, time
from decimal import Decimal

invocations = 0

def handler(event, context):
    global invocations
    invocations += 1
    print("handling", context.aws_request_id)
    return {"echo": event, "invocations": invocations, "pid": os.getpid(), "price": Decimal("12.50"), "count": Decimal("3")}

def context_fields(event, context):
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
    }

def env(event, context):
    return dict(os.environ)

class OrderError(Exception):
    pass

def fails(event, context):
    raise OrderError("order %s is invalid" % event["id"])

def slow(event, context):
    print("started", os.getpid())
    time.sleep(60)

def hogs_memory(event, context):
    kept = []
    while True:
        kept.append(" " * 10_000_000)

def exits(event, context):
    sys.exit(2)

def unserializable(event, context):
    return {1, 2}
`;
  code.write('app.py', appSource);
  code.write('pkg/inner.py', `def run(event, context):\n    return {"nested": True}\n`);
  const at = (Handler: string, more: object = {}) => ({ CodeUri: code.dir, Handler, Runtime: 'python3.12', ...more });
  functions = new LocalFunctions(
    {
      echo: at('app.handler'),
      ctx: at('app.context_fields', { MemorySize: 512, Timeout: 5 }),
      env: at('app.env', { Environment: { Variables: { TABLE_NAME: 'orders' } } }),
      fails: at('app.fails'),
      slow: at('app.slow', { Timeout: 1 }),
      oom: at('app.hogs_memory', { MemorySize: 128, Timeout: 30 }),
      exits: at('app.exits'),
      unserializable: at('app.unserializable'),
      nested: at('pkg/inner.run'),
      missingModule: at('nothere.handler'),
      missingHandler: at('app.nothere'),
    },
    { log: logged.log },
  );
});

afterAll(async () => {
  await functions?.close();
  code?.remove();
});

describe('LocalFunctions (Python)', () => {
  it('runs a handler in a warm process whose module state lives on', async () => {
    const first = payload(await functions.invoke('echo', { event: { order: 1 }, requestId: 'req-py-1' })) as Record<string, unknown>;
    const second = payload(await functions.invoke('echo', { event: { order: 2 }, requestId: 'req-py-2' })) as Record<string, unknown>;
    expect(first).toMatchObject({ echo: { order: 1 }, invocations: 1, price: 12.5, count: 3 });
    expect(second).toMatchObject({ echo: { order: 2 }, invocations: 2 });
    expect(second.pid).toBe(first.pid);
    expect(await logged.waitFor((line) => line.message === 'handling req-py-2')).toMatchObject({ level: 'info', fields: { function: 'echo', requestId: 'req-py-2', stream: 'stdout' } });
  });

  it("gives Lambda's context", async () => {
    const result = payload(await functions.invoke('ctx', { event: {}, requestId: 'req-py-ctx', region: 'ap-south-1', accountId: '444455556666' })) as Record<string, unknown>;
    expect(result).toMatchObject({
      aws_request_id: 'req-py-ctx',
      function_name: 'ctx',
      function_version: '$LATEST',
      invoked_function_arn: 'arn:aws:lambda:ap-south-1:444455556666:function:ctx',
      memory_limit_in_mb: '512',
      log_group_name: '/aws/lambda/ctx',
    });
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.remaining).toBeLessThanOrEqual(5000);
  });

  it("sets Lambda's variables and keeps the server's environment out", async () => {
    process.env.STEPWISE_SERVER_SECRET = 'must-not-leak';
    try {
      const env = payload(await functions.invoke('env', { event: {}, requestId: 'req-py-env' })) as Record<string, string>;
      expect(env).toMatchObject({ TABLE_NAME: 'orders', AWS_LAMBDA_FUNCTION_NAME: 'env', AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12', _HANDLER: 'app.env', AWS_REGION: 'us-east-1' });
      expect(env.STEPWISE_SERVER_SECRET).toBeUndefined();
    } finally {
      delete process.env.STEPWISE_SERVER_SECRET;
    }
  });

  it("reports an exception as Lambda's Python runtime does", async () => {
    const failed = failure(await functions.invoke('fails', { event: { id: 9 }, requestId: 'req-py-fail' }));
    expect(failed).toMatchObject({ functionError: 'Unhandled', errorType: 'OrderError', errorMessage: 'order 9 is invalid' });
    const line = appSource.split('\n').findIndex((text) => text.includes('raise OrderError')) + 1;
    expect(failed.trace).toEqual([`  File "${join(code.dir, 'app.py')}", line ${line}, in fails\n    raise OrderError("order %s is invalid" % event["id"])\n`]);
  });

  it("times out with Lambda's error and kills the process", async () => {
    const failed = failure(await functions.invoke('slow', { event: {}, requestId: 'req-py-timeout' }));
    expect(failed).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: req-py-timeout Error: Task timed out after 1.00 seconds' });
    const started = await logged.waitFor((line) => line.fields?.requestId === 'req-py-timeout' && line.message.startsWith('started'));
    await expect.poll(() => alive(Number(started.message.split(' ')[1]))).toBe(false);
  });

  it('reports running out of MemorySize as Runtime.OutOfMemory', async () => {
    expect(failure(await functions.invoke('oom', { event: {}, requestId: 'req-py-oom' }))).toMatchObject({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: 'RequestId: req-py-oom Error: Runtime exited with error: signal: killed',
    });
  });

  it('reports sys.exit as Runtime.ExitError', async () => {
    expect(failure(await functions.invoke('exits', { event: {}, requestId: 'req-py-exit' }))).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: req-py-exit Error: Runtime exited with error: exit status 2',
    });
  });

  it('reports a result JSON cannot hold as Runtime.MarshalError', async () => {
    expect(failure(await functions.invoke('unserializable', { event: {}, requestId: 'req-py-marshal' }))).toMatchObject({
      errorType: 'Runtime.MarshalError',
      errorMessage: 'Unable to marshal response: Object of type set is not JSON serializable',
    });
  });

  it("finds dir/module.function handlers and reports init failures with Lambda's errors", async () => {
    expect(payload(await functions.invoke('nested', { event: {}, requestId: 'req-py-nested' }))).toEqual({ nested: true });
    expect(failure(await functions.invoke('missingModule', { event: {}, requestId: 'req-py-import' }))).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Unable to import module 'nothere': No module named 'nothere'",
    });
    expect(failure(await functions.invoke('missingHandler', { event: {}, requestId: 'req-py-handler' }))).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: "Handler 'nothere' missing on module 'app'",
    });
  });
});
