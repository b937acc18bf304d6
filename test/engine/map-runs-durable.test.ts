/**
 * Map Runs through the durable runner: persisted with each decision, changed by UpdateMapRun,
 * and rebuilt (by replay) after a restart, on both store backends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewExecution } from '../../src/api/runner.js';
import { ENGINE_VERSION } from '../../src/engine/version.js';
import { newExecutionSeed } from '../../src/runtime/execution-secrets.js';
import { DurableRunner } from '../../src/runtime/durable-runner.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { MapRunRecord, Store, TaskRecord } from '../../src/store/types.js';

const region = 'us-east-1';
const accountId = '111111111111';
const activityArn = `arn:aws:states:${region}:${accountId}:activity:item`;
const root = mkdtempSync(join(tmpdir(), 'stepwise-map-runs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A Distributed Map whose children each wait for an activity worker. */
const definition = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Map',
      Label: 'Items',
      MaxConcurrency: 1,
      ToleratedFailureCount: 1,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } },
      End: true,
    },
  },
};

function newExecution(name: string, input: unknown): NewExecution {
  return {
    arn: `arn:aws:states:${region}:${accountId}:execution:fan:${name}`,
    stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:fan`,
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

async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Claims every activity task that is waiting now. */
async function claimAll(store: Store): Promise<TaskRecord[]> {
  const claimed: TaskRecord[] = [];
  for (let task; (task = await store.claimActivityTask(activityArn, 'worker', Date.now())); ) claimed.push(task);
  return claimed;
}

/**
 * Claims activity tasks until `count` were claimed: the Map's children are executions of their
 * own (engine version 5), started after the decision that asks for them is committed.
 */
async function claimSoon(store: Store, count: number): Promise<TaskRecord[]> {
  const claimed: TaskRecord[] = [];
  await eventually(async () => {
    claimed.push(...(await claimAll(store)));
    return claimed.length >= count ? true : undefined;
  });
  return claimed;
}

/** The open tasks of a Map Run's child executions. */
async function childTasks(store: Store, mapRunArn: string): Promise<TaskRecord[]> {
  const { items } = await store.listExecutions({ mapRunArn }, { limit: 100 });
  return (await Promise.all(items.map((child) => store.tasksOf(child.arn)))).flat().filter((t) => t.status !== 'CLOSED');
}

async function onlyRun(store: Store, executionArn: string): Promise<MapRunRecord> {
  const { items } = await store.listMapRuns(executionArn, { limit: 10 });
  expect(items).toHaveLength(1);
  return items[0]!;
}

const backends: [string, () => Promise<{ store: Store; reopen: () => Promise<Store> }>][] = [
  ['memory', async () => {
    const store = new MemoryStore();
    return { store, reopen: async () => store };
  }],
  ['sqlite', async () => {
    const file = join(root, `${Math.random().toString(36).slice(2)}.db`);
    const store = await openSqliteStore(file);
    return { store, reopen: async () => { await store.close(); return openSqliteStore(file); } };
  }],
];

describe.each(backends)('Map Runs in the durable runner (%s)', (_name, openBackend) => {
  it('persists the counts, applies UpdateMapRun, and carries on after a restart', async () => {
    const backend = await openBackend();
    let store = backend.store;
    const first = new DurableRunner({ store, region, accountId });
    const exec = newExecution('e1', [1, 2, 3, 4]);
    await first.start(exec);

    const started = await onlyRun(store, exec.arn);
    expect(started).toMatchObject({
      executionArn: exec.arn,
      stateMachineArn: `arn:aws:states:${region}:${accountId}:stateMachine:fan/Items`,
      status: 'RUNNING',
      maxConcurrency: 1,
      toleratedFailureCount: 1,
      toleratedFailurePercentage: 0,
      itemCounts: { pending: 3, running: 1, succeeded: 0, total: 4 },
    });
    expect(started.arn).toMatch(new RegExp(`^arn:aws:states:${region}:${accountId}:mapRun:fan/Items:`));
    expect(await store.getMapRun(started.arn)).toEqual(started);
    expect(await claimSoon(store, 1)).toHaveLength(1);

    // More concurrency: the execution starts the waiting children at once, durably.
    await first.updateMapRun(started.arn, { maxConcurrency: 3 });
    expect(await store.getMapRun(started.arn)).toMatchObject({ maxConcurrency: 3, itemCounts: { pending: 1, running: 3 } });
    const tasks = await claimSoon(store, 2);
    expect(tasks).toHaveLength(2);
    await first.completeTask(tasks[0]!.token, { type: 'failure', error: 'Item.Failed', cause: 'tolerated' });
    // The child fails, then its end is applied to the parent.
    await eventually(async () => ((await store.getMapRun(started.arn))!.itemCounts.failed === 1 ? true : undefined));
    expect(await store.getMapRun(started.arn)).toMatchObject({ itemCounts: { pending: 0, running: 3, failed: 1, resultsWritten: 1 } });

    // The process stops; a new one rebuilds the execution by replaying its triggers, the update included.
    await first.close();
    store = await backend.reopen();
    const second = new DurableRunner({ store, region, accountId });
    await second.resume();
    // Unanswered activity tasks stay open across the restart: the worker answers them now.
    const unanswered = await childTasks(store, started.arn);
    expect(unanswered).toHaveLength(3);
    for (const task of unanswered) await second.completeTask(task.token, { type: 'success', output: { done: task.taskId } });
    const record = await eventually(async () => {
      const r = await store.getExecution(exec.arn);
      return r && r.status !== 'RUNNING' ? r : undefined;
    });
    expect(record.status).toBe('SUCCEEDED');

    const finished = await onlyRun(store, exec.arn);
    expect(finished).toEqual({
      ...started,
      status: 'SUCCEEDED',
      stopDate: record.stopDate,
      maxConcurrency: 3,
      itemCounts: { pending: 0, running: 0, succeeded: 3, failed: 1, timedOut: 0, aborted: 0, total: 4, resultsWritten: 4 },
      executionCounts: { pending: 0, running: 0, succeeded: 3, failed: 1, timedOut: 0, aborted: 0, total: 4, resultsWritten: 4 },
    });
    // Updating a Map Run that has ended changes nothing.
    await second.updateMapRun(started.arn, { maxConcurrency: 9 });
    expect(await store.getMapRun(started.arn)).toEqual(finished);
    await expect(second.updateMapRun(`${started.arn}x`, { maxConcurrency: 1 })).rejects.toMatchObject({ type: 'ResourceNotFound' });
    await second.close();
    await store.close();
  });

  it('records the Map Run as ABORTED when the execution is stopped', async () => {
    const { store } = await openBackend();
    const runner = new DurableRunner({ store, region, accountId });
    const exec = newExecution('stopped', [1, 2]);
    await runner.start(exec);
    await runner.stop(exec.arn);
    expect(await onlyRun(store, exec.arn)).toMatchObject({
      status: 'ABORTED',
      itemCounts: { pending: 1, running: 0, aborted: 1, total: 2 },
      stopDate: (await store.getExecution(exec.arn))!.stopDate,
    });
    await runner.close();
    await store.close();
  });
});
