import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate.js';

const lambda = 'arn:aws:states:::lambda:invoke';

function task(fields: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return { ...top, StartAt: 'T', States: { T: { Type: 'Task', Resource: lambda, Next: 'Done', ...fields }, Done: { Type: 'Succeed' } } };
}

function problems(definition: unknown) {
  return validateDefinition(definition).map((d) => [d.code, d.message, d.location]);
}

const schema = (message: string, location: string) => ['SCHEMA_VALIDATION_FAILED', message, location];

describe('Retry', () => {
  it('accepts a full retrier', () => {
    const retrier = {
      ErrorEquals: ['Lambda.ServiceException', 'States.Timeout'],
      IntervalSeconds: 2,
      MaxAttempts: 0,
      BackoffRate: 1.5,
      MaxDelaySeconds: 10,
      JitterStrategy: 'FULL',
      Comment: 'retry',
    };
    expect(problems(task({ Retry: [retrier, { ErrorEquals: ['States.ALL'] }] }))).toEqual([]);
  });

  it('requires a non-empty ErrorEquals of strings', () => {
    expect(problems(task({ Retry: [{ MaxAttempts: 1 }] }))).toEqual([schema('These fields are required: [ErrorEquals]', '/States/T/Retry[0]')]);
    expect(problems(task({ Retry: [{ ErrorEquals: [] }] }))).toEqual([schema('Value cannot be empty', '/States/T/Retry[0]/ErrorEquals')]);
    expect(problems(task({ Retry: [{ ErrorEquals: ['E', 3] }] }))).toEqual([
      schema('Expected value of type [STRING]', '/States/T/Retry[0]/ErrorEquals[1]'),
    ]);
  });

  it('wants States.ALL alone and in the last retrier', () => {
    expect(problems(task({ Retry: [{ ErrorEquals: ['States.ALL', 'E'] }] }))).toEqual([
      schema('States.ALL must appear alone and at end of list', '/States/T/Retry[0]/ErrorEquals'),
    ]);
    expect(problems(task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['E'] }] }))).toEqual([
      schema('States.ALL must appear alone and at end of list', '/States/T/Retry[0]/ErrorEquals'),
    ]);
  });

  it('checks the numbers and the jitter strategy', () => {
    const retrier = { ErrorEquals: ['E'], IntervalSeconds: 0, MaxAttempts: -1, BackoffRate: 0.5, MaxDelaySeconds: 0, JitterStrategy: 'HALF' };
    expect(problems(task({ Retry: [retrier] }))).toEqual([
      schema('Minimum value is 1', '/States/T/Retry[0]/IntervalSeconds'),
      schema('Minimum value is 0', '/States/T/Retry[0]/MaxAttempts'),
      schema('Minimum value is 1.0', '/States/T/Retry[0]/BackoffRate'),
      schema('Minimum value is 1', '/States/T/Retry[0]/MaxDelaySeconds'),
      schema('Value should be one of the following: [NONE, FULL]', '/States/T/Retry[0]/JitterStrategy'),
    ]);
    expect(problems(task({ Retry: [{ ErrorEquals: ['E'], MaxAttempts: 100000000, IntervalSeconds: 'x' }] }))).toEqual([
      schema('Expected value of type [INTEGER]', '/States/T/Retry[0]/IntervalSeconds'),
      schema('Maximum value is 99999999', '/States/T/Retry[0]/MaxAttempts'),
    ]);
  });

  it('refuses unknown retrier fields and a Retry that is not a list', () => {
    expect(problems(task({ Retry: [{ ErrorEquals: ['E'], Next: 'Done' }] }))).toEqual([schema("Field 'Next' is not supported", '/States/T/Retry[0]')]);
    expect(problems(task({ Retry: { ErrorEquals: ['E'] } }))).toEqual([schema('Expected value of type [ARRAY]', '/States/T/Retry')]);
  });
});

describe('Catch', () => {
  it('requires ErrorEquals and Next', () => {
    expect(problems(task({ Catch: [{}] }))).toEqual([schema('These fields are required: [ErrorEquals, Next]', '/States/T/Catch[0]')]);
  });

  it('wants States.ALL alone and in the last catcher', () => {
    const catchers = [
      { ErrorEquals: ['States.ALL'], Next: 'Done' },
      { ErrorEquals: ['E'], Next: 'Done' },
    ];
    expect(problems(task({ Catch: catchers }))).toEqual([schema('States.ALL must appear alone and at end of list', '/States/T/Catch[0]/ErrorEquals')]);
  });

  it('checks ResultPath in JSONPath and refuses Output there', () => {
    expect(problems(task({ Catch: [{ ErrorEquals: ['E'], Next: 'Done', ResultPath: 'error' }] }))).toEqual([
      schema("Value is not a Reference Path: Reference path didn't start with '$'", '/States/T/Catch[0]/ResultPath'),
    ]);
    expect(problems(task({ Catch: [{ ErrorEquals: ['E'], Next: 'Done', Output: {} }] }))).toEqual([
      schema("The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage", '/States/T/Catch[0]'),
    ]);
  });

  it('refuses ResultPath in a JSONata catcher and checks its Output and Assign', () => {
    const catcher = { ErrorEquals: ['E'], Next: 'Done', ResultPath: '$.e', Output: '{% 1 + %}', Assign: { 'bad name': 1 } };
    expect(problems(task({ Catch: [catcher] }, { QueryLanguage: 'JSONata' }))).toEqual([
      schema("The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only supported for the 'JSONPath' QueryLanguage", '/States/T/Catch[0]'),
      ['INVALID_JSONATA_EXPRESSION', 'Unexpected end of expression', '/States/T/Catch[0]/Output'],
      ['INVALID_VARIABLE_NAME', "Invalid variable name 'bad name': the variable name contains invalid characters.", '/States/T/Catch[0]/Assign/bad name'],
    ]);
  });

  it('accepts Retry and Catch on Task, Parallel and Map', () => {
    const handling = { Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }] };
    const branch = { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } };
    const definition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: lambda, Next: 'P', ...handling },
        P: { Type: 'Parallel', Branches: [branch], Next: 'M', ...handling },
        M: { Type: 'Map', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, Next: 'Done', ...handling },
        Done: { Type: 'Succeed' },
      },
    };
    expect(problems(definition)).toEqual([]);
  });
});
