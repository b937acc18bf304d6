import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_PREFIX, CALLBACK, SM_PREFIX, activityDefinition, errorOf, harness, sleep, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

describe('activities', () => {
  it('creates (idempotently), describes, lists and deletes activities', async () => {
    h = await harness({ clock: { now: () => 2_000 } });
    const created = await h.ok('CreateActivity', { name: 'worker', tags: [{ key: 'k', value: 'v' }] });
    expect(created).toEqual({ activityArn: `${ACTIVITY_PREFIX}worker`, creationDate: 2 });
    expect(await h.ok('CreateActivity', { name: 'worker', tags: [{ key: 'other', value: 'x' }] })).toEqual(created);
    expect(await h.ok('ListTagsForResource', { resourceArn: created.activityArn })).toEqual({ tags: [{ key: 'k', value: 'v' }] });
    expect(await h.ok('DescribeActivity', { activityArn: created.activityArn })).toEqual({ activityArn: created.activityArn, name: 'worker', creationDate: 2 });
    expect(await h.ok('ListActivities')).toEqual({ activities: [{ activityArn: created.activityArn, name: 'worker', creationDate: 2 }] });
    expect(await h.ok('DeleteActivity', { activityArn: created.activityArn })).toEqual({});
    expect(await h.ok('DeleteActivity', { activityArn: created.activityArn })).toEqual({});
    expect(errorOf((await h.call('DescribeActivity', { activityArn: created.activityArn })).body)).toEqual({
      type: 'ActivityDoesNotExist',
      message: `Activity Does Not Exist: '${created.activityArn}'`,
    });
  });

  it('refuses invalid names and ARNs', async () => {
    h = await harness();
    expect(errorOf((await h.call('CreateActivity', { name: 'TestActivity InvalidName$' })).body)).toEqual({
      type: 'InvalidName',
      message: "Invalid Name: 'TestActivity InvalidName$'",
    });
    expect(errorOf((await h.call('DescribeActivity', { activityArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' })).body).type).toBe('InvalidArn');
    expect(errorOf((await h.call('CreateActivity', {})).body).message).toBe(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('GetActivityTask', () => {
  async function activityWithExecution(input = '{"job":1}'): Promise<{ activityArn: string; executionArn: string }> {
    const { activityArn } = await h.ok('CreateActivity', { name: 'act' });
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: await h.createMachine('w', activityDefinition(activityArn)), name: 'e', input });
    return { activityArn, executionArn };
  }

  it('hands out a waiting task once and records who took it', async () => {
    h = await harness({ limits: { activityPollMs: 30 } });
    const { activityArn, executionArn } = await activityWithExecution();
    const task = await h.ok('GetActivityTask', { activityArn, workerName: 'w1' });
    expect(task).toEqual({ taskToken: expect.any(String), input: '{"job":1}' });
    expect(await h.ok('GetActivityTask', { activityArn, workerName: 'w2' })).toEqual({});
    const started = await h.waitForEvent(executionArn, 'ActivityStarted');
    expect(started.activityStartedEventDetails).toEqual({ workerName: 'w1' });
    expect((await h.ok('DescribeExecution', { executionArn })).status).toBe('RUNNING');
  });

  it('long-polls until a task arrives', async () => {
    h = await harness({ limits: { activityPollMs: 5_000 } });
    const { activityArn } = await h.ok('CreateActivity', { name: 'act' });
    const stateMachineArn = await h.createMachine('w', activityDefinition(activityArn));
    const poll = h.ok('GetActivityTask', { activityArn });
    await sleep(50);
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn, input: '"late"' });
    const task = await poll;
    expect(task).toEqual({ taskToken: expect.any(String), input: '"late"' });
    await h.ok('SendTaskSuccess', { taskToken: task.taskToken, output: '"done"' });
    expect(await h.settled(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
  });

  it('answers {} when nothing arrives in time, and ActivityDoesNotExist for unknown activities', async () => {
    h = await harness({ limits: { activityPollMs: 30 } });
    const { activityArn } = await h.ok('CreateActivity', { name: 'idle' });
    expect(await h.ok('GetActivityTask', { activityArn })).toEqual({});
    expect(errorOf((await h.call('GetActivityTask', { activityArn: `${ACTIVITY_PREFIX}none` })).body).type).toBe('ActivityDoesNotExist');
  });
});

describe('SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat', () => {
  /** Starts a callback task and answers its token (as a client reads it from the history). */
  async function openTask(name = 'e'): Promise<{ executionArn: string; token: string }> {
    const arn = (await h.store.getStateMachine(`${SM_PREFIX}cb`)) ? `${SM_PREFIX}cb` : await h.createMachine('cb', CALLBACK);
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: arn, name });
    return { executionArn, token: await h.callbackToken(executionArn) };
  }

  it('completes the task: heartbeats add no event, success ends the execution, a second answer is TaskTimedOut', async () => {
    h = await harness();
    const { executionArn, token } = await openTask();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(await h.ok('SendTaskHeartbeat', { taskToken: token })).toEqual({});
    expect(await h.ok('SendTaskSuccess', { taskToken: token, output: '{"done": true}' })).toEqual({});
    expect(await h.settled(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
    const types = (await h.history(executionArn)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: token, output: '{}' })).body)).toEqual({ type: 'TaskTimedOut', message: 'Task Timed Out' });
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: token })).body).type).toBe('TaskTimedOut');
  });

  it('fails the task with its error and cause', async () => {
    h = await harness();
    const { executionArn, token } = await openTask();
    await h.ok('SendTaskFailure', { taskToken: token, error: 'Custom', cause: 'because' });
    expect(await h.settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'Custom', cause: 'because' });
    const failed = (await h.history(executionArn)).find((e) => e.type === 'TaskFailed');
    expect(failed.taskFailedEventDetails).toMatchObject({ error: 'Custom', cause: 'because', resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken' });
  });

  it('refuses garbage tokens, over-long tokens, missing and invalid output', async () => {
    h = await harness();
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: 'FakeTaskToken' })).body)).toEqual({ type: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: 't'.repeat(2049) })).body).message).toContain("at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048");
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: 'x' })).body)).toEqual({
      type: 'ValidationException',
      message: "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must not be null",
    });
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: '00000000-0000-4000-8000-000000000000', output: '{}' })).body).type).toBe('TaskDoesNotExist');
    const { executionArn, token } = await openTask();
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: token, output: '{oops' })).body).type).toBe('InvalidOutput');
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: token, output: `"${'a'.repeat(262_144)}"` })).body).message).toContain(
      "Value at 'output' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
    );
    expect((await h.ok('DescribeExecution', { executionArn })).status).toBe('RUNNING');
  });
});
