import { describe, expect, it } from 'vitest';
import { ChoiceRuleError, compileChoiceRule } from './compile.js';

function rejection(rule: unknown): { message: string; pointer: string } {
  try {
    compileChoiceRule(rule);
  } catch (e) {
    if (e instanceof ChoiceRuleError) return { message: e.message, pointer: e.pointer };
    throw e;
  }
  throw new Error('expected the rule to be rejected');
}

describe('compileChoiceRule: the tree', () => {
  it('compiles comparisons with constants into typed nodes', () => {
    expect(compileChoiceRule({ Variable: '$.n', NumericLessThan: 3, Next: 'X' })).toEqual({
      kind: 'compare',
      operator: 'NumericLessThan',
      type: 'Numeric',
      relation: 'LessThan',
      variable: '$.n',
      value: 3,
    });
    expect(compileChoiceRule({ Variable: '$.t', TimestampEquals: '1970-01-01T00:00:01.5Z', Next: 'X' })).toEqual({
      kind: 'compare',
      operator: 'TimestampEquals',
      type: 'Timestamp',
      relation: 'Equals',
      variable: '$.t',
      value: { seconds: 1, nanos: 500_000_000 },
    });
  });

  it('compiles …Path operators, type tests, IsPresent and StringMatches', () => {
    expect(compileChoiceRule({ Variable: '$.a', StringGreaterThanEqualsPath: '$$.b', Next: 'X' })).toEqual({
      kind: 'comparePath',
      operator: 'StringGreaterThanEqualsPath',
      type: 'String',
      relation: 'GreaterThanEquals',
      variable: '$.a',
      path: '$$.b',
    });
    expect(compileChoiceRule({ Variable: '$v', IsTimestamp: false, Next: 'X' })).toEqual({
      kind: 'typeTest',
      test: 'IsTimestamp',
      variable: '$v',
      expected: false,
    });
    expect(compileChoiceRule({ Variable: '$.a', IsPresent: true, Next: 'X' })).toEqual({
      kind: 'isPresent',
      variable: '$.a',
      expected: true,
    });
    const matches = compileChoiceRule({ Variable: '$.a', StringMatches: 'a*', Next: 'X' });
    expect(matches).toMatchObject({ kind: 'matches', variable: '$.a', pattern: 'a*' });
  });

  it('compiles And, Or and Not, ignoring Comment at every level', () => {
    const tree = compileChoiceRule({
      Comment: 'top',
      And: [
        { Variable: '$.a', BooleanEquals: true, Comment: 'inner' },
        { Not: { Or: [{ Variable: '$.b', IsNull: true }] } },
      ],
      Next: 'X',
      Assign: { x: 1 },
    });
    expect(tree).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', operator: 'BooleanEquals', type: 'Boolean', relation: 'Equals', variable: '$.a', value: true },
        {
          kind: 'not',
          operand: { kind: 'or', operands: [{ kind: 'typeTest', test: 'IsNull', variable: '$.b', expected: true }] },
        },
      ],
    });
  });

  it('accepts the fields in any order', () => {
    expect(compileChoiceRule({ BooleanEquals: false, Next: 'F', Variable: '$.result.done' })).toMatchObject({
      kind: 'compare',
      variable: '$.result.done',
      value: false,
    });
  });
});

describe('compileChoiceRule: invalid rules', () => {
  const cases: [title: string, rule: unknown, message: string, pointer: string][] = [
    ['a rule that is not an object', 'StringEquals', 'A choice rule must be a JSON object', ''],
    ['an array rule', [], 'A choice rule must be a JSON object', ''],
    [
      'no operator',
      { Variable: '$.a', Next: 'X' },
      'A choice rule must have a comparison operator or one of And, Or, Not',
      '',
    ],
    [
      'two operators',
      { Variable: '$.a', StringEquals: 'x', NumericEquals: 1, Next: 'X' },
      "A choice rule must have exactly one comparison operator or And, Or, Not; found 'StringEquals' and 'NumericEquals'",
      '/NumericEquals',
    ],
    [
      'an operator beside And',
      { And: [{ Variable: '$.a', IsNull: true }], Variable: '$.a', IsNull: true, Next: 'X' },
      "A choice rule must have exactly one comparison operator or And, Or, Not; found 'And' and 'IsNull'",
      '/IsNull',
    ],
    [
      'an unknown operator',
      { Variable: '$.a', StringContains: 'x', Next: 'X' },
      "Field 'StringContains' is not supported in a choice rule",
      '/StringContains',
    ],
    [
      'StringMatchesPath (which does not exist)',
      { Variable: '$.a', StringMatchesPath: '$.b', Next: 'X' },
      "Field 'StringMatchesPath' is not supported in a choice rule",
      '/StringMatchesPath',
    ],
    [
      'BooleanLessThan (which does not exist)',
      { Variable: '$.a', BooleanLessThan: true, Next: 'X' },
      "Field 'BooleanLessThan' is not supported in a choice rule",
      '/BooleanLessThan',
    ],
    [
      'a JSONata Condition',
      { Condition: '{% true %}', Next: 'X' },
      "Field 'Condition' is not supported in a choice rule",
      '/Condition',
    ],
    [
      'a missing Variable',
      { NumericEquals: 1, Next: 'X' },
      "Missing required field 'Variable' for 'NumericEquals'",
      '',
    ],
    [
      'a Variable that is not a path',
      { Variable: 'a.b', NumericEquals: 1, Next: 'X' },
      "Field 'Variable' must be a valid reference path",
      '/Variable',
    ],
    [
      'a Variable that is not a string',
      { Variable: 1, NumericEquals: 1, Next: 'X' },
      "Field 'Variable' must be a valid reference path",
      '/Variable',
    ],
    [
      'a Variable beside Not',
      { Variable: '$.a', Not: { Variable: '$.a', IsNull: true }, Next: 'X' },
      "Field 'Variable' is not supported with 'Not'",
      '/Variable',
    ],
    [
      'a string for NumericEquals',
      { Variable: '$.a', NumericEquals: '1', Next: 'X' },
      "The value of 'NumericEquals' must be a number",
      '/NumericEquals',
    ],
    [
      'a number for StringEquals',
      { Variable: '$.a', StringEquals: 1, Next: 'X' },
      "The value of 'StringEquals' must be a string",
      '/StringEquals',
    ],
    [
      'a string for BooleanEquals',
      { Variable: '$.a', BooleanEquals: 'true', Next: 'X' },
      "The value of 'BooleanEquals' must be a boolean",
      '/BooleanEquals',
    ],
    [
      'a date for TimestampEquals',
      { Variable: '$.a', TimestampEquals: '2016-03-14', Next: 'X' },
      "The value of 'TimestampEquals' must be a timestamp (RFC 3339, for example 2016-03-14T01:59:00Z)",
      '/TimestampEquals',
    ],
    [
      'a lowercase z in TimestampLessThan',
      { Variable: '$.a', TimestampLessThan: '2016-03-14T01:59:00z', Next: 'X' },
      "The value of 'TimestampLessThan' must be a timestamp (RFC 3339, for example 2016-03-14T01:59:00Z)",
      '/TimestampLessThan',
    ],
    [
      'a number for StringMatches',
      { Variable: '$.a', StringMatches: 1, Next: 'X' },
      "The value of 'StringMatches' must be a string",
      '/StringMatches',
    ],
    [
      'a string for IsPresent',
      { Variable: '$.a', IsPresent: 'true', Next: 'X' },
      "The value of 'IsPresent' must be a boolean",
      '/IsPresent',
    ],
    [
      'a literal for a …Path operator',
      { Variable: '$.a', NumericEqualsPath: 1, Next: 'X' },
      "The value of 'NumericEqualsPath' must be a valid reference path",
      '/NumericEqualsPath',
    ],
    [
      'an empty And',
      { And: [], Next: 'X' },
      "The value of 'And' must be a non-empty array of choice rules",
      '/And',
    ],
    [
      'an Or that is not an array',
      { Or: { Variable: '$.a', IsNull: true }, Next: 'X' },
      "The value of 'Or' must be a non-empty array of choice rules",
      '/Or',
    ],
    [
      'a Not that is an array',
      { Not: [{ Variable: '$.a', IsNull: true }], Next: 'X' },
      "The value of 'Not' must be a choice rule object",
      '/Not',
    ],
    [
      'Next inside And',
      { And: [{ Variable: '$.a', IsNull: true, Next: 'Y' }], Next: 'X' },
      "Field 'Next' is only supported in a top-level choice rule",
      '/And/0/Next',
    ],
    [
      'Assign inside Not',
      { Not: { Variable: '$.a', IsNull: true, Assign: {} }, Next: 'X' },
      "Field 'Assign' is only supported in a top-level choice rule",
      '/Not/Assign',
    ],
    [
      'a bad value deep inside',
      { Or: [{ Variable: '$.a', IsNull: true }, { Not: { And: [{ Variable: '$.b', NumericLessThan: null }] } }] },
      "The value of 'NumericLessThan' must be a number",
      '/Or/1/Not/And/0/NumericLessThan',
    ],
    [
      'a Comment that is not a string',
      { Variable: '$.a', IsNull: true, Comment: 1, Next: 'X' },
      "Field 'Comment' must be a string",
      '/Comment',
    ],
  ];
  it.each(cases)('rejects %s', (_title, rule, message, pointer) => {
    expect(rejection(rule)).toEqual({ message, pointer });
  });

  it('is an Error named ChoiceRuleError', () => {
    expect(() => compileChoiceRule(null)).toThrow(ChoiceRuleError);
    expect(() => compileChoiceRule(null)).toThrow(expect.objectContaining({ name: 'ChoiceRuleError' }));
  });
});
