import { afterEach, describe, expect, it } from 'vitest';
import { WAIT, errorOf, harness, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

const ACTIVITY_PREFIX = 'arn:aws:states:us-east-1:123456789012:activity:';

describe('activities', () => {
  it('creates (idempotently), describes, lists and deletes activities', async () => {
    h = harness({ clock: { now: () => 2_000 } });
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
    h = harness();
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
  async function activityWithExecution(): Promise<{ activityArn: string; executionArn: string }> {
    const { activityArn } = await h.ok('CreateActivity', { name: 'act' });
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: await h.createMachine('w', WAIT), name: 'e' });
    return { activityArn, executionArn };
  }

  it('hands out a waiting task once and tells the runner who took it', async () => {
    h = harness();
    const { activityArn, executionArn } = await activityWithExecution();
    const token = await h.runner.scheduleTask(executionArn, { job: 1 }, activityArn);
    expect(await h.ok('GetActivityTask', { activityArn, workerName: 'w1' })).toEqual({ taskToken: token, input: '{"job":1}' });
    expect(h.runner.claimed).toEqual([{ token, workerName: 'w1' }]);
  });

  it('long-polls until a task arrives', async () => {
    h = harness({ limits: { activityPollMs: 5_000 } });
    const { activityArn, executionArn } = await activityWithExecution();
    const poll = h.ok('GetActivityTask', { activityArn });
    await new Promise((r) => setTimeout(r, 50));
    const token = await h.runner.scheduleTask(executionArn, 'late', activityArn);
    expect(await poll).toEqual({ taskToken: token, input: '"late"' });
  });

  it('answers {} when nothing arrives in time, and ActivityDoesNotExist for unknown activities', async () => {
    h = harness({ limits: { activityPollMs: 30 } });
    const { activityArn } = await h.ok('CreateActivity', { name: 'idle' });
    expect(await h.ok('GetActivityTask', { activityArn })).toEqual({});
    expect(errorOf((await h.call('GetActivityTask', { activityArn: `${ACTIVITY_PREFIX}none` })).body).type).toBe('ActivityDoesNotExist');
  });
});

describe('SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat', () => {
  async function openTask(): Promise<string> {
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: await h.createMachine('w', WAIT), name: 'e' });
    return h.runner.scheduleTask(executionArn, {});
  }

  it('passes outcomes to the runner', async () => {
    h = harness();
    const a = await openTask();
    expect(await h.ok('SendTaskHeartbeat', { taskToken: a })).toEqual({});
    expect(await h.ok('SendTaskSuccess', { taskToken: a, output: '{"done": true}' })).toEqual({});
    expect(h.runner.outcomes).toEqual([
      { token: a, outcome: { type: 'heartbeat' } },
      { token: a, outcome: { type: 'success', output: { done: true } } },
    ]);
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: a, output: '{}' })).body).type).toBe('TaskDoesNotExist');
  });

  it('passes failures with their error and cause', async () => {
    h = harness();
    const t = await openTask();
    await h.ok('SendTaskFailure', { taskToken: t, error: 'Custom', cause: 'because' });
    expect(h.runner.outcomes).toEqual([{ token: t, outcome: { type: 'failure', error: 'Custom', cause: 'because' } }]);
  });

  it('refuses garbage tokens, over-long tokens, missing and invalid output', async () => {
    h = harness();
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: 'FakeTaskToken' })).body)).toEqual({ type: 'InvalidToken', message: "Invalid Token: 'Invalid token'" });
    expect(errorOf((await h.call('SendTaskHeartbeat', { taskToken: 't'.repeat(2049) })).body).message).toContain("at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048");
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: 'x' })).body)).toEqual({
      type: 'ValidationException',
      message: "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must not be null",
    });
    const t = await openTask();
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: t, output: '{oops' })).body).type).toBe('InvalidOutput');
    expect(errorOf((await h.call('SendTaskSuccess', { taskToken: t, output: `"${'a'.repeat(262_144)}"` })).body).message).toContain(
      "Value at 'output' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
    );
  });
});
