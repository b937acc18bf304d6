import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate.js';

const lambda = 'arn:aws:states:::lambda:invoke';

/** A one-state machine (plus a Succeed to route to). */
function single(state: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return { ...top, StartAt: 'X', States: { X: state } };
}

function messagesAt(definition: unknown) {
  return validateDefinition(definition).map((d) => [d.code, d.message, d.location]);
}

describe('fields per state type', () => {
  it.each([
    ['Pass', { Type: 'Pass', End: true }],
    ['Map', { Type: 'Map', End: true, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }],
    ['Parallel', { Type: 'Parallel', End: true, Branches: [{ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }] }],
  ])('refuses TimeoutSeconds on %s, at the state', (_type, state) => {
    expect(messagesAt(single({ ...state, TimeoutSeconds: 5 }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'TimeoutSeconds' is not supported", '/States/X'],
    ]);
  });

  it('refuses Retry and Catch on states that cannot fail that way', () => {
    expect(messagesAt(single({ Type: 'Wait', Seconds: 1, End: true, Retry: [{ ErrorEquals: ['States.ALL'] }] }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'Retry' is not supported", '/States/X'],
    ]);
    expect(
      messagesAt(single({ Type: 'Pass', End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }] }, { QueryLanguage: 'JSONata' })),
    ).toEqual([['SCHEMA_VALIDATION_FAILED', "Field 'Catch' is not supported", '/States/X']]);
  });

  it('refuses unknown and misspelt fields, each once', () => {
    expect(messagesAt(single({ Type: 'Pass', End: true, Resultpath: '$.x', comment: 'c' }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'Resultpath' is not supported", '/States/X'],
      ['SCHEMA_VALIDATION_FAILED', "Field 'comment' is not supported", '/States/X'],
    ]);
  });

  it('refuses Next and End on Choice, Succeed and Fail', () => {
    expect(messagesAt(single({ Type: 'Succeed', End: true }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'End' is not supported", '/States/X'],
    ]);
    expect(messagesAt(single({ Type: 'Fail', Next: 'X' }))).toEqual([['SCHEMA_VALIDATION_FAILED', "Field 'Next' is not supported", '/States/X']]);
  });

  it('refuses Assign on Succeed and Fail only', () => {
    expect(messagesAt(single({ Type: 'Succeed', Assign: { a: 1 } }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'Assign' is not supported", '/States/X'],
    ]);
    expect(messagesAt(single({ Type: 'Wait', Seconds: 0, Assign: { a: 1 }, End: true }))).toEqual([]);
  });
});

describe('query languages', () => {
  const jsonata = { QueryLanguage: 'JSONata' };

  it('refuses JSONPath fields in a JSONata state, at the state, in a fixed order', () => {
    expect(messagesAt(single({ Type: 'Pass', End: true, ResultPath: '$.c', OutputPath: '$.b', InputPath: '$.a' }, jsonata))).toEqual(
      ['InputPath', 'OutputPath', 'ResultPath'].map((field) => [
        'SCHEMA_VALIDATION_FAILED',
        `The QueryLanguage is set to 'JSONata', but field '${field}' is only supported for the 'JSONPath' QueryLanguage`,
        '/States/X',
      ]),
    );
  });

  it('refuses JSONata fields in a JSONPath state', () => {
    expect(messagesAt(single({ Type: 'Task', Resource: lambda, End: true, Arguments: { a: 1 }, Output: { v: 1 } }))).toEqual(
      ['Output', 'Arguments'].map((field) => [
        'SCHEMA_VALIDATION_FAILED',
        `The QueryLanguage is set to 'JSONPath', but field '${field}' is only supported for the 'JSONata' QueryLanguage`,
        '/States/X',
      ]),
    );
    expect(messagesAt(single({ Type: 'Map', Items: [1], End: true, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }))).toEqual([
      [
        'SCHEMA_VALIDATION_FAILED',
        "The QueryLanguage is set to 'JSONPath', but field 'Items' is only supported for the 'JSONata' QueryLanguage",
        '/States/X',
      ],
    ]);
  });

  it('accepts Assign in both languages', () => {
    expect(messagesAt(single({ Type: 'Pass', Assign: { counter: 1 }, End: true }))).toEqual([]);
    expect(messagesAt(single({ Type: 'Pass', Assign: { counter: '{% 1 + 1 %}' }, End: true }, jsonata))).toEqual([]);
  });

  it('refuses a JSONPath state in a JSONata machine, and nothing more about its fields', () => {
    expect(messagesAt(single({ Type: 'Pass', QueryLanguage: 'JSONPath', Output: { v: '{% 1 %}' }, End: true }, jsonata))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", '/States/X'],
    ]);
  });

  it('still runs the other checks of a downgraded state', () => {
    const map = { Type: 'Map', QueryLanguage: 'JSONPath', MaxConcurrency: -1, End: true, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } };
    expect(messagesAt(single(map, jsonata))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", '/States/X'],
      ['SCHEMA_VALIDATION_FAILED', 'Minimum value is 0', '/States/X/MaxConcurrency'],
    ]);
  });

  it('accepts a JSONata state in a JSONPath machine', () => {
    expect(messagesAt(single({ Type: 'Pass', QueryLanguage: 'JSONata', Output: { v: '{% 1 %}' }, End: true }))).toEqual([]);
  });

  it('reports a QueryLanguage outside the enum at the field, and resolves it to JSONata', () => {
    expect(messagesAt(single({ Type: 'Pass', QueryLanguage: 'jsonata', InputPath: '$.a', End: true }))).toEqual([
      [
        'SCHEMA_VALIDATION_FAILED',
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage",
        '/States/X',
      ],
      ['SCHEMA_VALIDATION_FAILED', 'Value should be one of the following: [JSONPath, JSONata]', '/States/X/QueryLanguage'],
    ]);
    expect(messagesAt(single({ Type: 'Pass', QueryLanguage: 5, End: true }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', 'Expected value of type [STRING]', '/States/X/QueryLanguage'],
    ]);
  });

  it('reports the machine QueryLanguage at /QueryLanguage, before the states', () => {
    expect(messagesAt(single({ Type: 'Pass', InputPath: '$.a', End: true }, { QueryLanguage: 'jsonpath' }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', 'Value should be one of the following: [JSONPath, JSONata]', '/QueryLanguage'],
      [
        'SCHEMA_VALIDATION_FAILED',
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage",
        '/States/X',
      ],
    ]);
  });

  it("gives nested states the machine's language, not the enclosing state's", () => {
    const inner = { StartAt: 'P', States: { P: { Type: 'Pass', Output: { doubled: '{% $states.input.n * 2 %}' }, End: true } } };
    const expected = [
      [
        'SCHEMA_VALIDATION_FAILED',
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
        '/States/M/ItemProcessor/States/P',
      ],
    ];
    const map = { Type: 'Map', ItemProcessor: inner, End: true };
    expect(messagesAt({ StartAt: 'M', States: { M: map } })).toEqual(expected);
    expect(messagesAt({ StartAt: 'M', States: { M: { ...map, QueryLanguage: 'JSONata' } } })).toEqual(expected);
    expect(messagesAt({ QueryLanguage: 'JSONata', StartAt: 'M', States: { M: map } })).toEqual([]);
  });

  it('refuses a QueryLanguage on an ItemProcessor, an Iterator or a branch', () => {
    const inner = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    expect(messagesAt(single({ Type: 'Map', Iterator: inner, End: true }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'QueryLanguage' is not supported", '/States/X/Iterator'],
    ]);
    expect(messagesAt(single({ Type: 'Parallel', Branches: [inner], End: true }))).toEqual([
      ['SCHEMA_VALIDATION_FAILED', "Field 'QueryLanguage' is not supported", '/States/X/Branches[0]'],
    ]);
  });
});
