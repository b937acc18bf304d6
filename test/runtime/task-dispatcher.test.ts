// Tasks in flight when the server stops are performed again by the task dispatcher after the
// restart (durable runner, real SQLite file): a mock answers with the same response as before,
// a handler (an activity's too) runs again, and a task answered from outside keeps waiting for
// its token, recording its submission once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewExecution } from '../../src/api/runner.js';
import { ENGINE_VERSION } from '../../src/engine/version.js';
import type { MockConfigFile } from '../../src/integrations/mock-config.js';
import { DurableRunner, type DurableRunnerOptions } from '../../src/runtime/durable-runner.js';
import { newExecutionSeed } from '../../src/runtime/execution-secrets.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';

const region = 'us-east-1';
const accountId = '111111111111';
const LAMBDA = `arn:aws:lambda:${region}:${accountId}:function:work`;
const ACTIVITY = `arn:aws:states:${region}:${accountId}:activity:work`;
const CALLBACK = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const root = mkdtempSync(join(tmpdir(), 'stepwise-dispatch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

function execution(resource: string, testCase?: string): NewExecution {
  const parameters = resource === CALLBACK ? { Parameters: { 'token.$': '$$.Task.Token' } } : {};
  const definition = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: resource, ...parameters, End: true } } };
  return {
    arn: `arn:aws:states:${region}:${accountId}:execution:demo:run`,
    stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:demo`,
    name: 'run',
    type: 'STANDARD',
    input: '{}',
    startDate: Date.now(),
    definition: JSON.stringify(definition),
    roleArn: `arn:aws:iam::${accountId}:role/r`,
    redriveCount: 0,
    seed: newExecutionSeed(),
    engineVersion: ENGINE_VERSION,
    ...(testCase !== undefined ? { testCase } : {}),
  };
}

const runnerOn = (store: Store, extra: Partial<DurableRunnerOptions> = {}) => new DurableRunner({ store, region, accountId, ...extra });

/**
 * Starts the execution, then "kills the process" before any answer of its task is committed
 * (the store is closed under the runner), and opens a new runner on the same file.
 */
async function crashAndRestart(exec: NewExecution, before: Partial<DurableRunnerOptions>, after: Partial<DurableRunnerOptions>) {
  const file = join(root, `run-${++files}.db`);
  const first = await openSqliteStore(file);
  const dying = runnerOn(first, before);
  await dying.start(exec);
  await first.close();
  await dying.close();
  const store = await openSqliteStore(file);
  const runner = runnerOn(store, after);
  await runner.resume();
  return { store, runner };
}

async function settled(store: Store, arn: string) {
  for (const deadline = Date.now() + 5000; ; ) {
    const record = (await store.getExecution(arn))!;
    if (record.status !== 'RUNNING') return record;
    if (Date.now() > deadline) throw new Error(`still running: ${arn}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const mocks: MockConfigFile = {
  StateMachines: { demo: { TestCases: { Restart: { Work: 'Calls' } } } },
  MockedResponses: { Calls: { '0': { Return: 'first call' }, '1': { Return: 'second call' } } },
};

describe('tasks in flight at a crash, after the restart', () => {
  for (const [kind, resource] of [['Lambda', LAMBDA], ['activity', ACTIVITY], ['callback', CALLBACK]] as const) {
    it(`a mocked ${kind} task gets the response of its call again, not the next one`, async () => {
      const exec = execution(resource, 'Restart');
      const { store, runner } = await crashAndRestart(exec, { mockConfig: mocks }, { mockConfig: mocks });
      expect(await settled(store, exec.arn)).toMatchObject({ status: 'SUCCEEDED', output: '"first call"' });
      await runner.close();
      await store.close();
    });
  }

  it('an activity worked by a handler is worked again', async () => {
    const exec = execution(ACTIVITY);
    const { store, runner } = await crashAndRestart(exec, { taskHandlers: { Work: () => new Promise(() => {}) } }, { taskHandlers: { Work: () => 'worked again' } });
    expect(await settled(store, exec.arn)).toMatchObject({ status: 'SUCCEEDED', output: '"worked again"' });
    const types = (await store.getEvents(exec.arn, { limit: 100 })).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    await runner.close();
    await store.close();
  });

  it('rebuilding an execution that waits for a token writes nothing', async () => {
    const file = join(root, `run-${++files}.db`);
    let store = await openSqliteStore(file);
    const exec = execution(CALLBACK);
    const first = runnerOn(store);
    await first.start(exec);
    for (const deadline = Date.now() + 5000; (await store.getEvents(exec.arn, { limit: 100 })).every((e) => e.type !== 'TaskSubmitted'); ) {
      if (Date.now() > deadline) throw new Error('not submitted');
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.close();
    await store.close();
    store = await openSqliteStore(file);
    const logged = (await store.getTriggers(exec.arn)).length;
    const runner = runnerOn(store);
    await runner.resume();
    await new Promise((r) => setTimeout(r, 100)); // the rebuild runs in the background
    expect((await store.getTriggers(exec.arn)).length).toBe(logged);
    const [task] = await store.tasksOf(exec.arn);
    await runner.completeTask(task!.token, { type: 'success', output: 'answered' });
    expect(await settled(store, exec.arn)).toMatchObject({ status: 'SUCCEEDED', output: '"answered"' });
    await runner.close();
    await store.close();
  });

  it('a callback task with no handler waits for its token, submitted once', async () => {
    const exec = execution(CALLBACK);
    const { store, runner } = await crashAndRestart(exec, {}, {});
    const [task] = await store.tasksOf(exec.arn);
    await runner.completeTask(task!.token, { type: 'success', output: { by: 'token' } });
    expect(await settled(store, exec.arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"by":"token"}' });
    const types = (await store.getEvents(exec.arn, { limit: 100 })).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    await runner.close();
    await store.close();
  });
});
