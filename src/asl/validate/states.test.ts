import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate.js';
import type { ValidateOptions } from './context.js';

const lambda = 'arn:aws:states:::lambda:invoke';

function single(state: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return { ...top, StartAt: 'X', States: { X: state } };
}

function problems(state: Record<string, unknown>, top: Record<string, unknown> = {}, options?: ValidateOptions) {
  return validateDefinition(single(state, top), options).map((d) => [d.code, d.message, d.location]);
}

const schema = (message: string, location: string) => ['SCHEMA_VALIDATION_FAILED', message, location];
const jsonata = { QueryLanguage: 'JSONata' };

describe('transitions of a state', () => {
  it('wants exactly one of Next and End', () => {
    expect(problems({ Type: 'Pass' })).toContainEqual(schema('This object should have only one of the following fields: [Next, End]', '/States/X'));
    expect(problems({ Type: 'Pass', End: true, Next: 'X' })).toEqual([
      schema('There should only be one of the following fields: [Next, End]', '/States/X'),
    ]);
  });

  it('checks the types of Next and End', () => {
    expect(problems({ Type: 'Pass', End: 'yes' })).toContainEqual(schema('Expected value of type [BOOLEAN]', '/States/X/End'));
    expect(problems({ Type: 'Pass', Next: 7 })).toContainEqual(schema('Expected value of type [STRING]', '/States/X/Next'));
  });
});

describe('paths', () => {
  it('accepts paths, null filters and reference paths', () => {
    const state = { Type: 'Pass', InputPath: '$.a[?(@.b > 1)]', OutputPath: null, ResultPath: '$.r', End: true };
    expect(problems(state)).toEqual([]);
    expect(problems({ Type: 'Pass', ResultPath: null, End: true })).toEqual([]);
  });

  it('refuses an InputPath that is not a JSONPath', () => {
    expect(problems({ Type: 'Pass', InputPath: 'a.b', End: true })).toEqual([
      schema("The value for the field 'InputPath' must be a valid JSONPath", '/States/X/InputPath'),
    ]);
  });

  it('refuses a ResultPath that is not a reference path into the input', () => {
    expect(problems({ Type: 'Pass', ResultPath: 'result', End: true })).toEqual([
      schema("Value is not a Reference Path: Reference path didn't start with '$'", '/States/X/ResultPath'),
    ]);
    expect(problems({ Type: 'Pass', ResultPath: '$.a[*]', End: true })).toEqual([schema('Value is not a Reference Path', '/States/X/ResultPath')]);
    expect(problems({ Type: 'Pass', ResultPath: '$$.Execution', End: true })).toEqual([
      schema('Value is not a Reference Path', '/States/X/ResultPath'),
    ]);
  });
});

describe('payload templates', () => {
  it('accepts paths, context paths, variables and intrinsics in .$ fields, at any depth', () => {
    const Parameters = { 'a.$': '$.a', b: { 'c.$': '$$.Execution.Id', 'd.$': 'States.Format(\'{}\', $.x)' }, e: [{ 'f.$': '$v' }] };
    expect(problems({ Type: 'Pass', Parameters, End: true })).toEqual([]);
  });

  it('refuses a .$ field whose value is not a path nor an intrinsic, where it is', () => {
    const Parameters = { nested: { 'bad.$': 'not a path' }, 'num.$': 5, 'call.$': 'States.Nope(1)' };
    expect(problems({ Type: 'Pass', Parameters, End: true })).toEqual([
      schema("The value for the field 'num.$' must be a valid JSONPath or a valid intrinsic function call", '/States/X/Parameters/num.$'),
      schema("The value for the field 'call.$' must be a valid JSONPath or a valid intrinsic function call", '/States/X/Parameters/call.$'),
      schema("The value for the field 'bad.$' must be a valid JSONPath or a valid intrinsic function call", '/States/X/Parameters/nested/bad.$'),
    ]);
  });

  it('refuses two fields that collide once .$ is removed', () => {
    expect(problems({ Type: 'Pass', Parameters: { a: 1, 'a.$': '$.a' }, End: true })).toEqual([
      schema("The field 'a' appears more than once after removing the '.$' suffix", '/States/X/Parameters'),
    ]);
  });

  it('takes any JSON value as Parameters (as AWS does), and wants ResultSelector to be an object', () => {
    for (const parameters of ['x', 5, null, true, [1, { 'a.$': '$.a' }]]) expect(problems({ Type: 'Pass', Parameters: parameters, End: true })).toEqual([]);
    // A template inside is still checked.
    expect(problems({ Type: 'Pass', Parameters: [{ 'a.$': 'not a path' }], End: true })).not.toEqual([]);
    expect(problems({ Type: 'Task', Resource: lambda, ResultSelector: [], End: true })).toEqual([
      schema('Expected value of type [OBJECT]', '/States/X/ResultSelector'),
    ]);
  });

  it('warns about a path without .$ (NO_DOLLAR) and a dynamic-looking Pass Result', () => {
    expect(validateDefinition(single({ Type: 'Pass', Parameters: { a: '$.a' }, End: true }))).toEqual([
      expect.objectContaining({ severity: 'WARNING', code: 'NO_DOLLAR', location: '/States/X/Parameters/a' }),
    ]);
    expect(validateDefinition(single({ Type: 'Pass', Result: { 'a.$': '$.a' }, End: true }))).toEqual([
      expect.objectContaining({ severity: 'WARNING', code: 'PASS_RESULT_IS_STATIC', location: '/States/X/Result' }),
    ]);
  });
});

describe('Assign', () => {
  it('accepts Unicode identifiers, and .$ fields in JSONPath', () => {
    expect(problems({ Type: 'Pass', Assign: { x: 1, 'y.$': '$.y', café: 'ok', _z: null }, End: true })).toEqual([]);
  });

  it('refuses invalid and reserved variable names', () => {
    expect(problems({ Type: 'Pass', Assign: { '1x': 1, 'a-b': 2, states: 3, ['v'.repeat(81)]: 4 }, End: true })).toEqual([
      ['INVALID_VARIABLE_NAME', "Invalid variable name '1x': the variable name contains invalid characters.", '/States/X/Assign/1x'],
      ['INVALID_VARIABLE_NAME', "Invalid variable name 'a-b': the variable name contains invalid characters.", '/States/X/Assign/a-b'],
      ['RESERVED_VARIABLE_NAME', "Cannot assign to reserved variable '$states'.", '/States/X/Assign/states'],
      ['INVALID_VARIABLE_NAME', `Invalid variable name '${'v'.repeat(81)}': the variable name exceeds 80 characters.`, `/States/X/Assign/${'v'.repeat(81)}`],
    ]);
  });

  it('checks the values as templates of the state language', () => {
    expect(problems({ Type: 'Pass', Assign: { 'x.$': 'nope' }, End: true })).toEqual([
      schema("The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", '/States/X/Assign/x.$'),
    ]);
    expect(problems({ Type: 'Pass', Assign: { x: '{% 1 + %}' }, End: true }, jsonata)).toEqual([
      ['INVALID_JSONATA_EXPRESSION', 'Unexpected end of expression', '/States/X/Assign/x'],
    ]);
    expect(problems({ Type: 'Pass', Assign: [], End: true })).toEqual([schema('Expected value of type [OBJECT]', '/States/X/Assign')]);
  });
});

describe('JSONata expressions', () => {
  it('reports the parser message, without its code, at the field', () => {
    expect(problems({ Type: 'Pass', Output: '{% a[1,2) %}', End: true }, jsonata)).toEqual([
      ['INVALID_JSONATA_EXPRESSION', 'Expected "]", got ","', '/States/X/Output'],
    ]);
    expect(problems({ Type: 'Pass', Output: { deep: ['{% $states.input.a %}', '{% 1 + %}'] }, End: true }, jsonata)).toEqual([
      ['INVALID_JSONATA_EXPRESSION', 'Unexpected end of expression', '/States/X/Output/deep[1]'],
    ]);
  });

  it('refuses reads of the top-level context', () => {
    expect(problems({ Type: 'Pass', Output: '{% $$ %}', End: true }, jsonata)).toEqual([
      ['UNSUPPORTED_JSONATA_EXPRESSION', "Reference to '$$' is not supported.", '/States/X/Output'],
    ]);
    expect(problems({ Type: 'Pass', Output: '{% phone %}', End: true }, jsonata)).toEqual([
      ['UNSUPPORTED_JSONATA_EXPRESSION', "Reference to 'phone' at the top level is not supported.", '/States/X/Output'],
    ]);
  });

  it('allows $states.errorOutput only in a catcher', () => {
    expect(problems({ Type: 'Pass', Output: '{% $states.errorOutput %}', End: true }, jsonata)).toEqual([
      ['UNSUPPORTED_JSONATA_EXPRESSION', "Field '$states.errorOutput' does not exist.", '/States/X/Output'],
    ]);
    const task = {
      Type: 'Task',
      Resource: lambda,
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X', Output: '{% $states.errorOutput %}', Assign: { e: '{% $states.errorOutput.Cause %}' } }],
    };
    expect(problems(task, jsonata)).toEqual([]);
  });

  it('leaves strings that are not whole expressions alone', () => {
    expect(problems({ Type: 'Pass', Output: { a: ' {% nope( %}', b: 'plain' }, End: true }, jsonata)).toEqual([]);
  });
});

describe('Task', () => {
  it('requires a Resource that is an ARN', () => {
    expect(problems({ Type: 'Task', End: true })).toEqual([schema('These fields are required: [Resource]', '/States/X')]);
    expect(problems({ Type: 'Task', Resource: 'my-function', End: true })).toEqual([
      schema('Value is not a valid resource ARN', '/States/X/Resource'),
    ]);
    expect(problems({ Type: 'Task', Resource: 'arn:aws:states:::', End: true })).toEqual([
      schema('Value is not a valid resource ARN', '/States/X/Resource'),
    ]);
    expect(problems({ Type: 'Task', Resource: 'arn:aws:states:::lambda', End: true })).toEqual([
      schema(
        'The resource provided arn:aws:states:::lambda is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.',
        '/States/X/Resource',
      ),
    ]);
  });

  it('accepts any Resource string when unknown resources are allowed', () => {
    expect(problems({ Type: 'Task', Resource: 'my-function', End: true }, {}, { allowUnknownResources: true })).toEqual([]);
  });

  it('accepts Lambda, activity and integration ARNs', () => {
    for (const resource of [
      'arn:aws:lambda:us-east-1:123456789012:function:f',
      'arn:aws:states:us-east-1:123456789012:activity:a',
      'arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken',
      'arn:aws:states:::states:startExecution.sync:2',
    ]) {
      expect(problems({ Type: 'Task', Resource: resource, End: true })).toEqual([]);
    }
  });

  it('refuses .sync and .waitForTaskToken in an Express machine', () => {
    const options: ValidateOptions = { stateMachineType: 'EXPRESS' };
    expect(problems({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', End: true }, {}, options)).toEqual([
      schema("Express state machine does not support '.waitForTaskToken' service integration ", '/States/X/Resource'),
    ]);
    expect(problems({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', End: true }, {}, options)).toEqual([
      schema("Express state machine does not support '.sync' service integration ", '/States/X/Resource'),
    ]);
  });

  it('checks timeouts', () => {
    expect(problems({ Type: 'Task', Resource: lambda, TimeoutSeconds: 0, HeartbeatSeconds: 100000000, End: true })).toEqual([
      schema('Minimum value is 1', '/States/X/TimeoutSeconds'),
      schema('Maximum value is 99999999', '/States/X/HeartbeatSeconds'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, TimeoutSeconds: 1.5, End: true })).toEqual([
      schema('Expected value of type [INTEGER]', '/States/X/TimeoutSeconds'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, TimeoutSeconds: 10, HeartbeatSeconds: 10, End: true })).toEqual([
      schema('HeartbeatSeconds must be smaller than TimeoutSeconds', '/States/X/HeartbeatSeconds'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, TimeoutSeconds: 10, TimeoutSecondsPath: '$.t', End: true })).toEqual([
      schema('There should only be one of the following fields: [TimeoutSeconds, TimeoutSecondsPath]', '/States/X'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, HeartbeatSecondsPath: 'h', End: true })).toEqual([
      schema("Value is not a Reference Path: Reference path didn't start with '$'", '/States/X/HeartbeatSecondsPath'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, TimeoutSeconds: '{% $states.input.t %}', End: true }, jsonata)).toEqual([]);
  });

  it('checks Credentials', () => {
    expect(problems({ Type: 'Task', Resource: lambda, Credentials: {}, End: true })).toEqual([
      schema("The field 'RoleArn' is required but was missing", '/States/X/Credentials'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, Credentials: { 'RoleArn.$': 'nope' }, End: true })).toEqual([
      schema("The value for the field 'RoleArn.$' must be a valid JSONPath or a valid intrinsic function call", '/States/X/Credentials/RoleArn.$'),
    ]);
    expect(problems({ Type: 'Task', Resource: lambda, Credentials: { RoleArn: 'arn:aws:iam::1:role/r', Other: 1 }, End: true })).toEqual([
      schema("Field 'Other' is not supported", '/States/X/Credentials'),
    ]);
  });

  it('checks Arguments in JSONata', () => {
    expect(problems({ Type: 'Task', Resource: lambda, Arguments: '{% $states.input %}', End: true }, jsonata)).toEqual([]);
    expect(problems({ Type: 'Task', Resource: lambda, Arguments: 5, End: true }, jsonata)).toEqual([
      schema('Expected value of type [OBJECT]', '/States/X/Arguments'),
    ]);
  });
});

describe('Wait', () => {
  it('wants exactly one way to wait', () => {
    expect(problems({ Type: 'Wait', End: true })).toEqual([
      schema('This object should have only one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]', '/States/X'),
    ]);
    expect(problems({ Type: 'Wait', Seconds: 1, Timestamp: '2016-03-14T01:59:00Z', End: true })).toEqual([
      schema('There should only be one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]', '/States/X'),
    ]);
  });

  it('checks Seconds, Timestamp and their paths', () => {
    expect(problems({ Type: 'Wait', Seconds: -1, End: true })).toEqual([schema('Minimum value is 0', '/States/X/Seconds')]);
    expect(problems({ Type: 'Wait', Seconds: '10', End: true })).toEqual([schema('Expected value of type [INTEGER]', '/States/X/Seconds')]);
    expect(problems({ Type: 'Wait', Timestamp: '2016-03-14 01:59:00', End: true })).toEqual([
      schema('String does not match RFC3339 timestamp', '/States/X/Timestamp'),
    ]);
    expect(problems({ Type: 'Wait', Timestamp: '2016-03-14T01:59:00.5+01:00', End: true })).toEqual([]);
    expect(problems({ Type: 'Wait', SecondsPath: '$.s[*]', End: true })).toEqual([schema('Value is not a Reference Path', '/States/X/SecondsPath')]);
    expect(problems({ Type: 'Wait', Seconds: '{% $states.input.s %}', End: true }, jsonata)).toEqual([]);
    expect(problems({ Type: 'Wait', Seconds: '{% ( %}', End: true }, jsonata)[0]![0]).toBe('INVALID_JSONATA_EXPRESSION');
  });
});

describe('Fail', () => {
  it('accepts literal and dynamic error and cause, States.* names included', () => {
    expect(problems({ Type: 'Fail', Error: 'States.Timeout', Cause: 'why' })).toEqual([]);
    expect(problems({ Type: 'Fail', ErrorPath: '$.error', CausePath: "States.Format('{}', $.c)" })).toEqual([]);
  });

  it('refuses a literal together with its path', () => {
    expect(problems({ Type: 'Fail', Error: 'E', ErrorPath: '$.e', Cause: 'C', CausePath: '$.c' })).toEqual([
      schema('There should only be one of the following fields: [Error, ErrorPath]', '/States/X'),
      schema('There should only be one of the following fields: [Cause, CausePath]', '/States/X'),
    ]);
  });

  it('refuses an ErrorPath that is not a reference path nor an intrinsic', () => {
    expect(problems({ Type: 'Fail', ErrorPath: '$.errors[*]', CausePath: 7 })).toEqual([
      schema("The value for the field 'ErrorPath' must be a valid JSONPath or a valid intrinsic function call", '/States/X/ErrorPath'),
      schema('Expected value of type [STRING]', '/States/X/CausePath'),
    ]);
  });
});
