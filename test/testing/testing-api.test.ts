// The testing API (src/testing): runs on virtual time, the result's helpers, and the errors a
// wrongly set up test gets. Everything runs the real engine in memory.
import { describe, expect, it } from 'vitest';
import {
  ExecutionStalledError,
  runStateMachine,
  startStateMachine,
  TestConfigurationError,
  type MockConfigFile,
} from '../../src/testing/index.js';
import { execute } from '../../src/index.js';

const START = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(START) + seconds * 1000).toISOString();
const times = (history: { type: string; timestamp: Date }[], type: string) => history.filter((e) => e.type === type).map((e) => e.timestamp.toISOString());

const LAMBDA = 'arn:aws:states:::lambda:invoke';
const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

describe('virtual time', () => {
  it('passes a 24-hour Wait at once, with its real times in the history and $$', async () => {
    const definition = {
      StartAt: 'Wait a day',
      States: {
        'Wait a day': { Type: 'Wait', Seconds: 86_400, Next: 'Stamp' },
        Stamp: { Type: 'Pass', Parameters: { 'entered.$': '$$.State.EnteredTime', 'started.$': '$$.Execution.StartTime' }, End: true },
      },
    };
    const started = performance.now();
    const run = await runStateMachine(definition, { startTime: START });
    expect(performance.now() - started).toBeLessThan(1_000); // a real day would never pass
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ entered: at(86_400), started: at(0) });
    expect(times(run.history, 'WaitStateExited')).toEqual([at(86_400)]);
    expect(times(run.history, 'ExecutionSucceeded')).toEqual([at(86_400)]);
  });

  it('times out a task that waits for its token after TimeoutSeconds', async () => {
    const definition = { StartAt: 'Approve', States: { Approve: { Type: 'Task', Resource: CALLBACK, TimeoutSeconds: 300, Parameters: { 'token.$': '$$.Task.Token' }, End: true } } };
    const run = await runStateMachine(definition, { startTime: START });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Timeout');
    expect(times(run.history, 'TaskTimedOut')).toEqual([at(300)]);
  });

  it('times out a handler that sleeps past TimeoutSeconds, and aborts it', async () => {
    let aborted = false;
    const definition = { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 300, End: true } } };
    const run = await runStateMachine(definition, {
      startTime: START,
      handlers: {
        Slow: async (_input, context) => {
          context.signal.addEventListener('abort', () => (aborted = true));
          await context.sleep('10m');
          return 'too late';
        },
      },
    });
    expect(run.error).toBe('States.Timeout');
    expect(times(run.history, 'TaskTimedOut')).toEqual([at(300)]);
    expect(aborted).toBe(true);
  });

  it('never lets a handler that takes real time be overtaken by its own timeout', async () => {
    const definition = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 2, HeartbeatSeconds: 1, End: true } } };
    const run = await runStateMachine(definition, {
      handlers: { Work: () => new Promise((resolve) => setTimeout(() => resolve({ done: true }), 50)) },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ done: true });
  });

  it('fails a task whose heartbeats stop, HeartbeatSeconds after the last one', async () => {
    const definition = { StartAt: 'Beat', States: { Beat: { Type: 'Task', Resource: LAMBDA, HeartbeatSeconds: 60, TimeoutSeconds: 3_600, End: true } } };
    const run = await runStateMachine(definition, {
      startTime: START,
      handlers: {
        Beat: async (_input, context) => {
          for (let i = 0; i < 3; i++) {
            await context.sleep('50s');
            context.heartbeat();
          }
          await context.sleep('1h');
        },
      },
    });
    expect(run.error).toBe('States.HeartbeatTimeout');
    expect(times(run.history, 'TaskTimedOut')).toEqual([at(150 + 60)]);
  });

  it('waits out retry back-off on the clock: IntervalSeconds, then BackoffRate', async () => {
    const definition = {
      StartAt: 'Flaky',
      States: { Flaky: { Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 3 }], End: true } },
    };
    const run = await runStateMachine(definition, { startTime: START, mocks: { Flaky: [{ Throw: { Error: 'Busy' } }, { Throw: { Error: 'Busy' } }, { Return: 'ok' }] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries('Flaky')).toBe(2);
    expect(times(run.history, 'TaskScheduled')).toEqual([at(0), at(10), at(40)]);
  });

  it("ends the execution TIMED_OUT at the definition's TimeoutSeconds", async () => {
    const definition = { TimeoutSeconds: 3_600, StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 7_200, End: true } } };
    const run = await runStateMachine(definition, { startTime: START });
    expect(run.status).toBe('TIMED_OUT');
    expect(times(run.history, 'ExecutionTimedOut')).toEqual([at(3_600)]);
  });

  it('lets a test interleave time and callbacks: advance(), heartbeats, sendTaskSuccess', async () => {
    const definition = {
      StartAt: 'Approve',
      States: {
        Approve: { Type: 'Task', Resource: CALLBACK, HeartbeatSeconds: 600, Parameters: { 'token.$': '$$.Task.Token', 'order.$': '$.order' }, Next: 'Done' },
        Done: { Type: 'Pass', End: true },
      },
    };
    const run = startStateMachine(definition, { startTime: START, input: { order: 7 } });
    const task = await run.waitForTask('Approve');
    expect(task.input).toEqual({ token: task.taskToken, order: 7 });
    await run.advance('9m');
    run.sendTaskHeartbeat(task.taskToken);
    await run.advance('9m'); // 18 minutes in, 9 since the heartbeat: still alive
    expect(run.done).toBe(false);
    expect(run.now().toISOString()).toBe(at(18 * 60));
    run.sendTaskSuccess(task.taskToken, { approved: true });
    const result = await run.finish();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ approved: true });
    expect(times(result.history, 'TaskSucceeded')).toEqual([at(18 * 60)]);
    expect(() => run.sendTaskSuccess(task.taskToken, {})).toThrow('Task Timed Out');
    expect(() => run.sendTaskSuccess('nope', {})).toThrow('Invalid Token');
  });

  it('times out a callback in a controlled run only when time is advanced past it', async () => {
    const definition = { StartAt: 'Approve', States: { Approve: { Type: 'Task', Resource: CALLBACK, HeartbeatSeconds: 600, Parameters: { 'token.$': '$$.Task.Token' }, End: true } } };
    const run = startStateMachine(definition, { startTime: START });
    await run.waitForTask('Approve');
    await run.advance('9m');
    expect(run.done).toBe(false);
    await run.advance('2m');
    expect(run.done).toBe(true);
    const result = await run.finish();
    expect(result.error).toBe('States.HeartbeatTimeout');
    expect(times(result.history, 'TaskTimedOut')).toEqual([at(600)]);
  });

  it('says when an execution waits for an answer nobody can give', async () => {
    const definition = { StartAt: 'Approve', States: { Approve: { Type: 'Task', Resource: CALLBACK, Parameters: { 'token.$': '$$.Task.Token' }, End: true } } };
    const error = await runStateMachine(definition).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionStalledError);
    expect((error as ExecutionStalledError).waitingStates).toEqual(['Approve']);
    expect((error as Error).message).toContain("'Approve' waits for an answer");
  });
});

describe('what a run did', () => {
  const definition = {
    StartAt: 'Check',
    States: {
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$.vip', BooleanEquals: true, Next: 'Items' }],
        Default: 'Reject',
      },
      Reject: { Type: 'Fail', Error: 'NotVip', Cause: 'only VIPs' },
      Items: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          StartAt: 'Price',
          States: {
            Price: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:price', Retry: [{ ErrorEquals: ['Busy'], MaxAttempts: 2, IntervalSeconds: 1 }], End: true },
          },
        },
        ResultPath: '$.prices',
        Next: 'Charge',
      },
      Charge: {
        Type: 'Task',
        Resource: LAMBDA,
        Catch: [{ ErrorEquals: ['Declined'], ResultPath: '$.failure', Next: 'Declined' }],
        Next: 'Done',
      },
      Declined: { Type: 'Pass', End: true },
      Done: { Type: 'Succeed' },
    },
  };

  it('reports the path, the states, retries, the Catcher taken, Map iterations and handler calls', async () => {
    let priceCalls = 0;
    const run = await runStateMachine(definition, {
      input: { vip: true, items: [1, 2, 3] },
      handlers: {
        Price: async (item, context) => {
          priceCalls++;
          if (item === 2 && priceCalls < 4) throw Object.assign(new Error('try again'), { name: 'Busy' });
          if (item === 3) {
            await context.sleep('5s'); // after item 2's retry (1 s): the Map fails once this throws
            throw Object.assign(new Error('no price'), { name: 'NoPrice' });
          }
          return (item as number) * 10;
        },
      },
      mocks: { Charge: { Throw: { Error: 'Declined', Cause: 'card expired' } } },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('NoPrice');
    expect(run.path()).toEqual(['Check', 'Items']);
    expect(run.state('Check').output).toEqual({ vip: true, items: [1, 2, 3] });
    expect(run.state('Reject').entered).toBe(0);
    expect(run.state('Price').entered).toBe(3);
    expect(run.retries('Price')).toBe(1);
    expect(run.mapIterations('Items').map((i) => [i.index, i.status, i.output ?? i.error])).toEqual([
      [0, 'SUCCEEDED', 10],
      [1, 'SUCCEEDED', 20],
      [2, 'FAILED', 'NoPrice'],
    ]);
    expect(run.calls('Price').map((c) => c.input)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(run.calls('Price')).toHaveLength(4);
  });

  it('reports the Catcher that handled an error, with the error', async () => {
    const run = await runStateMachine(definition, {
      input: { vip: true, items: [] },
      mocks: { Charge: { Throw: { Error: 'Declined', Cause: 'card expired' } } },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path()).toEqual(['Check', 'Items', 'Charge', 'Declined']);
    expect(run.caught('Charge')).toEqual({ index: 0, errorEquals: ['Declined'], next: 'Declined', error: 'Declined', cause: 'card expired' });
    expect(run.state('Declined').input).toEqual({ vip: true, items: [], prices: [], failure: { Error: 'Declined', Cause: 'card expired' } });
    expect(run.state('Charge').error).toBe('Declined');
  });

  it("reports a Fail state's error", async () => {
    const run = await runStateMachine(definition, { input: { vip: false } });
    expect(run.path()).toEqual(['Check', 'Reject']);
    expect(run.state('Reject')).toMatchObject({ entered: 1, error: 'NotVip', cause: 'only VIPs' });
    expect(String(run)).toBe('FAILED (NotVip: only VIPs) after Check → Reject');
  });
});

describe('a test set up wrongly fails with a precise error', () => {
  const definition = { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: LAMBDA, Next: 'Done' }, Done: { Type: 'Pass', End: true } } };
  const mockConfig: MockConfigFile = {
    StateMachines: { Orders: { TestCases: { HappyPath: { Charge: 'Charged' }, Typo: { Charg: 'Charged' } } }, Other: { TestCases: {} } },
    MockedResponses: { Charged: { '0': { Return: { ok: true } } } },
  };
  const fails = async (options: Parameters<typeof runStateMachine>[1], message: string) => {
    const error = await runStateMachine(definition, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestConfigurationError);
    expect((error as Error).message).toBe(message);
  };

  it('runs a MockConfigFile test case that is set up right', async () => {
    const run = await runStateMachine(definition, { mockConfig, stateMachineName: 'Orders', testCase: 'HappyPath' });
    expect(run.output).toEqual({ ok: true });
  });

  it('an unknown test case', () =>
    fails({ mockConfig, stateMachineName: 'Orders', testCase: 'Happy' }, "State machine 'Orders' in the mockConfig has no test case 'Happy' (it has 'HappyPath', 'Typo')."));
  it('a missing stateMachineName when the file has several', () =>
    fails({ mockConfig, testCase: 'HappyPath' }, "The mockConfig has several state machines ('Orders', 'Other'): give stateMachineName."));
  it('an unknown state machine', () => fails({ mockConfig, stateMachineName: 'Order', testCase: 'HappyPath' }, "The mockConfig has no state machine 'Order' (it has 'Orders', 'Other')."));
  it('a test case that mocks a state the definition does not have', () =>
    fails({ mockConfig, stateMachineName: 'Orders', testCase: 'Typo' }, "Test case 'Typo' mocks the state 'Charg', which the definition does not have (its states: 'Charge', 'Done')."));
  it('an inline mock for a state that does not exist, or cannot be mocked', async () => {
    await fails({ mocks: { Chrage: { Return: 1 } } }, "mocks has an answer for the state 'Chrage', which the definition does not have (its states: 'Charge', 'Done').");
    await fails({ mocks: { Done: { Return: 1 } } }, "mocks has an answer for 'Done', a Pass state: only Task states (and a Map's ItemReader) call anything that can be mocked.");
    await fails({ mocks: { Charge: { Retrun: 1 } as never } }, "mocks['Charge'] must have exactly one of Return or Throw, not 'Retrun'.");
  });
  it('a handler key that matches no state or resource', () =>
    fails({ handlers: { Charg: () => 1 } }, "handlers has 'Charg', which is neither a state nor a Task resource of the definition (its Task states: 'Charge')."));
  it('execute() refuses a mockConfig that would not apply, as the testing API does', async () => {
    const refused = (options: Parameters<typeof execute>[2]) => execute(definition, {}, options).then(() => 'ran', (e: unknown) => (e as Error).message);
    expect(await refused({ mockConfig, testCase: 'HappyPath' })).toBe("The mockConfig has no state machine 'stepwise' (it has 'Orders', 'Other').");
    expect(await refused({ mockConfig, stateMachineName: 'Orders', testCase: 'Happy' })).toBe("State machine 'Orders' in the mockConfig has no test case 'Happy' (it has 'HappyPath', 'Typo').");
    expect(await refused({ mockConfig, stateMachineName: 'Orders' })).toBe('A mockConfig needs a testCase: which of its test cases answers the tasks.');
    expect(await refused({ testCase: 'HappyPath' })).toBe("testCase 'HappyPath' needs a mockConfig to take it from.");
    expect((await execute(definition, {}, { mockConfig, stateMachineName: 'Orders', testCase: 'HappyPath' })).output).toEqual({ ok: true });
  });

  it('a question about a state the definition does not have', async () => {
    const run = await runStateMachine(definition, { handlers: { [LAMBDA]: () => ({ ok: 1 }) } });
    expect(run.calls(LAMBDA)).toHaveLength(1);
    expect(() => run.state('Chrage')).toThrow("The definition has no state 'Chrage' (its states: 'Charge', 'Done').");
    expect(() => run.calls('Charge')).toThrow(TestConfigurationError);
  });
});

describe('local functions from the project configuration, on virtual time', () => {
  it('calls a real Lambda function in its worker process, whose real time its TimeoutSeconds never overtakes', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { closeTaskIntegrations } = await import('../../src/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-testing-functions-'));
    try {
      // The function takes real time (200 ms) while the state's timeout is 1 s of virtual time.
      writeFileSync(join(dir, 'price.mjs'), 'export const handler = async (event) => { await new Promise((r) => setTimeout(r, 200)); return { price: event.qty * 3 }; };\n');
      const config = join(dir, 'stepwise.config.json');
      writeFileSync(config, JSON.stringify({ functions: { Price: { CodeUri: '.', Handler: 'price.handler', Runtime: 'nodejs20.x' } } }));
      const definition = {
        StartAt: 'Wait',
        States: {
          Wait: { Type: 'Wait', Seconds: 3_600, Next: 'Price' },
          Price: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Price', 'Payload.$': '$' }, OutputPath: '$.Payload', TimeoutSeconds: 1, End: true },
        },
      };
      const run = await runStateMachine(definition, { input: { qty: 7 }, config, startTime: START });
      expect(run.status, String(run)).toBe('SUCCEEDED');
      expect(run.output).toEqual({ price: 21 });
      expect(run.state('Price').visits[0]!.enteredAt.toISOString()).toBe(at(3_600));
    } finally {
      await closeTaskIntegrations();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
