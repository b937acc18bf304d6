// A Distributed Map's children as child executions of their own (engine version 5), through the
// API: listed by their Map Run, failing within and beyond the Map's tolerance, stopped with
// their parent, EXPRESS children run in memory, and not counted against the quota on executions
// an execution starts. (CI runs these on memory and, as a node of a cluster, on PostgreSQL.)
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => h && (await h.runner.close()));

/** A Distributed Map whose child fails for items with `fail` and waits `wait` seconds otherwise. */
function fanOut(extra: Record<string, unknown> = {}, executionType: 'STANDARD' | 'EXPRESS' = 'STANDARD'): string {
  return JSON.stringify({
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        Label: 'Items',
        ...extra,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType },
          StartAt: 'Check',
          States: {
            Check: { Type: 'Choice', Choices: [{ Variable: '$.fail', IsPresent: true, Next: 'Boom' }], Default: 'Pause' },
            Pause: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Done' },
            Done: { Type: 'Pass', Parameters: { 'item.$': '$.n', 'execution.$': '$$.Execution.Name' }, End: true },
            Boom: { Type: 'Fail', Error: 'Item.Failed', Cause: 'bad item' },
          },
        },
        End: true,
      },
    },
  });
}

async function children(executionArn: string): Promise<any[]> {
  const { mapRuns } = await h!.ok('ListMapRuns', { executionArn });
  return (await h!.ok('ListExecutions', { mapRunArn: mapRuns[0].mapRunArn })).executions;
}

async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Distributed Map child executions', () => {
  it('runs each item as a child execution with its own context, lists them by Map Run, and gives the Map their outputs in order', async () => {
    h = await harness();
    const sm = await h.createMachine('fan', fanOut());
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: sm, input: JSON.stringify([0, 1, 2].map((n) => ({ n, wait: 0 }))) });
    const done = await h.settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const listed = await children(executionArn);
    expect(listed).toHaveLength(3);
    const byName = new Map(listed.map((c) => [c.name, c]));
    const output = JSON.parse(done.output) as Array<{ item: number; execution: string }>;
    // The Map's output is in item order; each child saw its own execution name in $$.
    expect(output.map((o) => o.item)).toEqual([0, 1, 2]);
    for (const o of output) expect(byName.get(o.execution)).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: expect.stringMatching(/:stateMachine:fan\/Items$/) });
    // A child's history is its own.
    const history = await h.history(listed[0].executionArn);
    expect(history[0].type).toBe('ExecutionStarted');
    expect(history.at(-1).type).toBe('ExecutionSucceeded');
    // The parent's history has the Map Run, not the children's states.
    expect((await h.history(executionArn)).map((e: any) => e.type)).not.toContain('PassStateEntered');
  });

  it('tolerates failed children up to ToleratedFailureCount, then fails the Map and stops the children still running', async () => {
    h = await harness();
    const sm = await h.createMachine('tolerant', fanOut({ ToleratedFailureCount: 1, MaxConcurrency: 4 }));
    const input = [{ n: 0, fail: true }, { n: 1, wait: 600 }, { n: 2, wait: 600 }, { n: 3, fail: true }];
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: sm, input: JSON.stringify(input) });
    const done = await h.settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    // The waiting children are stopped with their Map.
    const statuses = await until(async () => {
      const s = (await children(executionArn)).map((c) => c.status).sort();
      return s.includes('RUNNING') ? undefined : s;
    });
    expect(statuses).toEqual(['ABORTED', 'ABORTED', 'FAILED', 'FAILED']);
  });

  it('stops the running children when the parent is stopped', async () => {
    h = await harness();
    const sm = await h.createMachine('stopped', fanOut());
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: sm, input: JSON.stringify([{ n: 0, wait: 600 }, { n: 1, wait: 600 }]) });
    await until(async () => ((await children(executionArn)).length === 2 ? true : undefined));
    await h.ok('StopExecution', { executionArn });
    const statuses = await until(async () => {
      const s = (await children(executionArn)).map((c) => c.status);
      return s.every((x) => x === 'ABORTED') ? s : undefined;
    });
    expect(statuses).toEqual(['ABORTED', 'ABORTED']);
  });

  it('runs EXPRESS children in memory: the Map gets their outputs and failures', async () => {
    h = await harness();
    const sm = await h.createMachine('express-children', fanOut({ ToleratedFailurePercentage: 50 }, 'EXPRESS'));
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: sm, input: JSON.stringify([{ n: 0, wait: 0 }, { n: 1, fail: true }]) });
    const done = await h.settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const [first, second] = JSON.parse(done.output);
    expect(first.item).toBe(0);
    expect(second).toEqual({ Error: 'Item.Failed', Cause: 'bad item' });
  });

  it('does not count the children against the executions one execution may start', async () => {
    h = await harness({ limits: { maxChildExecutions: 2 } });
    const sm = await h.createMachine('many', fanOut());
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: sm, input: JSON.stringify([0, 1, 2, 3, 4].map((n) => ({ n, wait: 0 }))) });
    expect((await h.settled(executionArn)).status).toBe('SUCCEEDED');
    expect(await children(executionArn)).toHaveLength(5);
  });
});
