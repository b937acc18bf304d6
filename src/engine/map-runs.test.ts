import { describe, expect, it } from 'vitest';
import { Interpreter } from './interpreter.js';
import { identityFor } from '../runtime/memory-driver.js';
import type { Command, Decision, MapRunCounts, MapRunRecord, Trigger } from './model.js';

const T0 = Date.UTC(2024, 0, 1);
const identity = identityFor({ stateMachineName: 'orders', executionName: 'e1', context: { region: 'us-east-1', accountId: '111111111111' } });
const WORK = 'arn:aws:lambda:us-east-1:111111111111:function:work';

function interpreter(definition: object, input: unknown): Interpreter {
  return new Interpreter({ definition: definition as never, input, identity, startTime: T0 });
}

async function start(interp: Interpreter): Promise<Decision> {
  return interp.start(T0);
}

function distributed(processor: object, extra: Record<string, unknown> = {}): object {
  return {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...processor },
        End: true,
        ...extra,
      },
    },
  };
}

const PASS_PROCESSOR = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
/** Items with `fail: true` fail their child execution. */
const FAILING_PROCESSOR = {
  StartAt: 'C',
  States: {
    C: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'F' }], Default: 'P' },
    F: { Type: 'Fail', Error: 'Item.Bad', Cause: 'bad item' },
    P: { Type: 'Pass', End: true },
  },
};
const TASK_PROCESSOR = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: WORK, End: true } } };

function counts(partial: Partial<MapRunCounts>): MapRunCounts {
  return { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0, ...partial };
}

function invoked(decision: Decision): string[] {
  return decision.commands.filter((c): c is Extract<Command, { type: 'InvokeTask' }> => c.type === 'InvokeTask').map((c) => c.taskId);
}

function mapRunArnOf(interp: Interpreter): string {
  const started = interp.history().find((e) => e.type === 'MapRunStarted');
  return started!.details!.mapRunArn!;
}

function only(decision: Decision): MapRunRecord {
  expect(decision.mapRuns).toHaveLength(1);
  return decision.mapRuns![0]!;
}

describe('Map Runs in the interpreter', () => {
  it('counts every item and child execution of a Map Run that succeeds', async () => {
    const interp = interpreter(distributed(PASS_PROCESSOR, { Label: 'Orders' }), [1, 2, 3, 4, 5]);
    const decision = await start(interp);
    expect(decision.status).toBe('SUCCEEDED');
    const arn = mapRunArnOf(interp);
    expect(arn).toMatch(/^arn:aws:states:us-east-1:111111111111:mapRun:orders\/Orders:[0-9a-f-]{36}$/);
    expect(only(decision)).toEqual({
      arn,
      executionArn: identity.executionArn,
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:orders/Orders',
      status: 'SUCCEEDED',
      startDate: T0,
      stopDate: T0,
      maxConcurrency: 0,
      toleratedFailurePercentage: 0,
      toleratedFailureCount: 0,
      itemCounts: counts({ succeeded: 5, total: 5, resultsWritten: 5 }),
      executionCounts: counts({ succeeded: 5, total: 5, resultsWritten: 5 }),
      redriveCount: 0,
    });
    expect(interp.mapRunRecords()).toEqual(decision.mapRuns);
  });

  it('counts tolerated failures as failed and written, and keeps the settings', async () => {
    const items = [{ fail: false }, { fail: true }, { fail: false }, { fail: true }, { fail: false }];
    const interp = interpreter(distributed(FAILING_PROCESSOR, { ToleratedFailureCount: 2, ToleratedFailurePercentage: 10, MaxConcurrency: 3 }), items);
    const decision = await start(interp);
    expect(decision.status).toBe('SUCCEEDED');
    expect(only(decision)).toMatchObject({
      status: 'SUCCEEDED',
      maxConcurrency: 3,
      toleratedFailureCount: 2,
      toleratedFailurePercentage: 10,
      itemCounts: counts({ succeeded: 3, failed: 2, total: 5, resultsWritten: 5 }),
      executionCounts: counts({ succeeded: 3, failed: 2, total: 5, resultsWritten: 5 }),
    });
  });

  it('fails the Map Run past its tolerance: running children are aborted, the rest stay pending', async () => {
    const interp = interpreter(distributed(TASK_PROCESSOR, { MaxConcurrency: 2, ToleratedFailureCount: 0 }), [1, 2, 3, 4]);
    const first = await start(interp);
    const [a] = invoked(first);
    expect(invoked(first)).toHaveLength(2);
    expect(only(first)).toMatchObject({ status: 'RUNNING', itemCounts: counts({ pending: 2, running: 2, total: 4 }) });
    expect(first.mapRuns![0]!.stopDate).toBeUndefined();

    const failed = await interp.handle({ type: 'TaskFailed', taskId: a!, error: 'Boom', cause: 'x' }, T0 + 5000);
    expect(failed.status).toBe('FAILED');
    expect(interp.error).toBe('States.ExceedToleratedFailureThreshold');
    const run = only(failed);
    expect(run).toMatchObject({ status: 'FAILED', startDate: T0, stopDate: T0 + 5000 });
    expect(run.itemCounts).toEqual(counts({ failed: 1, aborted: 1, pending: 2, total: 4 }));
    expect(run.executionCounts).toEqual(counts({ failed: 1, aborted: 1, pending: 2, total: 4 }));
    expect(failed.events.map((e) => e.type)).toEqual(['MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
  });

  it('ends the Map Run FAILED when the Map catches its failure', async () => {
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, ...FAILING_PROCESSOR },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
      },
    };
    const decision = await start(interpreter(definition, [{ fail: true }, { fail: false }]));
    expect(decision.status).toBe('SUCCEEDED');
    expect(only(decision)).toMatchObject({ status: 'FAILED', itemCounts: { failed: 1, total: 2 } });
  });

  it('ends the Map Run FAILED when the Map fails before its iterations start', async () => {
    const definition = distributed(PASS_PROCESSOR, { ItemSelector: { 'value.$': '$.missing' } });
    const decision = await start(interpreter(definition, [1]));
    expect(decision.status).toBe('FAILED');
    expect(only(decision)).toMatchObject({ status: 'FAILED', stopDate: T0, itemCounts: counts({}) });
  });

  it('aborts the Map Run when the execution is stopped', async () => {
    const interp = interpreter(distributed(TASK_PROCESSOR, { MaxConcurrency: 1 }), [1, 2, 3]);
    const first = await start(interp);
    const [a] = invoked(first);
    const second = await interp.handle({ type: 'TaskSucceeded', taskId: a!, output: 'ok' }, T0 + 1000);
    expect(only(second)).toMatchObject({ itemCounts: counts({ succeeded: 1, running: 1, pending: 1, total: 3, resultsWritten: 1 }) });
    const stopped = await interp.handle({ type: 'StopRequested' }, T0 + 2000);
    expect(stopped.status).toBe('ABORTED');
    expect(only(stopped)).toMatchObject({
      status: 'ABORTED',
      stopDate: T0 + 2000,
      itemCounts: counts({ succeeded: 1, aborted: 1, pending: 1, total: 3, resultsWritten: 1 }),
    });
  });

  it('counts batches as child executions and their items as items', async () => {
    const interp = interpreter(distributed(PASS_PROCESSOR, { ItemBatcher: { MaxItemsPerBatch: 2 } }), [1, 2, 3, 4, 5]);
    const decision = await start(interp);
    expect(only(decision)).toMatchObject({
      itemCounts: counts({ succeeded: 5, total: 5, resultsWritten: 5 }),
      executionCounts: counts({ succeeded: 3, total: 3, resultsWritten: 3 }),
    });
  });

  it('reports only the Map Runs a decision changed, and none for inline Maps', async () => {
    const inline = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: PASS_PROCESSOR, End: true } } };
    expect((await start(interpreter(inline, [1, 2]))).mapRuns).toBeUndefined();

    const interp = interpreter({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, Next: 'Fan' }, Fan: (distributed(PASS_PROCESSOR) as any).States.Fan } }, [1]);
    const first = await start(interp);
    expect(first.mapRuns).toBeUndefined();
    const timer = first.commands.find((c) => c.type === 'StartTimer') as Extract<Command, { type: 'StartTimer' }>;
    const after = await interp.handle({ type: 'TimerFired', timerId: timer.timerId }, T0 + 5000);
    expect(only(after)).toMatchObject({ status: 'SUCCEEDED', startDate: T0 + 5000 });
  });
});

describe('UpdateMapRun in the interpreter', () => {
  it('starts more children at once when MaxConcurrency goes up', async () => {
    const interp = interpreter(distributed(TASK_PROCESSOR, { MaxConcurrency: 1 }), [1, 2, 3]);
    const first = await start(interp);
    expect(invoked(first)).toHaveLength(1);
    const mapRunArn = mapRunArnOf(interp);
    const updated = await interp.handle({ type: 'UpdateMapRun', mapRunArn, maxConcurrency: 3 }, T0 + 1000);
    expect(invoked(updated)).toHaveLength(2);
    expect(updated.events).toEqual([]); // child executions record nothing in the parent history
    expect(only(updated)).toMatchObject({ status: 'RUNNING', maxConcurrency: 3, itemCounts: counts({ running: 3, total: 3 }) });
    let last: Decision = updated;
    for (const taskId of [...invoked(first), ...invoked(updated)]) last = await interp.handle({ type: 'TaskSucceeded', taskId, output: taskId }, T0 + 2000);
    expect(last.status).toBe('SUCCEEDED');
    expect(interp.output).toEqual(['task-1', 'task-2', 'task-3']);
    expect(only(last)).toMatchObject({ status: 'SUCCEEDED', itemCounts: counts({ succeeded: 3, total: 3, resultsWritten: 3 }) });
  });

  it('lets a lower MaxConcurrency hold back new children without stopping running ones', async () => {
    const interp = interpreter(distributed(TASK_PROCESSOR, { MaxConcurrency: 2 }), [1, 2, 3, 4]);
    const first = await start(interp);
    const [a, b] = invoked(first);
    await interp.handle({ type: 'UpdateMapRun', mapRunArn: mapRunArnOf(interp), maxConcurrency: 1 }, T0);
    expect(invoked(await interp.handle({ type: 'TaskSucceeded', taskId: a!, output: 1 }, T0))).toEqual([]);
    expect(invoked(await interp.handle({ type: 'TaskSucceeded', taskId: b!, output: 2 }, T0))).toHaveLength(1);
  });

  it('tolerates failures under a raised tolerance, and fails the run when it is lowered below them', async () => {
    const interp = interpreter(distributed(TASK_PROCESSOR, { ToleratedFailureCount: 1 }), [1, 2, 3, 4]);
    const first = await start(interp);
    const [a, b, c] = invoked(first);
    const mapRunArn = mapRunArnOf(interp);
    await interp.handle({ type: 'UpdateMapRun', mapRunArn, toleratedFailureCount: 2, toleratedFailurePercentage: 25 }, T0);
    await interp.handle({ type: 'TaskFailed', taskId: a!, error: 'E' }, T0);
    const second = await interp.handle({ type: 'TaskFailed', taskId: b!, error: 'E' }, T0);
    expect(second.status).toBe('RUNNING');
    expect(only(second)).toMatchObject({ toleratedFailureCount: 2, toleratedFailurePercentage: 25, itemCounts: counts({ failed: 2, running: 2, total: 4, resultsWritten: 2 }) });

    const lowered = await interp.handle({ type: 'UpdateMapRun', mapRunArn, toleratedFailureCount: 1, toleratedFailurePercentage: 0 }, T0 + 7000);
    expect(lowered.status).toBe('FAILED');
    expect(interp.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(interp.cause).toBe('The specified tolerated failure threshold was exceeded');
    expect(only(lowered)).toMatchObject({ status: 'FAILED', stopDate: T0 + 7000, itemCounts: counts({ failed: 2, aborted: 2, total: 4, resultsWritten: 2 }) });
    // A late answer for an aborted child changes nothing.
    expect((await interp.handle({ type: 'TaskSucceeded', taskId: c!, output: 1 }, T0 + 8000)).mapRuns).toBeUndefined();
  });

  it('ignores updates of unknown or ended Map Runs', async () => {
    const interp = interpreter({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, Next: 'Fan' }, Fan: (distributed(PASS_PROCESSOR) as any).States.Fan } }, [1]);
    await start(interp);
    const unknown = await interp.handle({ type: 'UpdateMapRun', mapRunArn: 'arn:aws:states:us-east-1:111111111111:mapRun:orders/Fan:x', maxConcurrency: 5 }, T0);
    expect(unknown).toMatchObject({ events: [], commands: [], status: 'RUNNING' });
    expect(unknown.mapRuns).toBeUndefined();

    const done = interpreter(distributed(PASS_PROCESSOR), [1]);
    await start(done);
    const late = await done.handle({ type: 'UpdateMapRun', mapRunArn: mapRunArnOf(done), maxConcurrency: 5 }, T0);
    expect(late.mapRuns).toBeUndefined();
    expect(done.mapRunRecords()[0]).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 0 });
  });

  it('replays to the same Map Runs (the update is a trigger like any other)', async () => {
    const run = async () => {
      const interp = interpreter(distributed(TASK_PROCESSOR, { MaxConcurrency: 1, ToleratedFailurePercentage: 50 }), [1, 2, 3, 4]);
      const decisions: Decision[] = [await start(interp)];
      const mapRunArn = mapRunArnOf(interp);
      const triggers: Trigger[] = [
        { type: 'UpdateMapRun', mapRunArn, maxConcurrency: 2 },
        { type: 'TaskFailed', taskId: 'task-1', error: 'E' },
        { type: 'TaskSucceeded', taskId: 'task-2', output: 2 },
        { type: 'UpdateMapRun', mapRunArn, maxConcurrency: 0 },
        { type: 'TaskSucceeded', taskId: 'task-3', output: 3 },
        { type: 'TaskSucceeded', taskId: 'task-4', output: 4 },
      ];
      for (const [i, trigger] of triggers.entries()) decisions.push(await interp.handle(trigger, T0 + i * 1000));
      return { decisions, records: interp.mapRunRecords(), status: interp.status };
    };
    const a = await run();
    const b = await run();
    expect(a.status).toBe('SUCCEEDED');
    expect(a.records).toEqual(b.records);
    expect(a.decisions.map((d) => d.mapRuns)).toEqual(b.decisions.map((d) => d.mapRuns));
    expect(a.records[0]).toMatchObject({ maxConcurrency: 0, toleratedFailurePercentage: 50, itemCounts: counts({ succeeded: 3, failed: 1, total: 4, resultsWritten: 4 }) });
  });
});
