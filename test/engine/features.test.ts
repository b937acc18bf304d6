import { describe, expect, it } from 'vitest';
import { execute } from '../../src/index.js';

const types = (r: { history: Array<{ type: string }> }) => r.history.map((e) => e.type);

describe('heartbeats', () => {
  const def = {
    StartAt: 'T',
    States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', HeartbeatSeconds: 1, End: true } },
  };

  it('fails a silent task with States.HeartbeatTimeout', async () => {
    const result = await execute(def, {}, { taskHandlers: { T: () => new Promise(() => {}) } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(types(result)).toContain('TaskTimedOut');
  });

  it('keeps a task alive while it sends heartbeats', async () => {
    const result = await execute(def, {}, {
      taskHandlers: {
        T: async (_input, ctx) => {
          for (let i = 0; i < 4; i++) {
            await new Promise((r) => setTimeout(r, 400));
            ctx.heartbeat();
          }
          return 'done';
        },
      },
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'done' });
  });
});

describe('variable size limits', () => {
  it('refuses a variable over 256 KiB with States.DataLimitExceeded', async () => {
    const def = { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { 'big.$': '$.text' }, End: true } } };
    const small = await execute(def, { text: 'x'.repeat(1000) });
    expect(small.status).toBe('SUCCEEDED');
    const big = await execute(def, { text: 'x'.repeat(300 * 1024) });
    expect(big).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('lets a Catch on States.ALL handle a task whose Assign is too large', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Assign: { 'big.$': '$' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const result = await execute(def, {}, { taskHandlers: { T: () => 'y'.repeat(300 * 1024) } });
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { Error: string }).Error).toBe('States.DataLimitExceeded');
  });
});

describe('callback and .sync tasks', () => {
  it('hands out $$.Task.Token and records TaskSubmitted before the result', async () => {
    let token: string | undefined;
    const def = {
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { 'token.$': '$$.Task.Token' },
          End: true,
        },
      },
    };
    const result = await execute(def, {}, {
      taskHandlers: { Wait: (input, ctx) => { token = ctx.taskToken; return { echoed: (input as { token: string }).token }; } },
    });
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.output).toEqual({ echoed: token });
    expect(types(result)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted',
      'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    const scheduled = result.history[2] as unknown as { taskScheduledEventDetails: Record<string, unknown> };
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken' });
  });
});

describe('activities', () => {
  it('records Activity events and starts the task when a worker takes it', async () => {
    const arn = 'arn:aws:states:us-east-1:111111111111:activity:review';
    const def = { StartAt: 'A', States: { A: { Type: 'Task', Resource: arn, End: true } } };
    const result = await execute(def, { doc: 1 }, { taskHandlers: { [arn]: (input) => ({ reviewed: input }) } });
    expect(result.output).toEqual({ reviewed: { doc: 1 } });
    expect(types(result)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded',
      'TaskStateExited', 'ExecutionSucceeded',
    ]);
  });
});

describe('Distributed Map', () => {
  const reader = (inputType: string, extra: Record<string, unknown> = {}) => ({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: inputType, ...extra }, Parameters: { Bucket: 'b', 'Key.$': '$.key' } },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    },
  });
  const s3 = (body: string) => ({ 'arn:aws:states:::s3:getObject': (input: unknown) => ({ Body: body, Key: (input as { Key: string }).Key }) });

  it('reads CSV items with a header row, honouring quotes and MaxItems', async () => {
    const body = 'name,note\n"Ann","says ""hi"", twice"\nBob,\nCyd,x\n';
    const all = await execute(reader('CSV', { CSVHeaderLocation: 'FIRST_ROW' }), { key: 'k.csv' }, { taskHandlers: s3(body) });
    expect(all.output).toEqual([
      { name: 'Ann', note: 'says "hi", twice' },
      { name: 'Bob', note: '' },
      { name: 'Cyd', note: 'x' },
    ]);
    const two = await execute(reader('CSV', { CSVHeaderLocation: 'FIRST_ROW', MaxItems: 2 }), { key: 'k.csv' }, { taskHandlers: s3(body) });
    expect(two.output).toHaveLength(2);
    expect(types(two)).toEqual([
      'ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded',
      'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
    ]);
  });

  it('fails with States.ItemReaderFailed when a JSON source is not an array', async () => {
    const result = await execute(reader('JSON'), { key: 'k.json' }, { taskHandlers: s3('{"a":1}') });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed', cause: 'Attempting to map over non-iterable node.' });
  });

  it('reports a ResultWriter destination instead of the results', async () => {
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          Label: 'Batch',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } },
          End: true,
        },
      },
    };
    const result = await execute(def, [1, 2], { stateMachineName: 'orders' });
    const output = result.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    expect(output.MapRunArn).toMatch(/^arn:aws:states:us-east-1:111111111111:mapRun:orders\/Batch:[0-9a-f-]{36}$/);
    const runId = output.MapRunArn.split(':').at(-1);
    expect(output.ResultWriterDetails).toEqual({ Bucket: 'out', Key: `runs/${runId}/manifest.json` });
  });

  it('accepts numbers given as strings in *Path fields, as AWS does', async () => {
    const def = {
      StartAt: 'M',
      States: { M: { Type: 'Map', MaxConcurrencyPath: '$.max', ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
    };
    expect((await execute(def, { max: '1', items: [1, 2] })).output).toEqual([1, 2]);
    const bad = await execute(def, { max: 'one', items: [1] });
    expect(bad).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(bad.cause).toContain('The MaxConcurrencyPath field refers to value "one" which is not a valid integer: $.max');
  });
});

describe('retry back-off', () => {
  it('waits IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke',
          Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 1, BackoffRate: 3, MaxDelaySeconds: 5, MaxAttempts: 3 }],
          End: true,
        },
      },
    };
    const calls: number[] = [];
    const result = await execute(def, {}, {
      waitTimeScale: 0.01, // 1 s of back-off takes 10 ms
      taskHandlers: { T: () => { calls.push(Date.now()); if (calls.length < 4) throw Object.assign(new Error('x'), { name: 'E' }); return 'ok'; } },
    });
    expect(result.output).toBe('ok');
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    // 1 s, 3 s, then 9 s capped at 5 s: scaled to 10, 30 and 50 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(28);
    expect(gaps[2]).toBeGreaterThanOrEqual(48);
    expect(gaps[2]).toBeLessThan(200);
  });
});

describe('payload size limit', () => {
  it('fails a state whose output exceeds maxPayloadBytes with States.DataLimitExceeded', async () => {
    const def = { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Parameters: { 'a.$': '$.text', 'b.$': '$.text' }, End: true } } };
    const input = { text: 'x'.repeat(600) };
    expect((await execute(def, input)).status).toBe('SUCCEEDED'); // no limit unless asked
    const limited = await execute(def, input, { maxPayloadBytes: 1000 });
    expect(limited).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: "The state/task 'Grow' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
  });

  it('fails a task whose result is too large, naming the service, and lets States.ALL catch it', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const result = await execute(def, {}, { maxPayloadBytes: 256 * 1024, taskHandlers: { T: () => ({ blob: 'é'.repeat(140 * 1024) }) } });
    expect(result.output).toEqual({
      Error: 'States.DataLimitExceeded',
      Cause: "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
    expect(types(result)).toContain('TaskFailed');
  });
});
