/**
 * `arn:aws:states:::states:startExecution` tasks start real child executions on the same
 * server: request-response, .sync, .sync:2 and .waitForTaskToken, with AWS's answers, errors,
 * and the child stopped when its .sync task is cancelled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAIL, PASS, SM_PREFIX, WAIT, harness, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

const EXEC_PREFIX = SM_PREFIX.replace(':stateMachine:', ':execution:');

const FROM_INPUT = { 'StateMachineArn.$': '$.target', 'Input.$': '$.payload' };

/** A parent whose one Task starts `$.target`, by default with `$.payload` as input. */
function parent(resource: string, extra: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}, base: Record<string, unknown> = FROM_INPUT): string {
  return JSON.stringify({
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: `arn:aws:states:::states:${resource}`,
        Parameters: { ...base, ...parameters },
        End: true,
        ...extra,
      },
    },
  });
}

const DOUBLE = JSON.stringify({ StartAt: 'D', States: { D: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } } });
const SLOW = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', Result: 'slept', End: true } } });

async function run(definition: string, input: unknown, name = 'p'): Promise<{ executionArn: string; described: any }> {
  const stateMachineArn = await h.createMachine('Parent', definition);
  const { executionArn } = await h.ok('StartExecution', { stateMachineArn, name, input: JSON.stringify(input) });
  return { executionArn, described: await h.settled(executionArn) };
}

function taskEvents(events: any[]): any[] {
  return events.filter((e) => /^Task(Scheduled|Started|Submitted|Succeeded|Failed|TimedOut)$/.test(e.type));
}

describe('states:startExecution', () => {
  it('request-response: starts the child and answers with StartExecution’s response', async () => {
    h = await harness({ clock: { now: () => Date.now() } });
    const target = await h.createMachine('Child', DOUBLE);
    const { executionArn, described } = await run(parent('startExecution', {}, { Name: 'kid' }), { target, payload: { n: 21 } });
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output);
    const childArn = `${EXEC_PREFIX}Child:kid`;
    expect(output).toEqual({
      ExecutionArn: childArn,
      SdkHttpMetadata: {
        AllHttpHeaders: {
          'x-amzn-RequestId': [expect.stringMatching(/^[0-9a-f-]{36}$/)],
          connection: ['keep-alive'],
          'Content-Length': [expect.stringMatching(/^\d+$/)],
          Date: [expect.stringMatching(/GMT$/)],
          'Content-Type': ['application/x-amz-json-1.0'],
        },
        HttpHeaders: expect.objectContaining({ connection: 'keep-alive', 'Content-Type': 'application/x-amz-json-1.0' }),
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: output.SdkHttpMetadata.AllHttpHeaders['x-amzn-RequestId'][0] },
      StartDate: expect.any(Number),
    });
    // StartDate is the child's start, in epoch milliseconds.
    const child = await h.settled(childArn);
    expect(output.StartDate).toBe(Math.round(child.startDate * 1000));
    expect(child).toMatchObject({ status: 'SUCCEEDED', input: '{"n":21}', output: '{"twice":42}' });
    // The parent did not wait: no TaskSubmitted for a request-response task.
    expect(taskEvents(await h.history(executionArn)).map((e) => e.type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
  });

  it('.sync waits for the child and answers with its DescribeExecution, Output as text', async () => {
    h = await harness();
    const target = await h.createMachine('Child', SLOW);
    const { executionArn, described } = await run(parent('startExecution.sync', {}, { Name: 'kid' }), { target, payload: null });
    expect(described.status).toBe('SUCCEEDED');
    const childArn = `${EXEC_PREFIX}Child:kid`;
    const child = await h.ok('DescribeExecution', { executionArn: childArn });
    expect(JSON.parse(described.output)).toEqual({
      ExecutionArn: childArn,
      Input: '{}', // a null Input is sent as {}
      InputDetails: { Included: true },
      Name: 'kid',
      Output: '"slept"',
      OutputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      StartDate: Math.round(child.startDate * 1000),
      StateMachineArn: target,
      Status: 'SUCCEEDED',
      StopDate: Math.round(child.stopDate * 1000),
    });
    const events = taskEvents(await h.history(executionArn));
    expect(events.map((e) => e.type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    expect(events[0].taskScheduledEventDetails).toMatchObject({ resourceType: 'states', resource: 'startExecution.sync' });
    expect(JSON.parse(events[2].taskSubmittedEventDetails.output)).toMatchObject({ ExecutionArn: childArn, StartDate: Math.round(child.startDate * 1000) });
  });

  it('.sync:2 hands over Input and Output as JSON values', async () => {
    h = await harness();
    const target = await h.createMachine('Child', DOUBLE);
    const { described } = await run(parent('startExecution.sync:2'), { target, payload: { n: 4 } });
    const output = JSON.parse(described.output);
    expect(output).toMatchObject({ Input: { n: 4 }, Output: { twice: 8 }, Status: 'SUCCEEDED' });
    // Without a Name the child gets a UUID.
    expect(output.Name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('.sync fails with States.TaskFailed and the child’s description as the cause, which a Catcher sees', async () => {
    h = await harness();
    const target = await h.createMachine('Child', FAIL);
    const failing = await run(parent('startExecution.sync', {}, { Name: 'kid' }), { target, payload: { a: 1 } }, 'p1');
    expect(failing.described).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(failing.described.cause)).toMatchObject({
      Cause: 'it broke',
      Error: 'Boom',
      ExecutionArn: `${EXEC_PREFIX}Child:kid`,
      Input: '{"a":1}',
      Status: 'FAILED',
      RedriveStatus: 'REDRIVABLE',
    });
    const caught = parent('startExecution.sync', { Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Handled' }] }, { Name: 'kid2' });
    const withCatch = JSON.parse(caught);
    withCatch.States.Handled = { Type: 'Pass', End: true };
    await h.ok('UpdateStateMachine', { stateMachineArn: `${SM_PREFIX}Parent`, definition: JSON.stringify(withCatch) });
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: `${SM_PREFIX}Parent`, name: 'p2', input: JSON.stringify({ target, payload: {} }) });
    const handled = await h.settled(executionArn);
    expect(handled.status).toBe('SUCCEEDED');
    expect(JSON.parse(handled.output).failure).toMatchObject({ Error: 'States.TaskFailed' });
  });

  it('fails with the API’s error for a state machine that does not exist, and for a name in use', async () => {
    h = await harness();
    const missing = `${SM_PREFIX}Nope`;
    const { described } = await run(parent('startExecution.sync'), { target: missing, payload: {} }, 'p1');
    expect(described.error).toBe('StepFunctions.StateMachineDoesNotExistException');
    expect(described.cause).toMatch(
      new RegExp(`^State Machine Does Not Exist: '${missing}' \\(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`),
    );
    const target = await h.createMachine('Child', WAIT);
    await h.ok('StartExecution', { stateMachineArn: target, name: 'taken' });
    await h.ok('UpdateStateMachine', { stateMachineArn: `${SM_PREFIX}Parent`, definition: parent('startExecution', {}, { Name: 'taken' }) });
    const clash = await h.ok('StartExecution', { stateMachineArn: `${SM_PREFIX}Parent`, name: 'p3', input: JSON.stringify({ target, payload: {} }) });
    const failed = await h.settled(clash.executionArn);
    expect(failed.error).toBe('StepFunctions.ExecutionAlreadyExistsException');
    expect(failed.cause).toContain(`Execution Already Exists: '${EXEC_PREFIX}Child:taken' (Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists;`);
  });

  it('passes AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID to the child, which links it to its parent', async () => {
    h = await harness();
    const target = await h.createMachine('Child', PASS);
    const definition = parent('startExecution.sync:2', {}, {
      'StateMachineArn.$': '$.target',
      Name: 'kid',
      Input: { 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id', 'n.$': '$.payload.n' },
    }, {});
    const { executionArn, described } = await run(definition, { target, payload: { n: 1 } });
    expect(described.status).toBe('SUCCEEDED');
    const child = await h.ok('DescribeExecution', { executionArn: `${EXEC_PREFIX}Child:kid` });
    expect(JSON.parse(child.input)).toEqual({ AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: executionArn, n: 1 });
  });

  it('.waitForTaskToken starts the child and waits for SendTaskSuccess with the token', async () => {
    h = await harness();
    const target = await h.createMachine('Child', WAIT);
    const definition = parent('startExecution.waitForTaskToken', {}, { 'StateMachineArn.$': '$.target', Name: 'kid', Input: { 'token.$': '$$.Task.Token' } }, {});
    const stateMachineArn = await h.createMachine('Parent', definition);
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn, name: 'p', input: JSON.stringify({ target }) });
    const submitted = await h.waitForEvent(executionArn, 'TaskSubmitted');
    expect(JSON.parse(submitted.taskSubmittedEventDetails.output).ExecutionArn).toBe(`${EXEC_PREFIX}Child:kid`);
    const child = await h.ok('DescribeExecution', { executionArn: `${EXEC_PREFIX}Child:kid` });
    expect(child.status).toBe('RUNNING');
    await h.ok('SendTaskSuccess', { taskToken: JSON.parse(child.input).token, output: '{"answer":42}' });
    const done = await h.settled(executionArn);
    expect(JSON.parse(done.output)).toEqual({ answer: 42 });
    // The child is not waited for, nor stopped: it goes on by itself.
    expect((await h.ok('DescribeExecution', { executionArn: `${EXEC_PREFIX}Child:kid` })).status).toBe('RUNNING');
  });

  it('.sync can also be answered with its task token, as on AWS', async () => {
    h = await harness();
    const target = await h.createMachine('Child', WAIT);
    const stateMachineArn = await h.createMachine('Parent', parent('startExecution.sync', {}, { 'StateMachineArn.$': '$.target', Name: 'kid', Input: { 'token.$': '$$.Task.Token' } }, {}));
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn, name: 'p', input: JSON.stringify({ target }) });
    await h.waitForEvent(executionArn, 'TaskSubmitted');
    const child = await h.ok('DescribeExecution', { executionArn: `${EXEC_PREFIX}Child:kid` });
    await h.ok('SendTaskSuccess', { taskToken: JSON.parse(child.input).token, output: '"by token"' });
    expect(JSON.parse((await h.settled(executionArn)).output)).toBe('by token');
  });

  it('stops a .sync child when the parent is stopped or the task times out', async () => {
    h = await harness();
    const target = await h.createMachine('Child', WAIT);
    const stateMachineArn = await h.createMachine('Parent', parent('startExecution.sync', {}, { Name: 'kid' }));
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn, name: 'p1', input: JSON.stringify({ target, payload: {} }) });
    await h.waitForEvent(executionArn, 'TaskSubmitted');
    await h.ok('StopExecution', { executionArn });
    expect((await h.settled(`${EXEC_PREFIX}Child:kid`)).status).toBe('ABORTED');

    await h.ok('UpdateStateMachine', { stateMachineArn, definition: parent('startExecution.sync', { TimeoutSeconds: 1 }, { Name: 'kid2' }) });
    const timed = await h.ok('StartExecution', { stateMachineArn, name: 'p2', input: JSON.stringify({ target, payload: {} }) });
    const described = await h.settled(timed.executionArn, 5_000);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect((await h.settled(`${EXEC_PREFIX}Child:kid2`)).status).toBe('ABORTED');
  });

  it('runs one child per Map iteration, and an EXPRESS child to its end', async () => {
    h = await harness();
    const standard = await h.createMachine('Child', DOUBLE);
    const express = await h.createMachine('Quick', DOUBLE, { type: 'EXPRESS' });
    const definition = JSON.stringify({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Run',
            States: {
              Run: {
                Type: 'Task',
                Resource: 'arn:aws:states:::states:startExecution.sync:2',
                Parameters: { 'StateMachineArn.$': '$.target', Input: { 'n.$': '$.n' } },
                OutputPath: '$.Output',
                End: true,
              },
            },
          },
          End: true,
        },
      },
    });
    const items = [1, 2, 3].map((n) => ({ n, target: n === 2 ? express : standard }));
    const { described } = await run(definition, { items });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output)).toEqual([{ twice: 2 }, { twice: 4 }, { twice: 6 }]);
    const children = await h.ok('ListExecutions', { stateMachineArn: standard });
    expect(children.executions).toHaveLength(2);
  });
});

describe('aws-sdk:sfn', () => {
  it('lets a child answer its .waitForTaskToken parent with sendTaskSuccess', async () => {
    h = await harness();
    const child = JSON.stringify({
      StartAt: 'Answer',
      States: {
        Answer: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess',
          Parameters: { 'TaskToken.$': '$.token', 'Output.$': "States.JsonToString($.result)" },
          End: true,
        },
      },
    });
    const target = await h.createMachine('Child', child);
    const definition = parent('startExecution.waitForTaskToken', {}, { 'StateMachineArn.$': '$.target', Name: 'kid', Input: { 'token.$': '$$.Task.Token', result: { ok: true } } }, {});
    const { described } = await run(definition, { target });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output)).toEqual({ ok: true });
    // sendTaskSuccess answers with an empty structure.
    const kid = await h.settled(`${EXEC_PREFIX}Child:kid`);
    expect(kid).toMatchObject({ status: 'SUCCEEDED', output: '{}' });
  });

  it('answers with the API’s members in PascalCase, timestamps as ISO-8601, and fails with Sfn.<Error>Exception', async () => {
    h = await harness();
    const definition = JSON.stringify({
      StartAt: 'Describe',
      States: {
        Describe: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:describeExecution', Parameters: { 'ExecutionArn.$': '$$.Execution.Id' }, Next: 'Answer' },
        Answer: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskFailure', Parameters: { TaskToken: 'NoSuchTaskToken' }, End: true },
      },
    });
    const stateMachineArn = await h.createMachine('Self', definition);
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn, name: 'me', input: '{"a":1}' });
    const described = await h.settled(executionArn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'Sfn.InvalidTokenException' });
    expect(described.cause).toMatch(/^Invalid Token: 'Invalid token' \(Service: Sfn, Status Code: 400, Request ID: [0-9a-f-]{36}\) \(SDK Attempt Count: 1\)$/);
    const succeeded = (await h.history(executionArn)).find((e) => e.type === 'TaskSucceeded');
    const output = JSON.parse(succeeded.taskSucceededEventDetails.output);
    expect(output).toMatchObject({ ExecutionArn: executionArn, Name: 'me', Status: 'RUNNING', Input: '{"a":1}', InputDetails: { Included: true }, StateMachineArn: stateMachineArn });
    expect(output.StartDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(output.StartDate)).toBe(Math.round(described.startDate * 1000));
  });
});
