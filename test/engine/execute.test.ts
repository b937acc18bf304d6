import { describe, expect, it } from 'vitest';
import { execute, InvalidDefinitionError } from '../../src/index.js';

const fast = { waitTimeScale: 0 } as const;

function types(result: { history: Array<{ type: string }> }): string[] {
  return result.history.map((e) => e.type);
}

describe('execute: data flow', () => {
  it('applies InputPath, Parameters, ResultPath and OutputPath in order', async () => {
    const definition = {
      StartAt: 'Shape',
      States: {
        Shape: {
          Type: 'Pass',
          InputPath: '$.order',
          Parameters: { 'id.$': '$.id', 'name.$': '$$.Execution.Name', fixed: 1 },
          ResultPath: '$.shaped',
          OutputPath: '$.shaped',
          End: true,
        },
      },
    };
    const result = await execute(definition, { order: { id: 7 } }, { executionName: 'run-1' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ id: 7, name: 'run-1', fixed: 1 });
  });

  it('keeps the input when ResultPath is null and replaces it by default', async () => {
    const def = (resultPath: string | null | undefined) => ({
      StartAt: 'P',
      States: { P: { Type: 'Pass', Result: { r: 1 }, ...(resultPath !== undefined ? { ResultPath: resultPath } : {}), End: true } },
    });
    expect((await execute(def(null), { a: 1 })).output).toEqual({ a: 1 });
    expect((await execute(def(undefined), { a: 1 })).output).toEqual({ r: 1 });
    expect((await execute(def('$.x.y'), { a: 1 })).output).toEqual({ a: 1, x: { y: { r: 1 } } });
  });

  it('fails with States.Runtime naming the state when an InputPath matches nothing', async () => {
    const result = await execute({ StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.missing', End: true } } }, {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toBe(
      "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']",
    );
  });

  it('rejects an invalid definition before running anything', async () => {
    await expect(execute({ StartAt: 'Nope', States: { P: { Type: 'Pass', End: true } } }, {})).rejects.toBeInstanceOf(InvalidDefinitionError);
  });
});

describe('execute: Choice, Wait, Succeed, Fail', () => {
  const choice = {
    StartAt: 'Pick',
    States: {
      Pick: {
        Type: 'Choice',
        Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }],
        Default: 'Small',
      },
      Big: { Type: 'Succeed' },
      Small: { Type: 'Fail', Error: 'TooSmall', Cause: 'n is small' },
    },
  };

  it('follows the first matching rule or the Default', async () => {
    expect((await execute(choice, { n: 11 })).status).toBe('SUCCEEDED');
    const small = await execute(choice, { n: 1 });
    expect(small).toMatchObject({ status: 'FAILED', error: 'TooSmall', cause: 'n is small' });
    expect(types(small)).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ChoiceStateExited', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('fails with States.NoChoiceMatched when nothing matches and there is no Default', async () => {
    const def = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'E' }] }, E: { Type: 'Succeed' } } };
    const result = await execute(def, { n: 2 });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.NoChoiceMatched');
  });

  it('waits for real time unless scaled', async () => {
    const def = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } };
    const started = Date.now();
    const scaled = await execute(def, { a: 1 }, { waitTimeScale: 0.05 });
    expect(scaled.output).toEqual({ a: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(types(scaled)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  it('reads Wait seconds from SecondsPath', async () => {
    const def = { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } };
    expect((await execute(def, { s: 2 }, fast)).status).toBe('SUCCEEDED');
    const bad = await execute(def, { s: 'two' }, fast);
    expect(bad.status).toBe('FAILED');
    expect(bad.error).toBe('States.Runtime');
  });
});

describe('execute: tasks, retry and catch', () => {
  it('calls the handler for the resource and records Lambda events', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:double';
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: arn, ResultPath: '$.doubled', End: true } } };
    const result = await execute(def, { n: 4 }, { taskHandlers: { [arn]: (input) => (input as { n: number }).n * 2 } });
    expect(result.output).toEqual({ n: 4, doubled: 8 });
    expect(types(result)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted',
      'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
  });

  it('retries with MaxAttempts then catches into ResultPath', async () => {
    let calls = 0;
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 2, IntervalSeconds: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const result = await execute(def, { a: 1 }, {
      ...fast,
      taskHandlers: {
        T: () => {
          calls++;
          throw Object.assign(new Error('try again'), { name: 'Flaky' });
        },
      },
    });
    expect(calls).toBe(3);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ a: 1, error: { Error: 'Flaky', Cause: 'try again' } });
    expect(types(result).filter((t) => t === 'TaskFailed')).toHaveLength(3);
  });

  it('exposes $$.State.RetryCount to the task', async () => {
    const seen: unknown[] = [];
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { 'count.$': '$$.State.RetryCount' },
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
          End: true,
        },
      },
    };
    const result = await execute(def, {}, {
      ...fast,
      taskHandlers: { T: (input) => { seen.push(input); if (seen.length < 3) throw new Error('no'); return 'ok'; } },
    });
    expect(result.output).toBe('ok');
    expect(seen).toEqual([{ count: 0 }, { count: 1 }, { count: 2 }]);
  });

  it('times a task out with States.Timeout', async () => {
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 1, End: true } } };
    const result = await execute(def, {}, { taskHandlers: { T: () => new Promise(() => {}) } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(result)).toContain('TaskTimedOut');
  });

  it('does not let States.ALL catch States.Runtime', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', OutputPath: '$.missing',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true,
        },
        C: { Type: 'Succeed' },
      },
    };
    const result = await execute(def, {}, { taskHandlers: { T: () => ({}) } });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
  });
});

describe('execute: Parallel and Map', () => {
  it('returns Parallel branch results in branch order', async () => {
    const def = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 1, Next: 'A2' }, A2: { Type: 'Pass', Result: 'a', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', End: true } } },
          ],
          End: true,
        },
      },
    };
    const result = await execute(def, {}, fast);
    expect(result.output).toEqual(['a', 'b']);
  });

  it('fails a Parallel with its branch error, which a Catch can handle', async () => {
    const def = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'bad' } } },
            { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 100, End: true } } },
          ],
          Catch: [{ ErrorEquals: ['Boom'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const result = await execute(def, {}, { waitTimeScale: 1 });
    expect(result.output).toEqual({ Error: 'Boom', Cause: 'bad' });
  });

  it('maps items with ItemSelector, $$.Map.Item and MaxConcurrency', async () => {
    let running = 0;
    let peak = 0;
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 2,
          ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'tag.$': '$.tag' },
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
          End: true,
        },
      },
    };
    const result = await execute(def, { items: ['x', 'y', 'z'], tag: 't' }, {
      taskHandlers: {
        T: async (input) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          return input;
        },
      },
    });
    expect(result.output).toEqual([
      { index: 0, value: 'x', tag: 't' },
      { index: 1, value: 'y', tag: 't' },
      { index: 2, value: 'z', tag: 't' },
    ]);
    expect(peak).toBe(2);
  });

  it('tolerates failed iterations up to ToleratedFailureCount', async () => {
    const def = (count: number) => ({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ToleratedFailureCount: count,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'C',
            States: {
              C: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 0, Next: 'F' }], Default: 'S' },
              F: { Type: 'Fail', Error: 'Zero' },
              S: { Type: 'Succeed' },
            },
          },
          End: true,
        },
      },
    });
    const ok = await execute(def(1), [1, 0, 2]);
    expect(ok.status).toBe('SUCCEEDED');
    const failed = await execute(def(0), [1, 0, 2]);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });
});

describe('execute: variables and JSONata', () => {
  it('makes assignments visible after the state, and inner scopes read outer variables', async () => {
    const def = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { x: 1 }, Next: 'B' },
        B: { Type: 'Pass', Assign: { x: 2 }, Parameters: { 'seen.$': '$x' }, Next: 'M' },
        M: {
          Type: 'Map',
          ItemsPath: '$.list',
          ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', Parameters: { 'outer.$': '$x' }, Assign: { x: 99 }, End: true } } },
          ResultPath: '$.mapped',
          Next: 'C',
        },
        C: { Type: 'Pass', Parameters: { 'seen.$': '$.seen', 'mapped.$': '$.mapped', 'x.$': '$x' }, End: true },
      },
    };
    const result = await execute(def, {});
    expect(result.status).toBe('FAILED'); // $.list is missing: ItemsPath must name a value
    const ok = await execute({ ...def, States: { ...def.States, B: { ...def.States.B, Parameters: { 'seen.$': '$x', list: [1, 2] } } } }, {});
    expect(ok.output).toEqual({ seen: 1, mapped: [{ outer: 2 }, { outer: 2 }], x: 2 });
  });

  it('evaluates JSONata Output, Assign and $states', async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { total: '{% $sum($states.input.prices) %}' }, Output: { count: '{% $count($states.input.prices) %}' }, Next: 'B' },
        B: { Type: 'Pass', Output: '{% { "count": $states.input.count, "total": $total } %}', End: true },
      },
    };
    const result = await execute(def, { prices: [1, 2, 3.5] });
    expect(result.output).toEqual({ count: 3, total: 6.5 });
  });
});

describe('execute: execution-level behaviour', () => {
  it('times the whole execution out after TimeoutSeconds', async () => {
    const def = { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } };
    const result = await execute(def, {});
    expect(result.status).toBe('TIMED_OUT');
    expect(types(result).at(-1)).toBe('ExecutionTimedOut');
  });

  it('aborts when the signal fires', async () => {
    const controller = new AbortController();
    const def = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } };
    setTimeout(() => controller.abort(), 20);
    const result = await execute(def, {}, { signal: controller.signal });
    expect(result.status).toBe('ABORTED');
  });

  it('records dense event ids and links each event to the previous one', async () => {
    const def = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } };
    const { history } = await execute(def, {});
    history.forEach((event, i) => {
      expect(event.id).toBe(i + 1);
      expect(event.previousEventId).toBe(i);
    });
    expect(history[0]).toMatchObject({ type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } });
    expect(history[1]).toMatchObject({ stateEnteredEventDetails: { name: 'A', input: '{}' } });
  });

  it('is deterministic: the same run (and seed) gives the same history, UUIDs included', async () => {
    const def = {
      StartAt: 'U',
      States: { U: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()', 'r.$': 'States.MathRandom(1, 1000)' }, End: true } },
    };
    const clock = { now: () => 1_700_000_000_000 };
    const seed = '5eed'.repeat(16);
    const a = await execute(def, {}, { clock, executionName: 'same', seed });
    const b = await execute(def, {}, { clock, executionName: 'same', seed });
    expect(a.output).toEqual(b.output);
    expect(a.history).toEqual(b.history);
  });

  it('uses Step Functions Local mocks by call number, with ranges and Throw', async () => {
    const def = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Retry: [{ ErrorEquals: ['E'], MaxAttempts: 3 }], End: true },
      },
    };
    const mockConfig = {
      StateMachines: { sm: { TestCases: { happy: { T: 'flaky' } } } },
      MockedResponses: { flaky: { '0-1': { Throw: { Error: 'E', Cause: 'c' } }, '2': { Return: { ok: true } } } },
    };
    const result = await execute(def, {}, { ...fast, mockConfig, stateMachineName: 'sm', testCase: 'happy' });
    expect(result.output).toEqual({ ok: true });
    expect(types(result).filter((t) => t === 'TaskFailed')).toHaveLength(2);
  });
});
