import { describe, expect, it } from 'vitest';
import { execute, StatesError } from '../../../src/index.js';
import type { HistoryEvent } from '../api/sfn.js';
import { ExecutionModel, eventDetails, runStatus, type StateRun } from './derive.js';

/** Runs a definition with the engine and returns its history as the console receives it (epoch seconds). */
async function historyOf(definition: object, input: unknown = {}, options: Parameters<typeof execute>[2] = {}): Promise<HistoryEvent[]> {
  const result = await execute(definition, input, { waitTimeScale: 0, ...options });
  return result.history.map((event) => ({ ...event, timestamp: event.timestamp.getTime() / 1000 }) as HistoryEvent);
}

function modelOf(definition: object, events: HistoryEvent[]): ExecutionModel {
  const model = new ExecutionModel(definition);
  model.add(events);
  return model;
}

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:work';

describe('ExecutionModel on a successful run', () => {
  const definition = {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Result: { n: 1 }, Next: 'Check' },
      Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'Done' }], Default: 'Skipped' },
      Skipped: { Type: 'Pass', End: true },
      Done: { Type: 'Succeed' },
    },
  };

  it('gives every state that ran one run and a status; states not run have none', async () => {
    const model = modelOf(definition, await historyOf(definition, { a: 1 }));
    expect(model.executionEnd).toBe('SUCCEEDED');
    expect(model.runs.map((r) => [r.name, r.type, r.outcome])).toEqual([
      ['Prepare', 'Pass', 'exited'],
      ['Check', 'Choice', 'exited'],
      ['Done', 'Succeed', 'exited'],
    ]);
    expect(Object.fromEntries(model.statuses())).toEqual({ Prepare: 'succeeded', Check: 'succeeded', Done: 'succeeded' });
    expect(model.statuses().has('Skipped')).toBe(false);
    expect(model.root.status).toBe('succeeded');
    expect(model.runs.every((r) => r.thread === model.root)).toBe(true);
  });

  it('keeps each run’s input and output as JSON text and its event ids', async () => {
    const events = await historyOf(definition, { a: 1 });
    const model = modelOf(definition, events);
    const prepare = model.runsOf('Prepare')[0]!;
    expect(JSON.parse(prepare.input!)).toEqual({ a: 1 });
    expect(JSON.parse(prepare.output!)).toEqual({ n: 1 });
    const entered = events.find((e) => e.type === 'PassStateEntered')!;
    const exited = events.find((e) => e.type === 'PassStateExited')!;
    expect(prepare.enteredEventId).toBe(entered.id);
    expect(prepare.exitedEventId).toBe(exited.id);
    expect(prepare.enteredAt).toBe(entered.timestamp);
    expect(prepare.eventIds).toEqual([entered.id, exited.id]);
    expect(model.eventRuns[events.indexOf(entered)]).toBe(prepare);
    // Execution-level events belong to no run.
    expect(model.eventRuns[0]).toBeUndefined();
    expect(model.eventThreads[0]).toBe(model.root);
  });

  it('adds events incrementally: open runs are in progress, and repeated events are ignored', async () => {
    const events = await historyOf(definition, { a: 1 });
    const model = new ExecutionModel(definition);
    const firstExit = events.findIndex((e) => e.type === 'PassStateExited');
    model.add(events.slice(0, firstExit)); // up to Prepare entered
    expect(model.version).toBe(1);
    expect(Object.fromEntries(model.statuses())).toEqual({ Prepare: 'in-progress' });
    expect(model.root.current?.name).toBe('Prepare');
    expect(model.executionEnd).toBeUndefined();

    model.add(events); // overlaps what was already added
    expect(model.version).toBe(2);
    expect(model.events).toHaveLength(events.length);
    expect(model.runs).toHaveLength(3);
    expect(Object.fromEntries(model.statuses())).toEqual({ Prepare: 'succeeded', Check: 'succeeded', Done: 'succeeded' });
  });
});

describe('ExecutionModel on task failures', () => {
  const definition = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Custom.Boom'], MaxAttempts: 2, IntervalSeconds: 1 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }],
        Next: 'After',
      },
      After: { Type: 'Pass', End: true },
      Recover: { Type: 'Pass', End: true },
    },
  };
  const failing = {
    taskHandlers: {
      [FN]: () => {
        throw new StatesError('Custom.Boom', 'it broke');
      },
    },
  };

  it('counts attempts, records each failure and marks a caught state as caught', async () => {
    const model = modelOf(definition, await historyOf(definition, {}, failing));
    expect(model.executionEnd).toBe('SUCCEEDED');
    const work = model.runsOf('Work')[0]!;
    expect(work.resource).toBe(FN);
    expect(work.attempts).toBe(3);
    expect(work.failures.map((f) => [f.type, f.error, f.cause])).toEqual([
      ['LambdaFunctionFailed', 'Custom.Boom', 'it broke'],
      ['LambdaFunctionFailed', 'Custom.Boom', 'it broke'],
      ['LambdaFunctionFailed', 'Custom.Boom', 'it broke'],
    ]);
    expect(work.lastAttemptFailed).toBe(true);
    expect(runStatus(work)).toBe('caught');
    expect(Object.fromEntries(model.statuses())).toEqual({ Work: 'caught', Recover: 'succeeded' });
  });

  it('keeps the task’s raw result and a retry that succeeded is not caught', async () => {
    let calls = 0;
    const model = modelOf(
      definition,
      await historyOf(
        definition,
        { order: 7 },
        {
          taskHandlers: {
            [FN]: () => {
              if (++calls === 1) throw new StatesError('Custom.Boom', 'once');
              return { ok: true };
            },
          },
        },
      ),
    );
    const work = model.runsOf('Work')[0]!;
    expect(work.attempts).toBe(2);
    expect(work.failures).toHaveLength(1);
    expect(work.lastAttemptFailed).toBe(false);
    expect(JSON.parse(work.taskOutput!)).toEqual({ ok: true });
    // The request the task sent (a function ARN's input), for the state panel's "Task request".
    expect(work.taskRequest).toBeDefined();
    expect(JSON.parse(work.taskRequest!)).toEqual({ order: 7 });
    expect(Object.fromEntries(model.statuses())).toEqual({ Work: 'succeeded', After: 'succeeded' });
  });

  it('hangs the execution’s error on a Fail state', async () => {
    const failDefinition = { StartAt: 'Stop', States: { Stop: { Type: 'Fail', Error: 'My.Error', Cause: 'because' } } };
    const events = await historyOf(failDefinition);
    const model = modelOf(failDefinition, events);
    expect(model.executionEnd).toBe('FAILED');
    const stop = model.runsOf('Stop')[0]!;
    expect(runStatus(stop)).toBe('failed');
    expect(stop.failures).toEqual([{ eventId: events.find((e) => e.type === 'ExecutionFailed')!.id, type: 'ExecutionFailed', error: 'My.Error', cause: 'because' }]);
    expect(model.root.status).toBe('failed');
  });

  it('fails the running state when an uncaught error ends the execution', async () => {
    const uncaught = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, End: true } } };
    const model = modelOf(uncaught, await historyOf(uncaught, {}, failing));
    expect(model.executionEnd).toBe('FAILED');
    expect(Object.fromEntries(model.statuses())).toEqual({ Work: 'failed' });
    expect(model.runsOf('Work')[0]!.failures[0]).toMatchObject({ type: 'LambdaFunctionFailed', error: 'Custom.Boom', cause: 'it broke' });
  });
});

describe('ExecutionModel with Parallel and Map', () => {
  it('puts each Parallel branch’s states in their own thread', async () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', Next: 'RightEnd' }, RightEnd: { Type: 'Succeed' } } },
          ],
        },
      },
    };
    const model = modelOf(definition, await historyOf(definition));
    const both = model.runsOf('Both')[0]!;
    expect(both.childThreads.map((t) => [t.kind, t.workflow, t.index, t.label, t.status])).toEqual([
      ['branch', 'Both#0', 0, 'Both › branch 1', 'succeeded'],
      ['branch', 'Both#1', 1, 'Both › branch 2', 'succeeded'],
    ]);
    expect(both.childThreads[0]!.runs.map((r) => r.name)).toEqual(['Left']);
    expect(both.childThreads[1]!.runs.map((r) => r.name)).toEqual(['Right', 'RightEnd']);
    expect(model.runsOf('Right', both.childThreads[0])).toEqual([]);
    expect(Object.fromEntries(model.statuses())).toEqual({ Both: 'succeeded', Left: 'succeeded', Right: 'succeeded', RightEnd: 'succeeded' });
    expect(Object.fromEntries(model.statuses(both.childThreads[1]))).toEqual({ Right: 'succeeded', RightEnd: 'succeeded' });
  });

  it('gives each Map iteration a thread; a failing iteration fails the Map', async () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Check',
            States: {
              Check: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 2, Next: 'TooBig' }], Default: 'Fine' },
              Fine: { Type: 'Pass', End: true },
              TooBig: { Type: 'Fail', Error: 'Item.TooBig' },
            },
          },
          End: true,
        },
      },
    };
    const model = modelOf(definition, await historyOf(definition, { items: [1, 2, 3] }));
    expect(model.executionEnd).toBe('FAILED');
    const each = model.runsOf('Each')[0]!;
    expect(each.length).toBe(3);
    expect(each.childThreads.map((t) => [t.kind, t.index, t.label, t.status])).toEqual([
      ['iteration', 0, 'Each #0', 'succeeded'],
      ['iteration', 1, 'Each #1', 'succeeded'],
      ['iteration', 2, 'Each #2', 'failed'],
    ]);
    expect(model.runsOf('Check')).toHaveLength(3);
    expect(model.runsOf('Fine')).toHaveLength(2);
    expect(runStatus(each)).toBe('failed');
    // Over the whole execution the most telling status wins; a focused iteration shows its own.
    expect(Object.fromEntries(model.statuses())).toEqual({ Each: 'failed', Check: 'succeeded', Fine: 'succeeded', TooBig: 'failed' });
    const first = Object.fromEntries(model.focusedStatuses(each.childThreads[0]));
    expect(first).toEqual({ Each: 'failed', Check: 'succeeded', Fine: 'succeeded' });
    expect(Object.fromEntries(model.focusedStatuses(each.childThreads[2]))).toEqual({ Each: 'failed', Check: 'succeeded', TooBig: 'failed' });
    expect(model.focusedStatuses(undefined)).toEqual(model.statuses());
  });
});

describe('ExecutionModel with a Catch on a state that ends its workflow', () => {
  it('keeps a Map iteration open after a caught error, for the Catch’s state', async () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Work',
            States: { Work: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }], End: true }, Recover: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    };
    const handlers = {
      taskHandlers: {
        [FN]: (input: unknown) => {
          if (input === 2) throw new StatesError('Custom.Boom', 'two');
          return input;
        },
      },
    };
    const model = modelOf(definition, await historyOf(definition, { items: [1, 2, 3] }, handlers));
    expect(model.runsOf('Recover').map((r) => r.thread.index)).toEqual([1]);
    expect(model.runsOf('Work').map((r) => [r.thread.index, runStatus(r)])).toEqual([
      [0, 'succeeded'],
      [1, 'caught'],
      [2, 'succeeded'],
    ]);
    expect(model.runsOf('Each')[0]!.childThreads.map((t) => t.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });
});

describe('ExecutionModel on aborts and hand-written histories', () => {
  it('marks the running state cancelled when the execution is aborted', async () => {
    const definition = { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 60, End: true } } };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const model = modelOf(definition, await historyOf(definition, {}, { waitTimeScale: 1, signal: controller.signal }));
    expect(model.executionEnd).toBe('ABORTED');
    expect(model.root.status).toBe('aborted');
    expect(Object.fromEntries(model.statuses())).toEqual({ Pause: 'cancelled' });
  });

  it('leaves runs in progress while the execution runs and attributes a state not in the definition to the root', () => {
    const model = new ExecutionModel({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } });
    model.add([
      { id: 1, previousEventId: 0, type: 'ExecutionStarted', timestamp: 100, executionStartedEventDetails: { input: '{}' } },
      { id: 2, previousEventId: 1, type: 'PassStateEntered', timestamp: 100, stateEnteredEventDetails: { name: 'A', input: '{}' } },
      { id: 3, previousEventId: 2, type: 'PassStateExited', timestamp: 101, stateExitedEventDetails: { name: 'A', output: '{"x":1}' } },
      { id: 4, previousEventId: 3, type: 'PassStateEntered', timestamp: 101, stateEnteredEventDetails: { name: 'B', input: '{"x":1}' } },
    ]);
    expect(Object.fromEntries(model.statuses())).toEqual({ A: 'succeeded', B: 'in-progress' });
    expect(model.root.expected).toEqual(new Set(['B']));
    expect(model.runsOf('A')[0]!.exitedAt).toBe(101);

    model.add([{ id: 5, previousEventId: 4, type: 'TaskStateEntered', timestamp: 102, stateEnteredEventDetails: { name: 'Ghost', input: '{}' } }]);
    const ghost = model.runsOf('Ghost')[0]!;
    expect(ghost.type).toBe('Task');
    expect(ghost.thread).toBe(model.root);
  });

  it('reopens the execution on ExecutionRedriven', () => {
    const model = new ExecutionModel({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    model.add([
      { id: 1, previousEventId: 0, type: 'ExecutionStarted', timestamp: 1 },
      { id: 2, previousEventId: 1, type: 'ExecutionFailed', timestamp: 2, executionFailedEventDetails: { error: 'E', cause: 'C' } },
    ]);
    expect(model.executionEnd).toBe('FAILED');
    expect(model.root.status).toBe('failed');
    model.add([{ id: 3, previousEventId: 2, type: 'ExecutionRedriven', timestamp: 3, executionRedrivenEventDetails: { redriveCount: 1 } }]);
    expect(model.executionEnd).toBeUndefined();
    expect(model.root.status).toBe('running');
    expect(model.root.expected).toBe('any');
    expect(model.root.endEventId).toBeUndefined();
  });
});

describe('eventDetails and runStatus', () => {
  it('finds the <type>EventDetails object of an event', () => {
    expect(eventDetails({ id: 1, previousEventId: 0, type: 'TaskFailed', timestamp: 0, taskFailedEventDetails: { error: 'E' } })).toEqual({ error: 'E' });
    expect(eventDetails({ id: 1, previousEventId: 0, type: 'ExecutionStarted', timestamp: 0 })).toBeUndefined();
    expect(eventDetails({ id: 1, previousEventId: 0, type: 'X', timestamp: 0, xEventDetails: 'not an object' })).toBeUndefined();
  });

  it('maps outcomes to statuses', () => {
    const run = (outcome: StateRun['outcome'], lastAttemptFailed = false) => ({ outcome, lastAttemptFailed }) as StateRun;
    expect(runStatus(run(undefined))).toBe('in-progress');
    expect(runStatus(run('exited'))).toBe('succeeded');
    expect(runStatus(run('exited', true))).toBe('caught');
    expect(runStatus(run('failed'))).toBe('failed');
    expect(runStatus(run('aborted'))).toBe('cancelled');
  });
});
