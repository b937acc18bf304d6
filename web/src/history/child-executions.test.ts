import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execute } from '../../../src/index.js';
import type { HistoryEvent } from '../api/sfn.js';
import { childNamedIn, executionParts, isStandardExecutionArn, isStartExecutionTask, requestedChildName, startedByExecution } from './child-executions.js';
import { ExecutionModel, runStatus, type StateRun } from './derive.js';

// Hand-built histories in GetExecutionHistory's shapes (payloads as JSON text), as AWS records a
// Task state that runs another state machine with arn:aws:states:::states:startExecution[.sync[:2]|.waitForTaskToken].

const ACCOUNT = 'arn:aws:states:us-east-1:111111111111';
const PARENT = `${ACCOUNT}:execution:Parent:parent-1`;
const CHILD_MACHINE = `${ACCOUNT}:stateMachine:Child`;
const childArn = (name: string) => `${ACCOUNT}:execution:Child:${name}`;
const START_DATE = 1764745095123;

/** The StartExecution response (TaskSubmitted's output; request-response TaskSucceeded's too). */
function startResponse(name: string): string {
  return JSON.stringify({
    ExecutionArn: childArn(name),
    StartDate: START_DATE,
    SdkHttpMetadata: { AllHttpHeaders: { 'Content-Type': ['application/x-amz-json-1.0'] }, HttpHeaders: { 'Content-Type': 'application/x-amz-json-1.0' }, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: '5f1e0a5e-0000-4000-8000-000000000000' },
  });
}

/** What a .sync task reports when its child ends (.sync:2 has Input and Output as JSON values). */
function childEnd(name: string, status: string, options: { v2?: boolean; error?: string; cause?: string } = {}): string {
  const payload = (value: unknown) => (options.v2 ? value : JSON.stringify(value));
  return JSON.stringify({
    ExecutionArn: childArn(name),
    Input: payload({ AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: PARENT, n: 1 }),
    InputDetails: { Included: true },
    Name: name,
    ...(status === 'SUCCEEDED' ? { Output: payload({ done: name }), OutputDetails: { Included: true } } : {}),
    StartDate: START_DATE,
    StateMachineArn: CHILD_MACHINE,
    Status: status,
    StopDate: START_DATE + 1500,
    ...(options.error ? { Error: options.error, Cause: options.cause ?? '' } : {}),
  });
}

class History {
  readonly events: HistoryEvent[] = [];

  add(type: string, details?: Record<string, unknown>): number {
    const id = this.events.length + 1;
    const field = detailsField(type);
    this.events.push({ id, previousEventId: id - 1, type, timestamp: 1764745095 + id / 100, ...(details && field ? { [field]: details } : {}) });
    return id;
  }

  /** TaskStateEntered … TaskStarted of one attempt (TaskStateEntered only on the first). */
  startTask(state: string, resource: string, childName?: string, attempt = 1): void {
    if (attempt === 1) this.add('TaskStateEntered', { name: state, input: '{"n":1}', inputDetails: { truncated: false } });
    this.schedule(resource, childName);
    this.add('TaskStarted', { resourceType: 'states', resource });
  }

  schedule(resource: string, childName?: string): number {
    const parameters = { StateMachineArn: CHILD_MACHINE, Input: { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: PARENT, n: 1 }, ...(childName ? { Name: childName } : {}) };
    return this.add('TaskScheduled', { resourceType: 'states', resource, region: 'us-east-1', parameters: JSON.stringify(parameters) });
  }

  submitted(resource: string, childName: string): number {
    return this.add('TaskSubmitted', { resourceType: 'states', resource, output: startResponse(childName), outputDetails: { truncated: false } });
  }

  succeeded(resource: string, output: string): number {
    return this.add('TaskSucceeded', { resourceType: 'states', resource, output, outputDetails: { truncated: false } });
  }

  failed(resource: string, cause: string): number {
    return this.add('TaskFailed', { resourceType: 'states', resource, error: 'States.TaskFailed', cause });
  }

  exited(state: string, type = 'TaskStateExited'): number {
    return this.add(type, { name: state, output: '{}', outputDetails: { truncated: false } });
  }
}

function detailsField(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  if (type === 'ParallelStateStarted' || type === 'ParallelStateSucceeded' || type === 'MapStateSucceeded') return undefined;
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

const SYNC = 'startExecution.sync';
const startExecution = (resource: string) => `arn:aws:states:::states:${resource}`;

function childTask(resource: string, extra: Record<string, unknown> = {}) {
  return { Type: 'Task', Resource: startExecution(resource), Parameters: { StateMachineArn: CHILD_MACHINE, Input: { 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' } }, ...extra };
}

const children = (run: StateRun | undefined) => run?.childExecutions.map((c) => ({ ...c }));

describe('one Task state that starts a child execution', () => {
  const definition = { StartAt: 'Run child', States: { 'Run child': childTask(SYNC, { End: true }) } };

  it('.sync: the child is running from TaskSubmitted and ends with the status TaskSucceeded reports', () => {
    const h = new History();
    h.add('ExecutionStarted', { input: '{"n":1}', roleArn: 'arn:aws:iam::111111111111:role/x' });
    h.startTask('Run child', SYNC, 'child-1');
    const submitted = h.submitted(SYNC, 'child-1');
    const model = new ExecutionModel(definition);
    model.add(h.events);
    const run = model.runsOf('Run child')[0]!;
    expect(run.resourceType).toBe('states');
    expect(run.resource).toBe(SYNC);
    expect(children(run)).toEqual([{ executionArn: childArn('child-1'), attempt: 1, status: 'RUNNING', eventId: submitted }]);

    const succeeded = h.succeeded(SYNC, childEnd('child-1', 'SUCCEEDED'));
    h.exited('Run child');
    h.add('ExecutionSucceeded', { output: '{}' });
    model.add(h.events);
    expect(children(run)).toEqual([{ executionArn: childArn('child-1'), attempt: 1, status: 'SUCCEEDED', eventId: submitted }]);
    expect(runStatus(run)).toBe('succeeded');
    // The history's rows for TaskSubmitted and TaskSucceeded name the same child.
    expect(model.eventChildren.get(submitted)).toBe(run.childExecutions[0]);
    expect(model.eventChildren.get(succeeded)).toBe(run.childExecutions[0]);
    expect([...model.eventChildren.keys()]).toEqual([submitted, succeeded]);
  });

  it('.sync:2: Input and Output are JSON values, the status is read the same way', () => {
    const h = new History();
    h.add('ExecutionStarted', { input: '{}' });
    h.startTask('Run child', 'startExecution.sync:2', 'child-2');
    h.submitted('startExecution.sync:2', 'child-2');
    h.succeeded('startExecution.sync:2', childEnd('child-2', 'SUCCEEDED', { v2: true }));
    h.exited('Run child');
    const model = new ExecutionModel({ StartAt: 'Run child', States: { 'Run child': childTask('startExecution.sync:2', { End: true }) } });
    model.add(h.events);
    expect(children(model.runsOf('Run child')[0])).toEqual([{ executionArn: childArn('child-2'), attempt: 1, status: 'SUCCEEDED', eventId: 5 }]);
  });

  it('request-response: TaskSucceeded carries the StartExecution response; the child’s status is unknown', () => {
    const h = new History();
    h.add('ExecutionStarted', { input: '{}' });
    h.startTask('Run child', 'startExecution');
    const succeeded = h.succeeded('startExecution', startResponse('auto-named'));
    h.exited('Run child');
    const model = new ExecutionModel({ StartAt: 'Run child', States: { 'Run child': childTask('startExecution', { End: true }) } });
    model.add(h.events);
    expect(children(model.runsOf('Run child')[0])).toEqual([{ executionArn: childArn('auto-named'), attempt: 1, eventId: succeeded }]);
  });

  it('.waitForTaskToken: the child comes from TaskSubmitted; the token’s answer names no child and changes nothing', () => {
    const h = new History();
    h.add('ExecutionStarted', { input: '{}' });
    h.startTask('Run child', 'startExecution.waitForTaskToken', 'callback-child');
    const submitted = h.submitted('startExecution.waitForTaskToken', 'callback-child');
    const succeeded = h.succeeded('startExecution.waitForTaskToken', '{"approved":true}');
    h.exited('Run child');
    const model = new ExecutionModel({ StartAt: 'Run child', States: { 'Run child': childTask('startExecution.waitForTaskToken', { End: true }) } });
    model.add(h.events);
    expect(children(model.runsOf('Run child')[0])).toEqual([{ executionArn: childArn('callback-child'), attempt: 1, eventId: submitted }]);
    expect(model.eventChildren.has(succeeded)).toBe(false);
  });

  it('a Lambda task whose result happens to hold an ExecutionArn starts no child', () => {
    const lambda = 'arn:aws:lambda:us-east-1:111111111111:function:describe';
    const model = new ExecutionModel({ StartAt: 'Describe', States: { Describe: { Type: 'Task', Resource: lambda, End: true } } });
    model.add([
      { id: 1, previousEventId: 0, type: 'ExecutionStarted', timestamp: 1 },
      { id: 2, previousEventId: 1, type: 'TaskStateEntered', timestamp: 1, stateEnteredEventDetails: { name: 'Describe', input: '{}' } },
      { id: 3, previousEventId: 2, type: 'LambdaFunctionScheduled', timestamp: 1, lambdaFunctionScheduledEventDetails: { resource: lambda, input: '{}' } },
      { id: 4, previousEventId: 3, type: 'LambdaFunctionStarted', timestamp: 1 },
      { id: 5, previousEventId: 4, type: 'LambdaFunctionSucceeded', timestamp: 2, lambdaFunctionSucceededEventDetails: { output: startResponse('not-mine') } },
      { id: 6, previousEventId: 5, type: 'TaskStateExited', timestamp: 2, stateExitedEventDetails: { name: 'Describe', output: '{}' } },
    ]);
    expect(model.runsOf('Describe')[0]!.childExecutions).toEqual([]);
    expect(model.eventChildren.size).toBe(0);
  });
});

describe('retries and failed children', () => {
  it('each attempt starts its own child; a failed child’s status and error come from TaskFailed’s cause', () => {
    const definition = {
      StartAt: 'Run child',
      States: {
        'Run child': childTask(SYNC, { Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Give up' }], End: true }),
        'Give up': { Type: 'Pass', End: true },
      },
    };
    const h = new History();
    h.add('ExecutionStarted', { input: '{}' });
    h.startTask('Run child', SYNC, 'try-1', 1);
    const first = h.submitted(SYNC, 'try-1');
    const firstFailure = h.failed(SYNC, childEnd('try-1', 'FAILED', { error: 'Child.Broke', cause: 'first' }));
    h.startTask('Run child', SYNC, 'try-2', 2);
    const second = h.submitted(SYNC, 'try-2');
    h.failed(SYNC, childEnd('try-2', 'TIMED_OUT', { error: 'States.Timeout', cause: '' }));
    h.startTask('Run child', SYNC, 'try-3', 3);
    const third = h.submitted(SYNC, 'try-3');
    h.failed(SYNC, childEnd('try-3', 'ABORTED'));
    h.exited('Run child');
    h.add('PassStateEntered', { name: 'Give up', input: '{}' });
    h.exited('Give up', 'PassStateExited');
    h.add('ExecutionSucceeded', { output: '{}' });

    const model = new ExecutionModel(definition);
    model.add(h.events);
    const run = model.runsOf('Run child')[0]!;
    expect(run.attempts).toBe(3);
    expect(children(run)).toEqual([
      { executionArn: childArn('try-1'), attempt: 1, status: 'FAILED', eventId: first },
      { executionArn: childArn('try-2'), attempt: 2, status: 'TIMED_OUT', eventId: second },
      { executionArn: childArn('try-3'), attempt: 3, status: 'ABORTED', eventId: third },
    ]);
    expect(run.failures.map((f) => f.error)).toEqual(['States.TaskFailed', 'States.TaskFailed', 'States.TaskFailed']);
    expect(JSON.parse(run.failures[0]!.cause!)).toMatchObject({ Status: 'FAILED', Error: 'Child.Broke', Cause: 'first' });
    expect(model.eventChildren.get(firstFailure)?.executionArn).toBe(childArn('try-1'));
    expect(runStatus(run)).toBe('caught');
    expect(Object.fromEntries(model.statuses())).toEqual({ 'Run child': 'caught', 'Give up': 'succeeded' });
  });

  it('a retry after a failure that named no child (the call itself failed) starts the first child on attempt 2', () => {
    const h = new History();
    h.add('ExecutionStarted', { input: '{}' });
    h.startTask('Run child', SYNC, 'later', 1);
    h.add('TaskFailed', { resourceType: 'states', resource: SYNC, error: 'StepFunctions.ExecutionLimitExceededException', cause: 'Too many executions' });
    h.startTask('Run child', SYNC, 'later', 2);
    const submitted = h.submitted(SYNC, 'later');
    h.succeeded(SYNC, childEnd('later', 'SUCCEEDED'));
    h.exited('Run child');
    const model = new ExecutionModel({ StartAt: 'Run child', States: { 'Run child': childTask(SYNC, { Retry: [{ ErrorEquals: ['States.ALL'] }], End: true }) } });
    model.add(h.events);
    expect(children(model.runsOf('Run child')[0])).toEqual([{ executionArn: childArn('later'), attempt: 2, status: 'SUCCEEDED', eventId: submitted }]);
  });
});

describe('children of Map iterations and Parallel branches', () => {
  it('gives each Map iteration its own child, even when the children are submitted and end out of order', () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 3,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Run child',
            States: { 'Run child': childTask(SYNC, { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Note failure' }], End: true }), 'Note failure': { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    };
    const h = new History();
    h.add('ExecutionStarted', { input: '{"items":[0,1,2]}' });
    h.add('MapStateEntered', { name: 'Each', input: '{"items":[0,1,2]}' });
    h.add('MapStateStarted', { length: 3 });
    for (const i of [0, 1, 2]) {
      h.add('MapIterationStarted', { name: 'Each', index: i });
      h.startTask('Run child', SYNC, `item-${i}`);
    }
    // The children start and end in their own order, not the iterations'.
    for (const i of [1, 2, 0]) h.submitted(SYNC, `item-${i}`);
    h.succeeded(SYNC, childEnd('item-2', 'SUCCEEDED'));
    h.exited('Run child');
    h.add('MapIterationSucceeded', { name: 'Each', index: 2 });
    h.failed(SYNC, childEnd('item-1', 'FAILED', { error: 'Child.Broke', cause: 'item 1' }));
    h.exited('Run child');
    h.add('PassStateEntered', { name: 'Note failure', input: '{}' });
    h.exited('Note failure', 'PassStateExited');
    h.add('MapIterationSucceeded', { name: 'Each', index: 1 });
    h.succeeded(SYNC, childEnd('item-0', 'SUCCEEDED'));
    h.exited('Run child');
    h.add('MapIterationSucceeded', { name: 'Each', index: 0 });
    h.add('MapStateSucceeded');
    h.exited('Each', 'MapStateExited');
    h.add('ExecutionSucceeded', { output: '[]' });

    const model = new ExecutionModel(definition);
    model.add(h.events);
    const byIteration = model.runsOf('Run child').map((run) => ({
      iteration: run.thread.index,
      status: runStatus(run),
      children: run.childExecutions.map((c) => [c.executionArn, c.status]),
    }));
    expect(byIteration.sort((a, b) => a.iteration! - b.iteration!)).toEqual([
      { iteration: 0, status: 'succeeded', children: [[childArn('item-0'), 'SUCCEEDED']] },
      { iteration: 1, status: 'caught', children: [[childArn('item-1'), 'FAILED']] },
      { iteration: 2, status: 'succeeded', children: [[childArn('item-2'), 'SUCCEEDED']] },
    ]);
    // The Catch ran in iteration 1 only, and every iteration succeeded.
    expect(model.runsOf('Note failure').map((r) => r.thread.index)).toEqual([1]);
    expect(model.runsOf('Each')[0]!.childThreads.map((t) => t.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(model.eventChildren.size).toBe(6);
  });

  it('gives each Parallel branch’s task its own child', () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Left child', States: { 'Left child': childTask(SYNC, { End: true }) } },
            { StartAt: 'Right child', States: { 'Right child': childTask('startExecution', { End: true }) } },
          ],
        },
      },
    };
    const h = new History();
    h.add('ExecutionStarted', { input: '{}' });
    h.add('ParallelStateEntered', { name: 'Both', input: '{}' });
    h.add('ParallelStateStarted');
    h.startTask('Left child', SYNC, 'left');
    h.startTask('Right child', 'startExecution');
    h.succeeded('startExecution', startResponse('right'));
    h.exited('Right child');
    h.submitted(SYNC, 'left');
    h.failed(SYNC, childEnd('left', 'FAILED', { error: 'Child.Broke', cause: 'left' }));
    h.add('ParallelStateFailed', { error: 'States.TaskFailed', cause: 'left' });
    h.add('ExecutionFailed', { error: 'States.TaskFailed', cause: 'left' });

    const model = new ExecutionModel(definition);
    model.add(h.events);
    const left = model.runsOf('Left child')[0]!;
    const right = model.runsOf('Right child')[0]!;
    expect(left.thread.label).toBe('Both › branch 1');
    expect(right.thread.label).toBe('Both › branch 2');
    expect(left.childExecutions.map((c) => [c.executionArn, c.status])).toEqual([[childArn('left'), 'FAILED']]);
    expect(right.childExecutions.map((c) => [c.executionArn, c.status])).toEqual([[childArn('right'), undefined]]);
    expect(runStatus(left)).toBe('failed');
    expect(runStatus(right)).toBe('succeeded');
  });
});

describe('on the history the engine records', () => {
  const example = (name: string) => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

  it('ship-orders: each Map iteration links to the ship-order execution it waited for (.sync:2)', async () => {
    const definition = JSON.parse(example('ship-orders.asl.json')) as object;
    const input = JSON.parse(example('ship-orders.input.json')) as { orders: { orderId: string }[] };
    const result = await execute(definition, input, { stateMachines: { 'ship-order': example('ship-order.asl.json') }, executionName: 'ship-all' });
    expect(result.status).toBe('SUCCEEDED');
    const events = result.history.map((event) => ({ ...event, timestamp: event.timestamp.getTime() / 1000 }) as HistoryEvent);
    const model = new ExecutionModel(definition);
    model.add(events);
    const runs = model.runsOf('ShipOrder').sort((a, b) => a.thread.index! - b.thread.index!);
    expect(runs.map((run) => [run.thread.index, runStatus(run), run.childExecutions.map((c) => [executionParts(c.executionArn), c.attempt, c.status])])).toEqual(
      input.orders.map((order, i) => [i, 'succeeded', [[{ machine: 'ship-order', name: `ship-${order.orderId}` }, 1, 'SUCCEEDED']]]),
    );
    // Every TaskSubmitted and TaskSucceeded row names its child.
    const named = events.filter((e) => e.type === 'TaskSubmitted' || e.type === 'TaskSucceeded').map((e) => model.eventChildren.get(e.id)?.executionArn);
    expect(named).toHaveLength(6);
    expect(named.every((arn) => arn !== undefined)).toBe(true);
  });
});

describe('reading the JSON texts', () => {
  it('finds the child execution in a StartExecution response or a DescribeExecution-like object', () => {
    expect(childNamedIn(startResponse('a'))).toEqual({ executionArn: childArn('a') });
    expect(childNamedIn(childEnd('a', 'SUCCEEDED'))).toEqual({ executionArn: childArn('a'), status: 'SUCCEEDED' });
    expect(childNamedIn(childEnd('a', 'SOMETHING_NEW'))).toEqual({ executionArn: childArn('a') });
    const express = `${ACCOUNT}:express:Child:fast:4e1f5a2c-0000-4000-8000-000000000000`;
    expect(childNamedIn(JSON.stringify({ ExecutionArn: express }))).toEqual({ executionArn: express });
    for (const text of [undefined, '', 'States.TaskFailed', '{"ExecutionArn":', '["ExecutionArn"]', '{"ExecutionArn":42}', JSON.stringify({ ExecutionArn: CHILD_MACHINE }), '{"executionArn":"x"}']) {
      expect(childNamedIn(text), String(text)).toBeUndefined();
    }
  });

  it('tells the startExecution integration from other resources', () => {
    for (const resource of ['startExecution', 'startExecution.sync', 'startExecution.sync:2', 'startExecution.waitForTaskToken']) expect(isStartExecutionTask('states', resource)).toBe(true);
    expect(isStartExecutionTask('states', 'startSyncExecution')).toBe(false);
    expect(isStartExecutionTask('lambda', 'invoke')).toBe(false);
    expect(isStartExecutionTask(undefined, 'startExecution.sync')).toBe(false);
  });

  it('reads the requested Name from TaskScheduled’s parameters', () => {
    expect(requestedChildName(JSON.stringify({ StateMachineArn: CHILD_MACHINE, Name: 'n-1' }))).toBe('n-1');
    expect(requestedChildName(JSON.stringify({ StateMachineArn: CHILD_MACHINE }))).toBeUndefined();
    expect(requestedChildName('{"Name":')).toBeUndefined();
  });

  it('finds who started an execution in its input', () => {
    expect(startedByExecution(JSON.stringify({ AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: PARENT, n: 1 }))).toBe(PARENT);
    for (const input of [undefined, '{}', '"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"', '["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"]', '{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":42}', '{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":""}', '{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":']) {
      expect(startedByExecution(input), String(input)).toBeUndefined();
    }
  });

  it('splits an execution ARN into machine and name, and knows which can be opened', () => {
    expect(executionParts(childArn('n-1'))).toEqual({ machine: 'Child', name: 'n-1' });
    expect(executionParts(`${ACCOUNT}:express:Child:fast:id-1`)).toEqual({ machine: 'Child', name: 'fast' });
    expect(isStandardExecutionArn(childArn('n-1'))).toBe(true);
    expect(isStandardExecutionArn(`${ACCOUNT}:express:Child:fast:id-1`)).toBe(false);
    expect(isStandardExecutionArn(CHILD_MACHINE)).toBe(false);
  });
});
