import { afterEach, describe, expect, it } from 'vitest';
import { PASS, ROLE, SM_PREFIX, errorOf, harness, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => h && (await h.runner.close()));

describe('tags', () => {
  it('tags, untags and lists tags of a state machine', async () => {
    h = await harness();
    const arn = await h.createMachine('m');
    expect(await h.ok('TagResource', { resourceArn: arn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '' }] })).toEqual({});
    await h.ok('TagResource', { resourceArn: arn, tags: [{ key: 'a', value: '2' }] });
    expect(await h.ok('ListTagsForResource', { resourceArn: arn })).toEqual({ tags: [{ key: 'a', value: '2' }, { key: 'b', value: '' }] });
    expect(await h.ok('UntagResource', { resourceArn: arn, tagKeys: ['a', 'zzz'] })).toEqual({});
    expect(await h.ok('ListTagsForResource', { resourceArn: arn })).toEqual({ tags: [{ key: 'b', value: '' }] });
  });

  it('refuses versions, unknown resources, too many tags and missing members', async () => {
    h = await harness();
    const arn = await h.createMachine('m', PASS, { publish: true });
    expect(errorOf((await h.call('TagResource', { resourceArn: `${arn}:1`, tags: [] })).body)).toEqual({ type: 'ResourceNotFound', message: `Resource not found: '${arn}:1'` });
    expect(errorOf((await h.call('ListTagsForResource', { resourceArn: `${SM_PREFIX}none` })).body).type).toBe('ResourceNotFound');
    expect(errorOf((await h.call('ListTagsForResource', { resourceArn: 'nope' })).body).type).toBe('InvalidArn');
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: '' }));
    expect(errorOf((await h.call('TagResource', { resourceArn: arn, tags })).body).type).toBe('TooManyTags');
    expect(errorOf((await h.call('TagResource', { resourceArn: arn })).body).message).toBe(
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    );
    expect(errorOf((await h.call('UntagResource', { resourceArn: arn, tagKeys: ['k'.repeat(129)] })).body).message).toContain("at 'tagKeys.1.member' failed");
  });
});

describe('ValidateStateMachineDefinition', () => {
  it('answers OK with no diagnostics for a valid definition', async () => {
    h = await harness();
    expect(await h.ok('ValidateStateMachineDefinition', { definition: PASS })).toEqual({ result: 'OK', diagnostics: [], truncated: false });
  });

  it('answers FAIL with diagnostics, leaving out empty locations', async () => {
    h = await harness();
    expect(await h.ok('ValidateStateMachineDefinition', { definition: '{}' })).toEqual({
      result: 'FAIL',
      diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'These fields are required: [States, StartAt]', location: '/' }],
      truncated: false,
    });
    expect(await h.ok('ValidateStateMachineDefinition', { definition: '' })).toEqual({
      result: 'FAIL',
      diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object' }],
      truncated: false,
    });
  });

  it('truncates to maxResults and filters by severity and type', async () => {
    h = await harness();
    const bad = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'X' }, B: { Type: 'Pass', Next: 'Y' }, C: { Type: 'Pass', Next: 'Z' } } });
    const all = await h.ok('ValidateStateMachineDefinition', { definition: bad });
    expect(all.diagnostics.length).toBeGreaterThan(1);
    const one = await h.ok('ValidateStateMachineDefinition', { definition: bad, maxResults: 1 });
    expect(one).toMatchObject({ result: 'FAIL', truncated: true });
    expect(one.diagnostics).toHaveLength(1);
    const wft = JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: 'm' }, End: true } } });
    expect((await h.ok('ValidateStateMachineDefinition', { definition: wft, type: 'EXPRESS' })).diagnostics[0]).toEqual({
      severity: 'ERROR',
      code: 'SCHEMA_VALIDATION_FAILED',
      message: "Express state machine does not support '.waitForTaskToken' service integration ",
      location: '/States/T/Resource',
    });
    expect(errorOf((await h.call('ValidateStateMachineDefinition', { definition: PASS, maxResults: 101 })).body).type).toBe('ValidationException');
  });
});

describe('TestState', () => {
  const run = (body: Record<string, unknown>) => h.ok('TestState', { roleArn: ROLE, ...body });

  it('runs a Pass state and reports its output and next state', async () => {
    h = await harness();
    const r = await run({ definition: JSON.stringify({ Type: 'Pass', Parameters: { 'v.$': '$.a' }, Next: 'After' }), input: '{"a": 5}' });
    expect(r).toEqual({ status: 'SUCCEEDED', output: '{"v":5}', nextState: 'After' });
  });

  it('runs a Choice state', async () => {
    h = await harness();
    const def = { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 1, Next: 'Big' }], Default: 'Small' };
    expect(await run({ definition: JSON.stringify(def), input: '{"n": 2}' })).toEqual({ status: 'SUCCEEDED', output: '{"n":2}', nextState: 'Big' });
    expect(await run({ definition: JSON.stringify(def), input: '{"n": 0}' })).toEqual({ status: 'SUCCEEDED', output: '{"n":0}', nextState: 'Small' });
  });

  it('reports a Fail state as FAILED', async () => {
    h = await harness();
    expect(await run({ definition: JSON.stringify({ Type: 'Fail', Error: 'E', Cause: 'C' }) })).toEqual({ status: 'FAILED', error: 'E', cause: 'C' });
  });

  it('uses mocks for Task states: results, caught errors and retries', async () => {
    h = await harness();
    const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f', 'Payload.$': '$' }, End: true };
    const ok = await run({ definition: JSON.stringify(task), input: '{"x":1}', mock: { result: '{"r": 2}' }, inspectionLevel: 'DEBUG' });
    expect(ok).toEqual({
      status: 'SUCCEEDED',
      output: '{"r":2}',
      // AWS reports every step of a Task's data flow, even those the state does not use.
      inspectionData: {
        input: '{"x":1}',
        afterInputPath: '{"x":1}',
        afterParameters: '{"FunctionName":"f","Payload":{"x":1}}',
        result: '{"r":2}',
        afterResultSelector: '{"r":2}',
        afterResultPath: '{"r":2}',
      },
    });
    const caught = await run({ definition: JSON.stringify({ ...task, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handler' }] }), mock: { errorOutput: { error: 'Oops', cause: 'bad' } } });
    expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', error: 'Oops', cause: 'bad', nextState: 'Handler' });
    expect(JSON.parse(caught.output)).toEqual({ Error: 'Oops', Cause: 'bad' });
    const retriable = await run({ definition: JSON.stringify({ ...task, Retry: [{ ErrorEquals: ['Oops'] }] }), mock: { errorOutput: { error: 'Oops', cause: 'bad' } } });
    expect(retriable).toEqual({ status: 'RETRIABLE', error: 'Oops', cause: 'bad' });
    const failed = await run({ definition: JSON.stringify(task), mock: { errorOutput: { error: 'Oops', cause: 'bad' } } });
    expect(failed).toEqual({ status: 'FAILED', error: 'Oops', cause: 'bad' });
  });

  it('tests one state of a full machine, with variables', async () => {
    h = await harness();
    const machine = {
      QueryLanguage: 'JSONata',
      StartAt: 'First',
      States: { First: { Type: 'Pass', Next: 'Second' }, Second: { Type: 'Pass', Output: '{% $states.input.n + $bonus %}', Next: 'Third' }, Third: { Type: 'Succeed' } },
    };
    const r = await run({ definition: JSON.stringify(machine), stateName: 'Second', input: '{"n": 1}', variables: '{"bonus": 10}' });
    expect(r).toEqual({ status: 'SUCCEEDED', output: '11', nextState: 'Third' });
    expect(errorOf((await h.call('TestState', { definition: JSON.stringify(machine), stateName: 'Nope' })).body)).toEqual({
      type: 'ValidationException',
      message: 'State not found in definition',
    });
  });

  it('refuses invalid definitions and inputs', async () => {
    h = await harness();
    expect(errorOf((await h.call('TestState', { definition: '{"Type": "Pass", "Next": 5}' })).body).type).toBe('InvalidDefinition');
    expect(errorOf((await h.call('TestState', { definition: 'nope' })).body).type).toBe('InvalidDefinition');
    expect(errorOf((await h.call('TestState', { definition: JSON.stringify({ Type: 'Pass', End: true }), input: '{' })).body).type).toBe('InvalidExecutionInput');
    expect(errorOf((await h.call('TestState', { definition: JSON.stringify({ Type: 'Pass', End: true }), inspectionLevel: 'LOUD' })).body).type).toBe('ValidationException');
  });
});
