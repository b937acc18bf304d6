// `execute()` with `stateMachines`: states:startExecution tasks run their child in memory, with
// the answers the server (and AWS) gives: request-response, .sync and .sync:2, failures as
// States.TaskFailed with the child's description, a cancelled task stopping its child.
import { describe, expect, it } from 'vitest';
import { execute, InvalidDefinitionError } from '../../src/index.js';

const CHILD = {
  StartAt: 'Double',
  States: { Double: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } },
};
const FAILING = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Child.Broke', Cause: 'no luck' } } };
const SLEEPY = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } };

function parent(resource: string, stateMachine: string, extra: Record<string, unknown> = {}) {
  return {
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: `arn:aws:states:::states:${resource}`,
        Parameters: { StateMachineArn: `arn:aws:states:us-east-1:111111111111:stateMachine:${stateMachine}`, Name: 'kid', 'Input.$': '$' },
        End: true,
        ...extra,
      },
    },
  };
}

describe('nested executions in memory', () => {
  it('.sync waits for the child and hands over its description, with Output as text', async () => {
    const result = await execute(parent('startExecution.sync', 'Child'), { n: 5 }, { stateMachines: { Child: CHILD } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      ExecutionArn: 'arn:aws:states:us-east-1:111111111111:execution:Child:kid',
      Input: '{"n":5}',
      Output: '{"twice":10}',
      Status: 'SUCCEEDED',
      StartDate: expect.any(Number),
      StopDate: expect.any(Number),
    });
    const types = result.history.map((e) => e.type);
    expect(types.filter((t) => t.startsWith('Task') && !t.includes('State'))).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    const submitted = result.events.find((e) => e.type === 'TaskSubmitted')!;
    expect(submitted.details).toMatchObject({ output: { ExecutionArn: 'arn:aws:states:us-east-1:111111111111:execution:Child:kid' } });
  });

  it('.sync:2 hands over Input and Output as values, and finds the child by ARN too', async () => {
    const arn = 'arn:aws:states:us-east-1:111111111111:stateMachine:Child';
    const result = await execute(parent('startExecution.sync:2', 'Child'), { n: 2 }, { stateMachines: { [arn]: JSON.stringify(CHILD) } });
    expect(result.output).toMatchObject({ Input: { n: 2 }, Output: { twice: 4 } });
  });

  it('request-response answers with the start, without waiting', async () => {
    const result = await execute(parent('startExecution', 'Sleepy'), {}, { stateMachines: { Sleepy: SLEEPY }, waitTimeScale: 0 });
    expect(result.status).toBe('SUCCEEDED');
    expect(Object.keys(result.output as object).sort()).toEqual(['ExecutionArn', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StartDate']);
  });

  it('fails with States.TaskFailed and the child’s description when the child fails', async () => {
    const result = await execute(parent('startExecution.sync', 'Failing'), { a: 1 }, { stateMachines: { Failing: FAILING } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(result.cause!)).toMatchObject({ Error: 'Child.Broke', Cause: 'no luck', Status: 'FAILED', Input: '{"a":1}' });
  });

  it('fails with StepFunctions.StateMachineDoesNotExistException for a machine it was not given', async () => {
    const result = await execute(parent('startExecution.sync', 'Nope'), {}, { stateMachines: { Child: CHILD } });
    expect(result.error).toBe('StepFunctions.StateMachineDoesNotExistException');
    expect(result.cause).toMatch(/^State Machine Does Not Exist: 'arn:aws:states:us-east-1:111111111111:stateMachine:Nope' \(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: [0-9a-f-]{36}; Proxy: null\)$/);
  });

  it('without stateMachines the task needs a handler, and says how to give the machine', async () => {
    const result = await execute(parent('startExecution.sync', 'Child'), {});
    expect(result.error).toBe('States.TaskFailed');
    expect(result.cause).toContain('--state-machine FILE');
  });

  it('stops the child when the task times out', async () => {
    let childSignal: AbortSignal | undefined;
    const waiting = {
      StartAt: 'Hold',
      States: { Hold: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:hold', End: true } },
    };
    const result = await execute(parent('startExecution.sync', 'Waiting', { TimeoutSeconds: 1 }), {}, {
      stateMachines: { Waiting: waiting },
      taskHandlers: {
        Hold: (_input, context) => {
          childSignal = context.signal;
          return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve('stopped')));
        },
      },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(childSignal?.aborted).toBe(true);
  });

  it('refuses an invalid child definition before running anything', async () => {
    const run = execute(parent('startExecution.sync', 'Bad'), {}, { stateMachines: { Bad: { StartAt: 'Missing', States: {} } } });
    await expect(run).rejects.toBeInstanceOf(InvalidDefinitionError);
    await expect(run).rejects.toThrow(/^Invalid State Machine Definition of 'Bad': /);
  });
});
