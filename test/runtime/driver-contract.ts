/**
 * The driver contract: the same scenarios, run against each driver (the in-memory `execute()`
 * and the durable runner on each store), so that how a Task is performed cannot drift between
 * them. Each scenario asserts the status, output or error and cause, and the exact sequence of
 * history event types, written out here once for every driver.
 *
 * An adapter runs one execution to its end and hands back what a client would see: the status,
 * output, error, cause and the history in GetExecutionHistory's shape. What happened to a
 * cancelled task is read while the execution still runs (a Catch leads to a Check state whose
 * handler reports it), since an execution's end aborts all of its work in either driver.
 *
 * Tasks answered from outside (an activity worker, SendTaskSuccess with a token) are not part
 * of the contract: in memory nobody outside can answer, so such a task fails at once there.
 */
import { describe, expect, it } from 'vitest';
import type { TaskHandler } from '../../src/runtime/memory-driver.js';
import type { MockedResponse } from '../../src/integrations/mock-config.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '111111111111';

/** One execution for an adapter to run. */
export interface ContractRun {
  readonly definition: object;
  readonly input?: unknown;
  readonly taskHandlers?: Record<string, TaskHandler>;
  /**
   * Step Functions Local mocks: the test case (state name → mocked response name) and the
   * responses. The adapter names the state machine and builds the MockConfigFile around it.
   */
  readonly mock?: { readonly testCase: Record<string, string>; readonly responses: Record<string, Record<string, MockedResponse>> };
  /** State machines `states:startExecution` tasks may start, by name (in REGION and ACCOUNT). */
  readonly stateMachines?: Record<string, object>;
}

export interface ContractOutcome {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** GetExecutionHistory's events (the AWS shape). */
  readonly history: ReadonlyArray<{ type: string } & Record<string, any>>;
}

export interface DriverAdapter {
  run(run: ContractRun): Promise<ContractOutcome>;
}

const LAMBDA = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:work`;
const ACTIVITY = `arn:aws:states:${REGION}:${ACCOUNT}:activity:work`;
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

const task = (resource: string, extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: resource, End: true, ...extra });
const oneTask = (state: object, name = 'Work') => ({ StartAt: name, States: { [name]: state } });
/** The state, going on to `next` instead of ending. */
const goingOn = (state: object, next: string) => {
  const { End: _end, ...rest } = state as Record<string, unknown>;
  return { ...rest, Next: next };
};

/** The event types of a Lambda task state that succeeds at its first call. */
const LAMBDA_SUCCEEDS = ['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited'];

function types(outcome: ContractOutcome): string[] {
  return outcome.history.map((e) => e.type);
}

/** The details of the first event of that type. */
function details(outcome: ContractOutcome, type: string): Record<string, any> {
  const event = outcome.history.find((e) => e.type === type);
  expect(event, `no ${type} event`).toBeDefined();
  const key = Object.keys(event!).find((k) => k.endsWith('EventDetails'));
  return key ? event![key] : {};
}

const CHECK = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:check`;
const CAUGHT_TIMEOUT = { Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Check' }] };

/** Whether `condition` holds within two seconds (polled every 5 ms). */
async function eventually(condition: () => boolean): Promise<boolean> {
  for (const deadline = Date.now() + 2000; !condition(); ) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** Rejects when the signal is aborted, never settles otherwise. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
}

/** Runs the contract against the adapters `adapter` returns (one per run is fine). */
export function driverContract(name: string, adapter: () => DriverAdapter): void {
  describe(`driver contract: ${name}`, () => {
    it('a handler by resource ARN answers a Lambda task', async () => {
      const out = await adapter().run({
        definition: oneTask(task(LAMBDA)),
        input: { n: 4 },
        taskHandlers: { [LAMBDA]: (input) => ({ twice: (input as { n: number }).n * 2 }) },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { twice: 8 } });
      expect(types(out)).toEqual(['ExecutionStarted', ...LAMBDA_SUCCEEDS, 'ExecutionSucceeded']);
    });

    it('a handler that throws fails the task with the thrown name as error and message as cause', async () => {
      const broke = Object.assign(new Error('it broke'), { name: 'Custom.Broke' });
      const out = await adapter().run({ definition: oneTask(task(LAMBDA)), taskHandlers: { Work: () => Promise.reject(broke) } });
      expect(out).toMatchObject({ status: 'FAILED', error: 'Custom.Broke', cause: 'it broke' });
      expect(details(out, 'LambdaFunctionFailed')).toEqual({ error: 'Custom.Broke', cause: 'it broke' });
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed']);

      // A thrown { error, cause } object: its fields, as given.
      const shaped = await adapter().run({ definition: oneTask(task(LAMBDA)), taskHandlers: { Work: () => { throw { error: 'Shaped.Error', cause: 'by fields' }; } } });
      expect(shaped).toMatchObject({ status: 'FAILED', error: 'Shaped.Error', cause: 'by fields' });
    });

    it('a handler by state name beats one by resource ARN', async () => {
      const out = await adapter().run({
        definition: oneTask(task(LAMBDA)),
        taskHandlers: { [LAMBDA]: () => 'by resource', Work: () => 'by name' },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: 'by name' });
    });

    it('mocked responses answer call by call, Throw included, before any handler', async () => {
      let handled = 0;
      const out = await adapter().run({
        definition: oneTask(task(LAMBDA, { Retry: [{ ErrorEquals: ['Mock.Error'], IntervalSeconds: 1, MaxAttempts: 2 }] })),
        taskHandlers: { Work: () => ++handled },
        mock: {
          testCase: { Work: 'Flaky' },
          responses: { Flaky: { '0': { Throw: { Error: 'Mock.Error', Cause: 'first call' } }, '1': { Return: { call: 2 } } } },
        },
      });
      expect(handled).toBe(0);
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { call: 2 } });
      expect(details(out, 'LambdaFunctionFailed')).toEqual({ error: 'Mock.Error', cause: 'first call' });
      expect(types(out)).toEqual([
        'ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
        'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
      ]);
    });

    it('a state the test case does not mock, with no handler, fails with the no-handler failure', async () => {
      const out = await adapter().run({
        definition: { StartAt: 'Mocked', States: { Mocked: goingOn(task(LAMBDA), 'Work'), Work: task(LAMBDA) } },
        mock: { testCase: { Mocked: 'Ok' }, responses: { Ok: { '0': { Return: 1 } } } },
      });
      expect(out).toMatchObject({
        status: 'FAILED',
        error: 'States.TaskFailed',
        cause: `No task handler or mocked response for resource '${LAMBDA}' (state 'Work').`,
      });
      expect(types(out)).toEqual([
        'ExecutionStarted', ...LAMBDA_SUCCEEDS,
        'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed',
      ]);
    });

    it('a mocked callback task is submitted, then answered by its mock', async () => {
      const out = await adapter().run({
        definition: oneTask(task('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } } })),
        mock: { testCase: { Work: 'Answered' }, responses: { Answered: { '0': { Return: { answered: true } } } } },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { answered: true } });
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    });

    it('a mocked activity is taken at once by an imaginary worker', async () => {
      const out = await adapter().run({
        definition: oneTask(task(ACTIVITY)),
        mock: { testCase: { Work: 'Done' }, responses: { Done: { '0': { Return: { done: 1 } } } } },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { done: 1 } });
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    });

    it('a handler for an activity is its worker: it takes the task at once and answers it', async () => {
      const out = await adapter().run({ definition: oneTask(task(ACTIVITY)), input: { n: 1 }, taskHandlers: { [ACTIVITY]: (input) => ({ got: input }) } });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { got: { n: 1 } } });
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    });

    it('a callback task (.waitForTaskToken) is submitted, then answered for its token', async () => {
      const seen: { token?: string; inMessage?: string } = {};
      const out = await adapter().run({
        definition: oneTask(task('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } } })),
        taskHandlers: {
          Work: (input, context) => {
            seen.token = context.taskToken;
            seen.inMessage = (input as { MessageBody: { token: string } }).MessageBody.token;
            return { answeredFor: context.taskToken };
          },
        },
      });
      expect(seen.token).toEqual(expect.any(String));
      expect(seen.inMessage).toBe(seen.token);
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { answeredFor: seen.token } });
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    });

    const startChild = (machine: string, pattern: string, extra: Record<string, unknown> = {}) =>
      oneTask(task(`arn:aws:states:::states:startExecution${pattern}`, { Parameters: { StateMachineArn: machineArn(machine), Name: 'kid', 'Input.$': '$' }, ...extra }));
    const CHILD = { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } } };
    const FAILING = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Child.Broke', Cause: 'no luck' } } };
    const SYNC_TASK = ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted'];

    it('.sync starts a child execution and answers with its description when it succeeds', async () => {
      const out = await adapter().run({ definition: startChild('Child', '.sync'), input: { n: 5 }, stateMachines: { Child: CHILD } });
      expect(out).toMatchObject({
        status: 'SUCCEEDED',
        output: {
          ExecutionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:Child:kid`,
          Input: '{"n":5}',
          Output: '{"twice":10}',
          Status: 'SUCCEEDED',
          StateMachineArn: machineArn('Child'),
          StartDate: expect.any(Number),
          StopDate: expect.any(Number),
        },
      });
      expect(details(out, 'TaskSubmitted').output).toContain(`"ExecutionArn":"arn:aws:states:${REGION}:${ACCOUNT}:execution:Child:kid"`);
      expect(types(out)).toEqual(['ExecutionStarted', ...SYNC_TASK, 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    });

    it('.sync fails with States.TaskFailed and the child’s description as the cause when the child fails', async () => {
      const out = await adapter().run({ definition: startChild('Failing', '.sync'), input: { a: 1 }, stateMachines: { Failing: FAILING } });
      expect(out).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
      expect(JSON.parse(out.cause!)).toMatchObject({ Error: 'Child.Broke', Cause: 'no luck', Status: 'FAILED', Input: '{"a":1}', Name: 'kid' });
      expect(types(out)).toEqual(['ExecutionStarted', ...SYNC_TASK, 'TaskFailed', 'ExecutionFailed']);
    });

    it('request-response answers with StartExecution’s response, without waiting for the child', async () => {
      const out = await adapter().run({ definition: startChild('Child', ''), input: { n: 1 }, stateMachines: { Child: CHILD } });
      expect(out).toMatchObject({
        status: 'SUCCEEDED',
        output: { ExecutionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:Child:kid`, StartDate: expect.any(Number), SdkResponseMetadata: { RequestId: expect.any(String) } },
      });
      expect(Object.keys(out.output as object).sort()).toEqual(['ExecutionArn', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StartDate']);
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    });

    it('a child of a state machine that does not exist fails the task with the API’s error, as the SDK words it', async () => {
      // As AWS recorded it (conformance case test_task_service_sfn.test_start_execution_no_such_arn).
      const out = await adapter().run({ definition: startChild('Nope', ''), stateMachines: { Child: CHILD } });
      expect(out).toMatchObject({ status: 'FAILED', error: 'StepFunctions.StateMachineDoesNotExistException' });
      expect(out.cause).toMatch(
        new RegExp(`^State Machine Does Not Exist: '${machineArn('Nope')}' \\(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`),
      );
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed']);
    });

    it('a child whose input is not JSON fails the task with InvalidExecutionInput', async () => {
      const definition = oneTask(task('arn:aws:states:::states:startExecution.sync', { Parameters: { StateMachineArn: machineArn('Child'), Name: 'kid', Input: 'not json' } }));
      const out = await adapter().run({ definition, stateMachines: { Child: CHILD } });
      expect(out).toMatchObject({ status: 'FAILED', error: 'StepFunctions.InvalidExecutionInputException' });
      // StartExecution's own check and wording, as the API answers a client.
      expect(out.cause).toMatch(
        /^Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting .*' \(Service: AWSStepFunctions; Status Code: 400; Error Code: InvalidExecutionInput; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
      );
    });

    it('a .sync task that times out stops its child', async () => {
      let childSignal: AbortSignal | undefined;
      const holding = oneTask(task(LAMBDA), 'Hold');
      const out = await adapter().run({
        definition: { StartAt: 'Work', States: { Work: goingOn(startChild('Holding', '.sync', { TimeoutSeconds: 1, ...CAUGHT_TIMEOUT }).States.Work, 'Check'), Check: task(CHECK) } },
        stateMachines: { Holding: holding },
        taskHandlers: {
          Hold: (_input, context) => ((childSignal = context.signal), untilAborted(context.signal)),
          // As on AWS the child is stopped (StopExecution) once its task has ended: soon, not at once.
          Check: async () => ({ childAborted: await eventually(() => childSignal?.aborted === true) }),
        },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { childAborted: true } });
      expect(types(out)).toEqual(['ExecutionStarted', ...SYNC_TASK, 'TaskTimedOut', 'TaskStateExited', ...LAMBDA_SUCCEEDS, 'ExecutionSucceeded']);
    });

    it('retries a task whose handler fails, with the same input', async () => {
      const inputs: unknown[] = [];
      const out = await adapter().run({
        definition: oneTask(task(LAMBDA, { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3 }] })),
        input: { try: 1 },
        taskHandlers: {
          Work: (input) => {
            inputs.push(input);
            if (inputs.length < 3) throw Object.assign(new Error(`attempt ${inputs.length}`), { name: 'Flaky' });
            return { attempts: inputs.length };
          },
        },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { attempts: 3 } });
      expect(inputs).toEqual([{ try: 1 }, { try: 1 }, { try: 1 }]);
      const failedAttempt = ['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed'];
      expect(types(out)).toEqual(['ExecutionStarted', 'TaskStateEntered', ...failedAttempt, ...failedAttempt, ...LAMBDA_SUCCEEDS.slice(1), 'ExecutionSucceeded']);
    });

    it('runs a Map of tasks, one handler call per item, results in item order', async () => {
      const out = await adapter().run({
        definition: {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              MaxConcurrency: 1,
              ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Work', States: { Work: task(LAMBDA) } },
              End: true,
            },
          },
        },
        input: [1, 2, 3],
        taskHandlers: { Work: (n) => (n as number) * 10 },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: [10, 20, 30] });
      const iteration = ['MapIterationStarted', ...LAMBDA_SUCCEEDS, 'MapIterationSucceeded'];
      expect(types(out)).toEqual([
        'ExecutionStarted', 'MapStateEntered', 'MapStateStarted', ...iteration, ...iteration, ...iteration, 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
      ]);
    });

    it('times a task out after TimeoutSeconds and aborts its handler', async () => {
      let signal: AbortSignal | undefined;
      const out = await adapter().run({
        definition: { StartAt: 'Work', States: { Work: goingOn(task(LAMBDA, { TimeoutSeconds: 1, ...CAUGHT_TIMEOUT }), 'Check'), Check: task(CHECK) } },
        taskHandlers: {
          Work: (_input, context) => ((signal = context.signal), untilAborted(context.signal)),
          Check: (input) => ({ caught: input, workAborted: signal?.aborted }),
        },
      });
      // A timed-out task hands its Catcher an empty cause.
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { caught: { Error: 'States.Timeout', Cause: '' }, workAborted: true } });
      expect(types(out)).toEqual([
        'ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionTimedOut', 'TaskStateExited',
        ...LAMBDA_SUCCEEDS, 'ExecutionSucceeded',
      ]);
      const timedOut = await adapter().run({
        definition: oneTask(task(LAMBDA, { TimeoutSeconds: 1 })),
        taskHandlers: { Work: (_input, context) => untilAborted(context.signal) },
      });
      expect(timedOut).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
      expect(timedOut.cause ?? '').toBe('');
      expect(types(timedOut)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionTimedOut', 'ExecutionFailed']);
    });

    // Each branch's failure is caught so the execution goes on to Check, which reports what
    // happened to the cancelled task while the execution still runs (its end aborts everything).
    const parallel = (left: object, right: object) => ({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Slow', States: { Slow: left } },
            { StartAt: 'Boom', States: { Boom: right } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Check' }],
          End: true,
        },
        Check: task(CHECK),
      },
    });

    it('cancels a running task (aborting its handler) when a Parallel sibling fails', async () => {
      let slowSignal: AbortSignal | undefined;
      let slowStarted!: () => void;
      const started = new Promise<void>((resolve) => (slowStarted = resolve));
      const out = await adapter().run({
        definition: parallel(task(LAMBDA), task(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:boom`)),
        taskHandlers: {
          Slow: (_input, context) => {
            slowSignal = context.signal;
            slowStarted();
            return untilAborted(context.signal);
          },
          // Fails once its sibling runs, so the sibling is cancelled while it runs.
          Boom: async () => {
            await started;
            throw Object.assign(new Error('sibling failed'), { name: 'Sibling.Failed' });
          },
          Check: (input) => ({ caught: input, slowAborted: slowSignal?.aborted }),
        },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { caught: { Error: 'Sibling.Failed', Cause: 'sibling failed' }, slowAborted: true } });
      expect(types(out)).toEqual([
        'ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted',
        'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted',
        'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted',
        'LambdaFunctionFailed', 'ParallelStateFailed', 'ParallelStateExited', ...LAMBDA_SUCCEEDS, 'ExecutionSucceeded',
      ]);
    });

    it('performs a task cancelled by the very decision that scheduled it, and aborts it at once', async () => {
      let calls = 0;
      let signal: AbortSignal | undefined;
      const out = await adapter().run({
        definition: parallel(task(LAMBDA), { Type: 'Fail', Error: 'Right.Away', Cause: 'at once' }),
        taskHandlers: {
          Slow: (_input, context) => (calls++, (signal = context.signal), untilAborted(context.signal)),
          // Check is scheduled by that same decision: let Slow's handler be called first.
          Check: async (input) => ({ caught: input, slowAborted: await eventually(() => calls === 1 && signal?.aborted === true) }),
        },
      });
      expect(out).toMatchObject({ status: 'SUCCEEDED', output: { caught: { Error: 'Right.Away', Cause: 'at once' }, slowAborted: true } });
      expect(calls).toBe(1);
    });
  });
}
