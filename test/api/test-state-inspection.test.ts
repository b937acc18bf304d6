/**
 * TestState as AWS documents and records it: inspectionData at DEBUG and TRACE, the `context`
 * object, stateConfiguration (retrierRetryCount, errorCausedByState, mapIterationFailureCount,
 * mapItemReaderData) and the checks of `mock` (fieldValidationMode included). Expected values
 * come from AWS's developer guide ("Using TestState API to test a state") and from AWS's answers
 * as LocalStack recorded them (tests/aws/services/stepfunctions/v2/test_state/*.snapshot.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE, errorOf, harness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h && (await h.runner.close()));

const test = (body: Record<string, unknown>) => h.ok('TestState', { roleArn: ROLE, ...body });
const refused = async (body: Record<string, unknown>) => errorOf((await h.call('TestState', { roleArn: ROLE, ...body })).body);
const def = (state: unknown) => JSON.stringify(state);
/** inspectionData with its JSON texts parsed. */
const parsed = (inspection: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(inspection).map(([k, v]) => [k, typeof v === 'string' ? JSON.parse(v) : v]));

const LAMBDA = 'arn:aws:states:::lambda:invoke';

describe('inspectionData', () => {
  it("reports every processing step of a Pass state, as AWS's guide shows", async () => {
    const r = await test({
      definition: def({ Type: 'Pass', InputPath: '$.payload', Parameters: { data: 1 }, ResultPath: '$.result', OutputPath: '$.result.data', Next: 'Another State' }),
      input: '{"payload": {"foo": "bar"}}',
      inspectionLevel: 'DEBUG',
    });
    expect(r).toEqual({
      status: 'SUCCEEDED',
      output: '1',
      nextState: 'Another State',
      inspectionData: {
        input: '{"payload": {"foo": "bar"}}',
        afterInputPath: '{"foo":"bar"}',
        afterParameters: '{"data":1}',
        afterResultSelector: '{"data":1}',
        afterResultPath: '{"payload":{"foo":"bar"},"result":{"data":1}}',
      },
    });
  });

  it('skips InputPath and Parameters of a Pass state with a Result, which is its result', async () => {
    const r = await test({
      definition: def({ Type: 'Pass', InputPath: '$.initialData', Parameters: { 'v.$': '$.x' }, Result: { resultKey: 'result value' }, ResultPath: '$.modifiedData', End: true }),
      input: '{"initialData": {"x": 1}}',
      inspectionLevel: 'TRACE',
    });
    expect(parsed(r.inspectionData)).toEqual({
      input: { initialData: { x: 1 } },
      result: { resultKey: 'result value' },
      afterResultSelector: { resultKey: 'result value' },
      afterResultPath: { initialData: { x: 1 }, modifiedData: { resultKey: 'result value' } },
    });
  });

  it('reports a Task state: the parameters it sent, its result and what became of it', async () => {
    const task = {
      Type: 'Task',
      Resource: LAMBDA,
      InputPath: '$.order',
      Parameters: { FunctionName: 'f', 'Payload.$': '$' },
      ResultSelector: { 'total.$': '$.Payload.total', 'entered.$': '$$.State.Name' },
      ResultPath: '$.priced',
      OutputPath: '$.priced',
      Next: 'Ship',
    };
    const r = await test({ definition: def(task), input: '{"order": {"id": 7}}', mock: { result: '{"Payload": {"total": 12}}' }, inspectionLevel: 'DEBUG' });
    expect(r.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.output)).toEqual({ total: 12, entered: 'TestState' });
    expect(parsed(r.inspectionData)).toEqual({
      input: { order: { id: 7 } },
      afterInputPath: { id: 7 },
      afterParameters: { FunctionName: 'f', Payload: { id: 7 } },
      result: { Payload: { total: 12 } },
      afterResultSelector: { total: 12, entered: 'TestState' },
      afterResultPath: { order: { id: 7 }, priced: { total: 12, entered: 'TestState' } },
    });
  });

  it('reports input and InputPath only for Choice, Succeed and Fail states', async () => {
    const choice = { Type: 'Choice', InputPath: '$.c', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'One' }], Default: 'Other' };
    const r = await test({ definition: def(choice), input: '{"c": {"n": 1}}', inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'SUCCEEDED', nextState: 'One', inspectionData: { input: '{"c": {"n": 1}}', afterInputPath: '{"n":1}' } });
    expect(Object.keys(r.inspectionData).sort()).toEqual(['afterInputPath', 'input']);
    const failed = await test({ definition: def({ Type: 'Fail', Error: 'SomeFailure', Cause: 'why' }), input: '{"a": 1}', inspectionLevel: 'DEBUG' });
    expect(failed).toEqual({ status: 'FAILED', error: 'SomeFailure', cause: 'why', inspectionData: { input: '{"a": 1}', afterInputPath: '{"a":1}' } });
  });

  it('reports the arguments and result of a JSONata Task, and the variables after its Assign', async () => {
    const task = { QueryLanguage: 'JSONata', Type: 'Task', Resource: LAMBDA, Arguments: { FunctionName: 'f', Payload: '{% $states.input.n + $base %}' }, Assign: { doubled: '{% $states.result.v * 2 %}' }, Output: '{% $states.result.v %}', End: true };
    const r = await test({ definition: def(task), input: '{"n": 2}', variables: '{"base": 10}', mock: { result: '{"v": 21}' }, inspectionLevel: 'DEBUG' });
    expect(r.output).toBe('21');
    expect(parsed(r.inspectionData)).toEqual({ input: { n: 2 }, afterArguments: { FunctionName: 'f', Payload: 12 }, result: { v: 21 }, variables: { base: 10, doubled: 42 } });
  });

  it('shows the value a drawing intrinsic gave, as the output has it', async () => {
    const pass = { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, ResultPath: '$.made', End: true };
    const r = await test({ definition: def(pass), input: '{}', inspectionLevel: 'DEBUG' });
    const output = JSON.parse(r.output);
    const inspection = parsed(r.inspectionData);
    expect(inspection.afterParameters).toEqual(output.made);
    expect(inspection.afterResultSelector).toEqual(output.made);
    expect(inspection.afterResultPath).toEqual(output);
  });

  it('stops at the failure: a Task that fails shows what it was sent', async () => {
    const task = { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: 'f' }, End: true };
    const r = await test({ definition: def(task), input: '{"a": 1}', mock: { errorOutput: { error: 'Boom', cause: 'no' } }, inspectionLevel: 'DEBUG' });
    expect(r).toEqual({
      status: 'FAILED',
      error: 'Boom',
      cause: 'no',
      inspectionData: { input: '{"a": 1}', afterInputPath: '{"a":1}', afterParameters: '{"FunctionName":"f"}' },
    });
  });

  it('leaves inspectionData out at INFO', async () => {
    const r = await test({ definition: def({ Type: 'Pass', End: true }), input: '{"a": 1}', variables: '{"x": 1}' });
    expect(r).toEqual({ status: 'SUCCEEDED', output: '{"a":1}' });
  });
});

describe('context', () => {
  const echo = { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: 'f' }, ResultSelector: { 'ctx.$': '$$' }, End: true };

  it('is the whole $$ object, not merged with defaults', async () => {
    const context = { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:M:e', Input: { a: 1 }, Name: 'e' }, State: { Name: 'MyTask', RetryCount: 2 } };
    const r = await test({ definition: def(echo), context: JSON.stringify(context), mock: { result: '{}' } });
    expect(JSON.parse(r.output)).toEqual({ ctx: context });
    const empty = await test({ definition: def(echo), context: '{}', mock: { result: '{}' } });
    expect(JSON.parse(empty.output)).toEqual({ ctx: {} });
  });

  it('gives a callback task the Task.Token it names', async () => {
    const callback = { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true };
    const r = await test({ definition: def(callback), context: '{"Task": {"Token": "abcd123"}}', mock: { result: '{"ok": true}' }, inspectionLevel: 'DEBUG' });
    expect(r.output).toBe('{"ok":true}');
    expect(JSON.parse(r.inspectionData.afterParameters)).toEqual({ QueueUrl: 'q', MessageBody: { token: 'abcd123' } });
  });

  it('defaults to the context AWS shows for a test', async () => {
    const r = await test({ definition: def(echo), input: '{"n": 1}', mock: { result: '{}' } });
    const { ctx } = JSON.parse(r.output);
    expect(ctx.Execution).toMatchObject({ Input: { n: 1 }, RoleArn: ROLE });
    expect(ctx.Execution.Id).toMatch(/^arn:aws:states:us-east-1:123456789012:express:TestState:/);
    expect(ctx.StateMachine).toEqual({ Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:TestState', Name: 'TestState' });
    expect(ctx.State).toMatchObject({ Name: 'TestState', RetryCount: 0 });
    expect(ctx.State.EnteredTime).toBe(ctx.Execution.StartTime);
  });

  it('finds a state inside a Map, whose context has the first item', async () => {
    const machine = {
      StartAt: 'Each',
      States: { Each: { Type: 'Map', ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Parameters: { 'item.$': '$$.Map.Item', 'state.$': '$$.State.Name' }, End: true } } }, End: true } },
    };
    const r = await test({ definition: def(machine), stateName: 'Inner', input: '{"sku": "a"}' });
    expect(JSON.parse(r.output)).toEqual({ item: { Index: 0, Value: { sku: 'a' } }, state: 'Inner' });
  });

  it('is checked as AWS checks it', async () => {
    const base = { definition: def(echo), mock: { result: '{}' } };
    const message = async (context: unknown) => (await refused({ ...base, context: typeof context === 'string' ? context : JSON.stringify(context) })).message;
    expect(await message({ Execution: { Id: 1 } })).toBe('Invalid Context object provided: Execution.Id must be a string');
    expect(await message({ Map: {} })).toBe("Invalid Context object provided: 'Map' field is not supported when mocking a Context object");
    expect(await message({ Execution: { pokemon: 'squirtle' } })).toBe("Invalid Context object provided: Field 'pokemon' is not allowed");
    expect(await message({ Pokedex: {} })).toBe("Invalid Context object provided: Field 'Pokedex' is not allowed");
    expect(await message({ Task: { Token: 't' } })).toBe(
      "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
    );
    expect(await message('{')).toMatch(/^Invalid Context object provided: /);
    expect(await refused({ definition: def(echo), context: '{}' })).toEqual({ type: 'ValidationException', message: 'TestState accepts a context only when a mock is specified.' });
  });
});

describe('Retry and Catch', () => {
  const retrying = {
    Type: 'Task',
    Resource: LAMBDA,
    Parameters: { FunctionName: 'f' },
    Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2.0 }],
    End: true,
  };
  const serviceError = { errorOutput: { error: 'Lambda.ServiceException', cause: 'Service error' } };

  it("is RETRIABLE with the backoff AWS's guide computes for retrierRetryCount", async () => {
    const r = await test({ definition: def(retrying), input: '{"data": "value"}', stateConfiguration: { retrierRetryCount: 1 }, mock: serviceError, inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'RETRIABLE', error: 'Lambda.ServiceException', cause: 'Service error', inspectionData: { errorDetails: { retryBackoffIntervalSeconds: 4, retryIndex: 0 } } });
    expect(r.nextState).toBeUndefined();
    expect(r.output).toBeUndefined();
  });

  it('fails once the retrier is used up, naming it', async () => {
    const r = await test({ definition: def(retrying), stateConfiguration: { retrierRetryCount: 3 }, mock: serviceError, inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException', inspectionData: { errorDetails: { retryIndex: 0 } } });
    expect(r.inspectionData.errorDetails.retryBackoffIntervalSeconds).toBeUndefined();
  });

  it('is caught once the retrier is used up', async () => {
    const state = { ...retrying, Catch: [{ ErrorEquals: ['Other'], Next: 'A' }, { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }] };
    const r = await test({ definition: def(state), input: '{"data": "value"}', stateConfiguration: { retrierRetryCount: 3 }, mock: serviceError, inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Recover', error: 'Lambda.ServiceException', inspectionData: { errorDetails: { retryIndex: 0, catchIndex: 1 } } });
    expect(JSON.parse(r.output)).toEqual({ data: 'value', error: { Error: 'Lambda.ServiceException', Cause: 'Service error' } });
  });

  it("reports the catcher that handled the error, as in AWS's guide", async () => {
    const state = { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: 'f' }, Catch: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], ResultPath: '$.error', Next: 'HandleThrottling' }], Next: 'Success' };
    const r = await test({ definition: def(state), input: '{"data": "value"}', mock: { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }, inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'HandleThrottling', error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded', inspectionData: { errorDetails: { catchIndex: 0 } } });
    expect(JSON.parse(r.output)).toEqual({ data: 'value', error: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' } });
  });

  it('applies to the error of a service the Task really called', async () => {
    // No mock: nothing in this server answers the function, so the Task fails with States.TaskFailed.
    const state = { ...retrying, Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 3 }] };
    const r = await test({ definition: def(state), inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'RETRIABLE', error: 'States.TaskFailed', inspectionData: { errorDetails: { retryBackoffIntervalSeconds: 3, retryIndex: 0 } } });
  });

  it('refuses retrierRetryCount for a state without Retry', async () => {
    expect((await refused({ definition: def({ Type: 'Pass', End: true }), stateConfiguration: { retrierRetryCount: 1 } })).type).toBe('ValidationException');
  });
});

describe('Map and Parallel with a mock', () => {
  const processor = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: 'never-called' }, End: true } } };

  it('processes the items but runs no iteration: the mock is the result', async () => {
    const map = {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
      MaxConcurrency: 2,
      ItemProcessor: processor,
      ResultPath: '$.results',
      End: true,
    };
    const r = await test({ definition: def(map), input: '{"items": [1, 2]}', mock: { result: '[10, 20]' }, inspectionLevel: 'DEBUG' });
    expect(r.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.output)).toEqual({ items: [1, 2], results: [10, 20] });
    expect(parsed(r.inspectionData)).toEqual({
      input: { items: [1, 2] },
      afterInputPath: { items: [1, 2] },
      afterItemsPath: [1, 2],
      afterItemSelector: [{ value: 1, index: 0 }, { value: 2, index: 1 }],
      maxConcurrency: 2,
      afterResultSelector: [10, 20],
      afterResultPath: { items: [1, 2], results: [10, 20] },
    });
  });

  const tolerant = {
    Type: 'Map',
    ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    ToleratedFailureCount: 1,
    Catch: [{ ErrorEquals: ['Other'], Next: 'A' }, { ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'HandleThreshold' }],
    End: true,
  };

  it('fails past its tolerance with mapIterationFailureCount', async () => {
    const within = await test({ definition: def(tolerant), input: '["a", "b", "c"]', stateConfiguration: { mapIterationFailureCount: 1 }, mock: { result: '[1, 1, 1]' }, inspectionLevel: 'DEBUG' });
    expect(within).toMatchObject({ status: 'SUCCEEDED', output: '[1,1,1]', inspectionData: { maxConcurrency: 0, toleratedFailureCount: 1 } });
    const beyond = await test({ definition: def(tolerant), input: '["a", "b", "c"]', stateConfiguration: { mapIterationFailureCount: 2 }, mock: { result: '[0, 0, 1]' }, inspectionLevel: 'DEBUG' });
    expect(beyond).toMatchObject({
      status: 'CAUGHT_ERROR',
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'The specified tolerated failure threshold was exceeded',
      nextState: 'HandleThreshold',
      inspectionData: { errorDetails: { catchIndex: 1 } },
    });
    const retried = { ...tolerant, Retry: [{ ErrorEquals: ['Mock'], MaxAttempts: 3 }, { ErrorEquals: ['States.ExceedToleratedFailureThreshold'], MaxAttempts: 2 }] };
    const retriable = await test({ definition: def(retried), input: '["a", "b", "c"]', stateConfiguration: { mapIterationFailureCount: 2 }, mock: { result: '[0, 0, 1]' }, inspectionLevel: 'DEBUG' });
    expect(retriable).toMatchObject({ status: 'RETRIABLE', inspectionData: { errorDetails: { retryBackoffIntervalSeconds: 1, retryIndex: 1 } } });
  });

  it('ignores failed iterations without a tolerance, and refuses more than the items', async () => {
    const strict = { Type: 'Map', ItemProcessor: processor, End: true };
    expect(await test({ definition: def(strict), input: '[1, 2, 3]', stateConfiguration: { mapIterationFailureCount: 2 }, mock: { result: '[0, 0, 1]' } })).toEqual({ status: 'SUCCEEDED', output: '[0,0,1]' });
    expect((await refused({ definition: def(strict), input: '[1, 2, 3]', stateConfiguration: { mapIterationFailureCount: 4 }, mock: { result: '[]' } })).type).toBe('ValidationException');
  });

  it('passes a mocked error of an inner state to the Map as it was raised', async () => {
    const mock = { errorOutput: { error: 'MockException', cause: 'Mock the error cause.' } };
    const r = await test({ definition: def(tolerant), input: '["a"]', stateConfiguration: { errorCausedByState: 'Work', mapIterationFailureCount: 0 }, mock, inspectionLevel: 'DEBUG' });
    expect(r).toEqual({ status: 'FAILED', error: 'MockException', cause: 'Mock the error cause.', inspectionData: { input: '["a"]', afterInputPath: '["a"]', afterItemsPath: '["a"]', maxConcurrency: 0, toleratedFailureCount: 1 } });
    expect((await refused({ definition: def(tolerant), input: '["a"]', mock })).message).toMatch(/errorCausedByState/);
    expect((await refused({ definition: def(tolerant), input: '["a"]', stateConfiguration: { errorCausedByState: 'Nope' }, mock })).message).toMatch(/'Nope' is not a state of the Map state/);
  });

  it('reads the items from mapItemReaderData as the ItemReader would, and batches them', async () => {
    const map = {
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'b', Key: 'k.csv' } },
      ItemBatcher: { MaxItemsPerBatch: 2 },
      ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      End: true,
    };
    const r = await test({ definition: def(map), stateConfiguration: { mapItemReaderData: 'id,name\n1,a\n2,b\n3,c\n' }, mock: { result: '[1, 2]' }, inspectionLevel: 'DEBUG' });
    expect(r.output).toBe('[1,2]');
    expect(JSON.parse(r.inspectionData.afterItemBatcher)).toEqual([{ Items: [{ id: '1', name: 'a' }, { id: '2', name: 'b' }] }, { Items: [{ id: '3', name: 'c' }] }]);
  });

  it('reports the settings a JSONata Map evaluates', async () => {
    const map = { QueryLanguage: 'JSONata', Type: 'Map', Items: '{% $states.input.Values %}', MaxConcurrency: '{% 1 %}', ItemProcessor: processor, Output: '{% $states.result %}', End: true };
    const r = await test({ definition: def(map), input: '{"Values": [1, 2, 3]}', mock: { result: '[1, 1, 1]' }, inspectionLevel: 'TRACE' });
    expect(r).toEqual({ status: 'SUCCEEDED', output: '[1,1,1]', inspectionData: { input: '{"Values": [1, 2, 3]}', maxConcurrency: 1 } });
  });

  it('gives a Parallel its mocked branch results', async () => {
    const parallel = {
      Type: 'Parallel',
      Parameters: { 'n.$': '$.n' },
      Branches: [processor, { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }],
      ResultSelector: { 'first.$': '$[0]' },
      Next: 'After',
    };
    const r = await test({ definition: def(parallel), input: '{"n": 3}', mock: { result: '["x", "y"]' }, inspectionLevel: 'DEBUG' });
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: '{"first":"x"}', nextState: 'After' });
    expect(parsed(r.inspectionData)).toEqual({ input: { n: 3 }, afterInputPath: { n: 3 }, afterParameters: { n: 3 }, afterResultSelector: { first: 'x' }, afterResultPath: { first: 'x' } });
    expect(await refused({ definition: def(parallel), mock: { result: '["x"]' } })).toEqual({
      type: 'ValidationException',
      message: 'Mocked result must contain the same number of items as number of Parallel branches.',
    });
  });
});

describe('mock', () => {
  const task = { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: 'f' }, End: true };

  it('is refused where AWS refuses it', async () => {
    expect(await refused({ definition: def(task), mock: { result: '{}', errorOutput: { error: 'E' } } })).toEqual({
      type: 'ValidationException',
      message: 'A test mock should have only one of the following fields: [result, errorOutput].',
    });
    expect((await refused({ definition: def({ Type: 'Pass', End: true }), mock: { result: '{}' } })).message).toBe("State type 'Pass' is not supported when a mock is specified");
    expect((await refused({ definition: def(task), revealSecrets: true, mock: { result: '{}' } })).message).toBe('TestState does not support RevealSecrets when a mock is specified.');
    expect((await refused({ definition: def(task), mock: { result: 'not JSON', fieldValidationMode: 'NONE' } })).type).toBe('ValidationException');
    const map = { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true };
    expect((await refused({ definition: def(map), input: '[]', mock: { result: '{}' } })).message).toBe('Mocked result must be an array.');
  });

  it("checks a mocked result against the service's model", async () => {
    const putEvents = { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [] }, End: true };
    const message = async (state: unknown, result: unknown, fieldValidationMode?: string) =>
      (await refused({ definition: def(state), mock: { result: JSON.stringify(result), ...(fieldValidationMode ? { fieldValidationMode } : {}) } })).message;
    expect(await message(putEvents, { Entries: 'x' })).toBe("Mock result schema validation error: Field 'Entries' must be an array");
    expect(await message(putEvents, { Entries: [{ EventId: 'a' }, { EventId: 1 }] }, 'PRESENT')).toBe("Mock result schema validation error: Field 'EventId' must be a string");
    const start = { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: 'arn' }, End: true };
    expect(await message(start, { ExecutionArn: 'a', StartDate: true })).toBe("Mock result schema validation error: Field 'StartDate' must be a string");
    expect(await message(task, { StatusCode: '200' })).toBe("Mock result schema validation error: Field 'StatusCode' must be a number");
    // A Lambda payload is the JSON it carries; fields the model lacks pass; NONE checks nothing.
    expect((await test({ definition: def(task), mock: { result: '{"Payload": {"a": 1}, "StatusCode": 200, "Extra": true}' } })).status).toBe('SUCCEEDED');
    expect((await test({ definition: def(putEvents), mock: { result: '{"Entries": "x"}', fieldValidationMode: 'NONE' } })).status).toBe('SUCCEEDED');
    const sdk = { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'b', Key: 'k' }, End: true };
    expect(await message(sdk, { ContentLength: '12' })).toBe("Mock result schema validation error: Field 'ContentLength' must be a number");
  });

  it('stands in for an activity, which needs one', async () => {
    const activity = { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:work', End: true };
    expect(await test({ definition: def(activity), mock: { result: '{"done": true}' } })).toEqual({ status: 'SUCCEEDED', output: '{"done":true}' });
    expect((await refused({ definition: def(activity) })).type).toBe('ValidationException');
  });

  it('makes the role optional, which a Task needs without one', async () => {
    expect((await h.ok('TestState', { definition: def(task), mock: { result: '{}' } })).status).toBe('SUCCEEDED');
    expect(errorOf((await h.call('TestState', { definition: def(task) })).body)).toEqual({ type: 'ValidationException', message: 'RoleArn must be specified when testing a Task state' });
  });
});
