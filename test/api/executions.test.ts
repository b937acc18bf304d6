import { afterEach, describe, expect, it } from 'vitest';
import { FAIL, PASS, ROLE, SM_PREFIX, WAIT, errorOf, harness, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

const EXEC_PREFIX = SM_PREFIX.replace(':stateMachine:', ':execution:');

describe('StartExecution and DescribeExecution', () => {
  it('starts an execution and describes it with every AWS field', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    const started = await h.ok('StartExecution', { stateMachineArn: arn, name: 'run-1', input: '{"a": 1}' });
    expect(started).toEqual({ executionArn: `${EXEC_PREFIX}m:run-1`, startDate: expect.any(Number) });
    const described = await h.settled(started.executionArn);
    expect(described).toEqual({
      executionArn: `${EXEC_PREFIX}m:run-1`,
      stateMachineArn: arn,
      name: 'run-1',
      status: 'SUCCEEDED',
      startDate: started.startDate,
      stopDate: expect.any(Number),
      input: '{"a": 1}',
      inputDetails: { included: true },
      output: '{"ok":1}',
      outputDetails: { included: true },
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
  });

  it('names executions with a UUID and defaults the input to {}', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    const started = await h.ok('StartExecution', { stateMachineArn: arn });
    const name = started.executionArn.split(':').pop();
    expect(name).toMatch(/^[0-9a-f-]{36}$/);
    expect((await h.ok('DescribeExecution', { executionArn: started.executionArn })).input).toBe('{}');
  });

  it('is idempotent while RUNNING with the same name and input', async () => {
    h = await harness();
    const arn = await h.createMachine('w', WAIT);
    const first = await h.ok('StartExecution', { stateMachineArn: arn, name: 'same', input: '{}' });
    expect(await h.ok('StartExecution', { stateMachineArn: arn, name: 'same', input: '{}' })).toEqual(first);
    expect(errorOf((await h.call('StartExecution', { stateMachineArn: arn, name: 'same', input: '{"x":1}' })).body)).toEqual({
      type: 'ExecutionAlreadyExists',
      message: `Execution Already Exists: '${first.executionArn}'`,
    });
    await h.ok('StopExecution', { executionArn: first.executionArn });
    expect(errorOf((await h.call('StartExecution', { stateMachineArn: arn, name: 'same', input: '{}' })).body).type).toBe('ExecutionAlreadyExists');
  });

  it('validates in AWS order: model, machine, name, input', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    const missing = `${SM_PREFIX}missing`;
    const err = async (body: unknown) => errorOf((await h.call('StartExecution', body)).body);
    expect(await err({ stateMachineArn: 'not-an-arn', name: 'n' })).toEqual({ type: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'" });
    expect((await err({ stateMachineArn: missing, name: 'a'.repeat(81) })).type).toBe('ValidationException');
    expect(await err({ stateMachineArn: missing, name: 'a b', input: '{' })).toEqual({ type: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${missing}'` });
    expect(await err({ stateMachineArn: arn, name: 'a b', input: '{' })).toEqual({ type: 'InvalidName', message: "Invalid Name: 'a b'" });
    expect(await err({ stateMachineArn: arn, input: 'not json' })).toEqual({
      type: 'InvalidExecutionInput',
      message: "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')'",
    });
    expect(await err({ stateMachineArn: arn, input: '' })).toEqual({ type: 'InvalidExecutionInput', message: "Invalid State Machine Execution Input: 'Invalid execution input.'" });
    expect(await err({ stateMachineArn: arn, input: `"${'a'.repeat(262_144)}"` })).toEqual({
      type: 'ValidationException',
      message: "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
    });
    for (const input of ['1', '"text"', 'null']) expect((await h.call('StartExecution', { stateMachineArn: arn, input })).status).toBe(200);
  });

  it('honours a configured payload limit', async () => {
    h = await harness({ limits: { maxPayloadBytes: 10 } });
    const arn = await h.createMachine('m');
    expect(errorOf((await h.call('StartExecution', { stateMachineArn: arn, input: '{"a":"0123456789"}' })).body).message).toContain('Member must have size less than or equal to 10 bytes');
  });

  it('starts versions and aliases, recording them on the execution', async () => {
    h = await harness({ random: () => 0.75 });
    const arn = await h.createMachine('m', PASS, { publish: true });
    await h.ok('UpdateStateMachine', { stateMachineArn: arn, definition: FAIL, publish: true });
    await h.ok('CreateStateMachineAlias', { name: 'live', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 60 }, { stateMachineVersionArn: `${arn}:2`, weight: 40 }] });
    const viaVersion = await h.ok('StartExecution', { stateMachineArn: `${arn}:1`, name: 'v' });
    const viaAlias = await h.ok('StartExecution', { stateMachineArn: `${arn}:live`, name: 'a' });
    const v = await h.settled(viaVersion.executionArn);
    expect(v).toMatchObject({ stateMachineArn: arn, stateMachineVersionArn: `${arn}:1`, status: 'SUCCEEDED' });
    expect(v.stateMachineAliasArn).toBeUndefined();
    // 0.75 × 100 = 75 falls past version 1's 60: version 2 (the Fail machine) runs.
    const a = await h.settled(viaAlias.executionArn);
    expect(a).toMatchObject({ stateMachineArn: arn, stateMachineVersionArn: `${arn}:2`, stateMachineAliasArn: `${arn}:live`, status: 'FAILED', error: 'Boom', cause: 'it broke' });
    expect(a.redriveStatus).toBe('REDRIVABLE');
    expect(errorOf((await h.call('StartExecution', { stateMachineArn: `${arn}:9` })).body).type).toBe('StateMachineDoesNotExist');
    expect(errorOf((await h.call('StartExecution', { stateMachineArn: `${arn}:nope` })).body).type).toBe('StateMachineDoesNotExist');
    const byVersion = await h.ok('ListExecutions', { stateMachineArn: `${arn}:1` });
    expect(byVersion.executions.map((e: { name: string }) => e.name)).toEqual(['v']);
    const byAlias = await h.ok('ListExecutions', { stateMachineArn: `${arn}:live` });
    expect(byAlias.executions.map((e: { name: string }) => e.name)).toEqual(['a']);
    const forExecution = await h.ok('DescribeStateMachineForExecution', { executionArn: viaAlias.executionArn });
    expect(forExecution).toMatchObject({ stateMachineArn: arn, name: 'm', definition: FAIL, roleArn: ROLE });
  });

  it('passes a #TestCase suffix on to the runner', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    const started = await h.ok('StartExecution', { stateMachineArn: `${arn}#HappyPath`, name: 'mocked' });
    expect(started.executionArn).toBe(`${EXEC_PREFIX}m:mocked`);
    expect((await h.store.getExecution(started.executionArn))?.testCase).toBe('HappyPath');
  });

  it('reports missing executions and wrong ARNs', async () => {
    h = await harness();
    const missing = `${EXEC_PREFIX}m:none`;
    expect(errorOf((await h.call('DescribeExecution', { executionArn: missing })).body)).toEqual({ type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${missing}'` });
    expect(errorOf((await h.call('DescribeExecution', { executionArn: `${SM_PREFIX}m` })).body)).toEqual({
      type: 'InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: statemachine'",
    });
    expect(errorOf((await h.call('GetExecutionHistory', { executionArn: 'invalid_state_machine_arn' })).body).message).toBe("Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'");
  });
});

describe('EXPRESS machines', () => {
  it('runs StartSyncExecution to the end', async () => {
    h = await harness();
    const arn = await h.createMachine('x', PASS, { type: 'EXPRESS' });
    const done = await h.ok('StartSyncExecution', { stateMachineArn: arn, name: 'sync', input: '{}' });
    expect(done).toEqual({
      executionArn: expect.stringMatching(/^arn:aws:states:us-east-1:123456789012:express:x:sync:[0-9a-f-]{36}$/),
      stateMachineArn: arn,
      name: 'sync',
      startDate: expect.any(Number),
      stopDate: expect.any(Number),
      status: 'SUCCEEDED',
      input: '{}',
      inputDetails: { included: true },
      output: '{"ok":1}',
      outputDetails: { included: true },
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 },
    });
    const failed = await h.ok('StartSyncExecution', { stateMachineArn: await h.createMachine('xf', FAIL, { type: 'EXPRESS' }) });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'it broke' });
    expect(failed.output).toBeUndefined();
  });

  it('refuses StartSyncExecution on STANDARD machines', async () => {
    h = await harness();
    const arn = await h.createMachine('s');
    expect(errorOf((await h.call('StartSyncExecution', { stateMachineArn: arn })).body)).toEqual({
      type: 'StateMachineTypeNotSupported',
      message: 'This operation is not supported by this type of state machine',
    });
  });

  it('starts asynchronous express executions that, as on AWS, cannot be described or listed', async () => {
    h = await harness();
    const arn = await h.createMachine('x', PASS, { type: 'EXPRESS' });
    const started = await h.ok('StartExecution', { stateMachineArn: arn, name: 'same' });
    const again = await h.ok('StartExecution', { stateMachineArn: arn, name: 'same' });
    expect(started.executionArn).toMatch(/:express:x:same:/);
    expect(again.executionArn).not.toBe(started.executionArn);
    const refused = { type: 'InvalidArn', message: "Invalid Arn: 'Resource type not valid in this context: express'" };
    expect(errorOf((await h.call('DescribeExecution', { executionArn: started.executionArn })).body)).toEqual(refused);
    expect(errorOf((await h.call('StopExecution', { executionArn: started.executionArn })).body)).toEqual(refused);
    expect(errorOf((await h.call('GetExecutionHistory', { executionArn: started.executionArn })).body)).toEqual(refused);
    expect(errorOf((await h.call('ListExecutions', { stateMachineArn: arn })).body).type).toBe('StateMachineTypeNotSupported');
  });
});

describe('StopExecution, ListExecutions, RedriveExecution', () => {
  it('stops a running execution with an error and cause', async () => {
    h = await harness();
    const arn = await h.createMachine('w', WAIT);
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: arn, name: 'e' });
    const stopped = await h.ok('StopExecution', { executionArn, error: 'Manual', cause: 'by test' });
    expect(stopped).toEqual({ stopDate: expect.any(Number) });
    const described = await h.ok('DescribeExecution', { executionArn });
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'by test', redriveStatus: 'REDRIVABLE' });
    expect(described.stopDate).toBe(stopped.stopDate);
    expect(await h.ok('StopExecution', { executionArn })).toEqual({ stopDate: described.stopDate });
    expect(errorOf((await h.call('StopExecution', { executionArn: `${EXEC_PREFIX}w:none` })).body).type).toBe('ExecutionDoesNotExist');
    expect(errorOf((await h.call('StopExecution', { executionArn, error: 'e'.repeat(257) })).body).message).toBe(
      "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  });

  it('lists executions newest first with filters and pages', async () => {
    let now = 1_000;
    h = await harness({ clock: { now: () => (now += 1000) } });
    const arn = await h.createMachine('w', WAIT);
    for (const name of ['a', 'b', 'c']) await h.ok('StartExecution', { stateMachineArn: arn, name });
    await h.ok('StopExecution', { executionArn: `${EXEC_PREFIX}w:b` });
    const all = await h.ok('ListExecutions', { stateMachineArn: arn, maxResults: 2 });
    expect(all.executions.map((e: { name: string }) => e.name)).toEqual(['c', 'b']);
    expect(all.executions[0]).toEqual({ executionArn: `${EXEC_PREFIX}w:c`, stateMachineArn: arn, name: 'c', status: 'RUNNING', startDate: expect.any(Number), redriveCount: 0 });
    const rest = await h.ok('ListExecutions', { stateMachineArn: arn, maxResults: 2, nextToken: all.nextToken });
    expect(rest.executions.map((e: { name: string }) => e.name)).toEqual(['a']);
    const aborted = await h.ok('ListExecutions', { stateMachineArn: arn, statusFilter: 'ABORTED' });
    expect(aborted.executions.map((e: { name: string }) => e.name)).toEqual(['b']);
    expect((await h.ok('ListExecutions', { stateMachineArn: arn, redriveFilter: 'REDRIVEN' })).executions).toEqual([]);
    expect(errorOf((await h.call('ListExecutions', {})).body).type).toBe('ValidationException');
    expect(errorOf((await h.call('ListExecutions', { stateMachineArn: `${SM_PREFIX}none` })).body)).toEqual({
      type: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${SM_PREFIX}none'`,
    });
    expect(errorOf((await h.call('ListExecutions', { stateMachineArn: arn, nextToken: 'bogus' })).body).type).toBe('InvalidToken');
    expect(errorOf((await h.call('ListExecutions', { mapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:w/m:1' })).body).type).toBe('ResourceNotFound');
  });

  it('redrives failed executions only', async () => {
    h = await harness();
    const failing = await h.ok('StartExecution', { stateMachineArn: await h.createMachine('f', FAIL), name: 'f' });
    expect(await h.settled(failing.executionArn)).toMatchObject({ status: 'FAILED', redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    const redriven = await h.ok('RedriveExecution', { executionArn: failing.executionArn, clientToken: 'tok-1' });
    expect(redriven).toEqual({ redriveDate: expect.any(Number) });
    expect(await h.ok('RedriveExecution', { executionArn: failing.executionArn, clientToken: 'tok-1' })).toEqual(redriven);
    // The Fail state fails again: one redrive, recorded once, in the description and the history.
    expect(await h.settled(failing.executionArn)).toMatchObject({ status: 'FAILED', error: 'Boom', redriveCount: 1, redriveDate: redriven.redriveDate });
    const types = (await h.history(failing.executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionRedriven')).toHaveLength(1);
    expect(types.filter((t) => t === 'ExecutionFailed')).toHaveLength(2);
    const passing = await h.ok('StartExecution', { stateMachineArn: await h.createMachine('p'), name: 'p' });
    await h.settled(passing.executionArn);
    expect(errorOf((await h.call('RedriveExecution', { executionArn: passing.executionArn })).body)).toEqual({
      type: 'ExecutionNotRedrivable',
      message: 'Execution is SUCCEEDED and cannot be redriven',
    });
  });
});

describe('GetExecutionHistory', () => {
  async function finished(): Promise<string> {
    const arn = await h.createMachine('m', JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Result: 2, End: true } } }));
    const { executionArn } = await h.ok('StartExecution', { stateMachineArn: arn, name: 'h', input: '{"x":1}' });
    await h.settled(executionArn);
    return executionArn;
  }

  it('returns AWS-shaped events with epoch-second timestamps', async () => {
    h = await harness();
    const executionArn = await finished();
    const { events, nextToken } = await h.ok('GetExecutionHistory', { executionArn });
    expect(nextToken).toBeUndefined();
    expect(events.map((e: { type: string }) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(events[0]).toEqual({
      timestamp: expect.any(Number),
      type: 'ExecutionStarted',
      id: 1,
      previousEventId: 0,
      executionStartedEventDetails: { input: '{"x":1}', inputDetails: { truncated: false }, roleArn: ROLE },
    });
    expect(events[0].timestamp).toBeLessThan(1e11);
    expect(events[5].executionSucceededEventDetails).toEqual({ output: '2', outputDetails: { truncated: false } });
  });

  it('pages forwards and backwards, and strips data on request', async () => {
    h = await harness();
    const executionArn = await finished();
    const page1 = await h.ok('GetExecutionHistory', { executionArn, maxResults: 4 });
    expect(page1.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4]);
    const page2 = await h.ok('GetExecutionHistory', { executionArn, maxResults: 4, nextToken: page1.nextToken });
    expect(page2.events.map((e: { id: number }) => e.id)).toEqual([5, 6]);
    expect(page2.nextToken).toBeUndefined();
    const reversed = await h.ok('GetExecutionHistory', { executionArn, maxResults: 4, reverseOrder: true });
    expect(reversed.events.map((e: { id: number }) => e.id)).toEqual([6, 5, 4, 3]);
    const reversed2 = await h.ok('GetExecutionHistory', { executionArn, maxResults: 4, reverseOrder: true, nextToken: reversed.nextToken });
    expect(reversed2.events.map((e: { id: number }) => e.id)).toEqual([2, 1]);
    expect(errorOf((await h.call('GetExecutionHistory', { executionArn, nextToken: page1.nextToken, reverseOrder: true })).body).type).toBe('InvalidToken');
    const bare = await h.ok('GetExecutionHistory', { executionArn, includeExecutionData: false });
    expect(bare.events[0].executionStartedEventDetails).toEqual({ roleArn: ROLE });
    expect(bare.events[5].executionSucceededEventDetails).toEqual({});
  });

  it('lists no Map Runs for an execution without a Distributed Map', async () => {
    h = await harness();
    const executionArn = await finished();
    expect(await h.ok('ListMapRuns', { executionArn })).toEqual({ mapRuns: [] });
    expect(errorOf((await h.call('DescribeMapRun', { mapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:m/label:abc' })).body)).toEqual({
      type: 'ResourceNotFound',
      message: "Resource not found: 'arn:aws:states:us-east-1:123456789012:mapRun:m/label:abc'",
    });
    expect(errorOf((await h.call('UpdateMapRun', { mapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:m/label:abc', maxConcurrency: 2 })).body).type).toBe('ResourceNotFound');
    expect(errorOf((await h.call('UpdateMapRun', { mapRunArn: 'x', toleratedFailurePercentage: 101 })).body).type).toBe('ValidationException');
  });
});
