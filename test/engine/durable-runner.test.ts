import { describe, expect, it } from 'vitest';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { NewExecution } from '../../src/api/runner.js';
import { ENGINE_VERSION } from '../../src/engine/version.js';
import { newExecutionSeed } from '../../src/runtime/execution-secrets.js';
import type { Store } from '../../src/store/types.js';
import type { TaskHandler } from '../../src/runtime/memory-driver.js';

const region = 'us-east-1';
const accountId = '111111111111';
const smArn = `arn:aws:states:${region}:${accountId}:stateMachine:demo`;

function newExecution(name: string, definition: object, input: unknown = {}): NewExecution {
  return {
    arn: `arn:aws:states:${region}:${accountId}:execution:demo:${name}`,
    stateMachineArn: smArn,
    name,
    type: 'STANDARD',
    input: JSON.stringify(input),
    startDate: Date.now(),
    definition: JSON.stringify(definition),
    roleArn: `arn:aws:iam::${accountId}:role/r`,
    redriveCount: 0,
    seed: newExecutionSeed(),
    engineVersion: ENGINE_VERSION,
  };
}

function runner(store: Store, extra: { taskHandlers?: Record<string, TaskHandler>; waitTimeScale?: number } = {}) {
  return new DurableRunner({ store, region, accountId, ...extra });
}

async function settled(store: Store, arn: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await store.getExecution(arn);
    if (record && record.status !== 'RUNNING') return record;
    if (Date.now() > deadline) throw new Error(`still running: ${arn}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function history(store: Store, arn: string) {
  return store.getEvents(arn, { limit: 10_000 });
}

function expectDense(events: ReadonlyArray<{ id: number; previousEventId: number }>) {
  events.forEach((e, i) => {
    expect(e.id).toBe(i + 1);
    expect(e.previousEventId).toBe(i);
  });
}

const activityArn = `arn:aws:states:${region}:${accountId}:activity:work`;
const waitThenActivity = {
  StartAt: 'W',
  States: {
    W: { Type: 'Wait', Seconds: 1, Next: 'A' },
    A: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 60, End: true },
  },
};

describe('DurableRunner', () => {
  it('commits a run of Pass states in one decision', async () => {
    const store = new MemoryStore();
    const r = runner(store);
    const exec = newExecution('pass', { StartAt: 'A', States: { A: { Type: 'Pass', Result: 1, Next: 'B' }, B: { Type: 'Pass', End: true } } });
    expect(await r.start(exec)).toBe(true);
    const record = await store.getExecution(exec.arn);
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: '1', lastEventId: 6 });
    expectDense(await history(store, exec.arn));
    expect(await r.start(exec)).toBe(false); // the ARN exists
  });

  it('fires durable timers and hands activity tasks out once', async () => {
    const store = new MemoryStore();
    const r = runner(store, { waitTimeScale: 0.01 });
    const exec = newExecution('act', waitThenActivity, { n: 1 });
    await r.start(exec);
    expect((await store.timersOf(exec.arn)).length).toBeGreaterThan(0);
    let task;
    for (let i = 0; i < 100 && !task; i++) {
      task = await store.claimActivityTask(activityArn, 'w1', Date.now());
      if (!task) await new Promise((res) => setTimeout(res, 10));
    }
    expect(task).toBeDefined();
    expect(JSON.parse(task!.input)).toEqual({ n: 1 });
    expect(await store.claimActivityTask(activityArn, 'w2', Date.now())).toBeUndefined();
    await r.activityTaskClaimed(task!, 'w1');
    await r.completeTask(task!.token, { type: 'success', output: { done: true } });
    await expect(r.completeTask(task!.token, { type: 'success', output: {} })).rejects.toMatchObject({ type: 'TaskTimedOut' });
    const record = await settled(store, exec.arn);
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
    const events = await history(store, exec.arn);
    expectDense(events);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'TaskStateEntered', 'ActivityScheduled',
      'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
  });

  it('resumes after a crash: a new runner on the same store finishes the execution', async () => {
    const store = new MemoryStore();
    const first = runner(store, { waitTimeScale: 0.05 });
    const exec = newExecution('crash', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', Result: 'ok', End: true } } });
    await first.start(exec);
    await first.close(); // the process "dies" before the timer fires
    expect((await store.getExecution(exec.arn))!.status).toBe('RUNNING');
    const second = runner(store, { waitTimeScale: 0.05 });
    await second.resume();
    const record = await settled(store, exec.arn);
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: '"ok"' });
    expectDense(await history(store, exec.arn));
    await second.close();
  });

  it('re-invokes a local task that was in flight at the crash, and replays to the same history', async () => {
    const store = new MemoryStore();
    let calls = 0;
    const slow: TaskHandler = () => new Promise(() => { calls++; });
    const first = runner(store, { taskHandlers: { T: slow } });
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
    const exec = newExecution('inflight', def);
    await first.start(exec);
    await new Promise((r) => setTimeout(r, 20));
    await first.close();
    const second = runner(store, { taskHandlers: { T: () => { calls++; return { answered: true }; } } });
    await second.resume();
    const record = await settled(store, exec.arn);
    expect(calls).toBe(2);
    expect(record.output).toBe('{"answered":true}');
    const types = (await history(store, exec.arn)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(1);
    await second.close();
  });

  it('fails, with the reason, an execution whose rebuilt history differs from the stored one in an event’s details', async () => {
    const store = new MemoryStore();
    const first = runner(store);
    const def = { StartAt: 'P', States: { P: { Type: 'Pass', Result: { n: 1 }, Next: 'W' }, W: { Type: 'Wait', Seconds: 3600, End: true } } };
    const exec = newExecution('tampered', def);
    await first.start(exec);
    await first.close();
    // The stored PassStateExited says something the definition would not produce.
    const state = (store as unknown as { executions: Map<string, { events: Array<{ type: string; details?: Record<string, unknown> }> }> }).executions.get(exec.arn)!;
    const exited = state.events.find((e) => e.type === 'PassStateExited')!;
    exited.details = { ...exited.details, output: '{"n":2}' };
    const second = runner(store);
    await second.resume();
    const record = await settled(store, exec.arn);
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(record.cause).toMatch(/^Replaying the execution produced event 3 \(PassStateExited 'P'\) with other details than the stored one\.$/);
    await second.close();
  });

  it('answers callback tasks by token, and stops executions', async () => {
    const store = new MemoryStore();
    const r = runner(store);
    const def = {
      StartAt: 'Cb',
      States: { Cb: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { 'token.$': '$$.Task.Token' }, End: true } },
    };
    const a = newExecution('cb', def);
    await r.start(a);
    const [task] = await store.tasksOf(a.arn);
    expect(task).toBeDefined();
    await r.completeTask(task!.token, { type: 'failure', error: 'Nope', cause: 'declined' });
    expect(await settled(store, a.arn)).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'declined' });

    const b = newExecution('stop', def);
    await r.start(b);
    await r.stop(b.arn, 'Manual', 'operator');
    expect(await settled(store, b.arn)).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'operator' });
    const [open] = await store.tasksOf(b.arn);
    expect(open!.status).toBe('CLOSED');
    await r.close();
  });

  it('redrives a failed execution from the state that failed', async () => {
    const store = new MemoryStore();
    let failNext = true;
    const r = runner(store, {
      taskHandlers: {
        T: () => {
          if (failNext) { failNext = false; throw Object.assign(new Error('flaky'), { name: 'Flaky' }); }
          return 'second time lucky';
        },
      },
    });
    const def = { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'T' }, T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
    const exec = newExecution('redrive', def);
    await r.start(exec);
    expect(await settled(store, exec.arn)).toMatchObject({ status: 'FAILED', error: 'Flaky' });
    await r.redrive(exec.arn);
    const record = await settled(store, exec.arn);
    expect(record).toMatchObject({ status: 'SUCCEEDED', output: '"second time lucky"', redriveCount: 1 });
    const types = (await history(store, exec.arn)).map((e) => e.type);
    expect(types).toContain('ExecutionRedriven');
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(1); // P is not run again
    expectDense(await history(store, exec.arn));
    await r.close();
  });
});

describe('DurableRunner limits', () => {
  it('fails an execution whose history would pass maxHistoryEvents, with the failure as the last event', async () => {
    const store = new MemoryStore();
    const r = new DurableRunner({ store, region, accountId, maxHistoryEvents: 50 });
    const loop = {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 1000, Next: 'Count' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const exec = newExecution('long', loop, { n: 0 });
    await r.start(exec);
    const record = await settled(store, exec.arn);
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.Runtime', lastEventId: 50 });
    const events = await history(store, exec.arn);
    expect(events).toHaveLength(50);
    expect(events.at(-1)!.type).toBe('ExecutionFailed');
    expectDense(events);
  });

  it('enforces the 256 KiB payload quota by default', async () => {
    const store = new MemoryStore();
    const r = runner(store);
    const def = { StartAt: 'Big', States: { Big: { Type: 'Pass', Parameters: { 'a.$': '$.t', 'b.$': '$.t' }, End: true } } };
    const exec = newExecution('big', def, { t: 'x'.repeat(150 * 1024) });
    await r.start(exec);
    expect(await settled(store, exec.arn)).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });
});
