import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate.js';

function choice(fields: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return { ...top, StartAt: 'C', States: { C: { Type: 'Choice', ...fields }, A: { Type: 'Succeed' } } };
}

function rules(...choices: unknown[]) {
  return choice({ Choices: choices, Default: 'A' });
}

function problems(definition: unknown) {
  return validateDefinition(definition).map((d) => [d.code, d.message, d.location]);
}

const schema = (message: string, location: string) => ['SCHEMA_VALIDATION_FAILED', message, location];

describe('Choice state', () => {
  it('accepts comparisons, combinations and Assign on top-level rules', () => {
    const definition = rules(
      { Variable: '$.n', NumericGreaterThanEquals: 1.5, Next: 'A', Assign: { seen: true } },
      { And: [{ Variable: '$.s', StringMatches: 'log-*' }, { Not: { Variable: '$$.Execution.Id', IsNull: true } }], Next: 'A' },
      { Or: [{ Variable: '$v', TimestampLessThan: '2016-03-14T01:59:00Z' }, { Variable: '$.b', BooleanEqualsPath: '$.c' }], Next: 'A' },
    );
    expect(problems(definition)).toEqual([]);
  });

  it('requires a non-empty Choices list', () => {
    expect(problems(choice({ Default: 'A' }))).toContainEqual(schema('These fields are required: [Choices]', '/States/C'));
    expect(problems(choice({ Choices: [], Default: 'A' }))).toEqual([schema('Value cannot be empty', '/States/C/Choices')]);
  });

  it('requires Next on top-level rules, and refuses it on nested ones', () => {
    expect(problems(rules({ Variable: '$.a', IsPresent: true }))).toEqual([schema('These fields are required: [Next]', '/States/C/Choices[0]')]);
    expect(problems(rules({ Not: { Variable: '$.a', IsPresent: true, Next: 'A' }, Next: 'A' }))).toEqual([
      schema("Field 'Next' is not supported", '/States/C/Choices[0]/Not'),
    ]);
  });

  it('wants exactly one of And, Or, Not and Variable', () => {
    expect(problems(rules({ NumericEquals: 1, Next: 'A' }))).toEqual([
      schema('The object must have only one of the following fields, [And, Or, Not, Variable, Condition]', '/States/C/Choices[0]'),
    ]);
    const both = { Variable: '$.a', IsPresent: true, And: [{ Variable: '$.b', IsNull: true }], Next: 'A' };
    expect(problems(rules(both))[0]).toEqual(
      schema('The object must have only one of the following fields, [And, Or, Not, Variable, Condition]', '/States/C/Choices[0]'),
    );
  });

  it('wants exactly one comparison operator with a Variable', () => {
    const [none] = problems(rules({ Variable: '$.a', Next: 'A' }));
    expect(none![1]).toMatch(/^This object should have only one of the following fields: \[StringEquals, StringEqualsPath, /);
    const [two] = problems(rules({ Variable: '$.a', IsNull: true, IsString: true, Next: 'A' }));
    expect(two![1]).toMatch(/^There should only be one of the following fields: \[StringEquals, .*, IsTimestamp\]$/);
    expect(two![2]).toBe('/States/C/Choices[0]');
  });

  it('checks the type of each operand', () => {
    const definition = rules(
      { Variable: '$.a', NumericEquals: '1', Next: 'A' },
      { Variable: '$.a', StringEquals: 1, Next: 'A' },
      { Variable: '$.a', BooleanEquals: 'true', Next: 'A' },
      { Variable: '$.a', TimestampEquals: '2016-03-14', Next: 'A' },
      { Variable: '$.a', StringEqualsPath: 'b', Next: 'A' },
      { Variable: 'a', IsPresent: true, Next: 'A' },
    );
    expect(problems(definition)).toEqual([
      schema('Expected value of type [NUMBER]', '/States/C/Choices[0]/NumericEquals'),
      schema('Expected value of type [STRING]', '/States/C/Choices[1]/StringEquals'),
      schema('Expected value of type [BOOLEAN]', '/States/C/Choices[2]/BooleanEquals'),
      schema('String does not match RFC3339 timestamp', '/States/C/Choices[3]/TimestampEquals'),
      schema("Value is not a Reference Path: Reference path didn't start with '$'", '/States/C/Choices[4]/StringEqualsPath'),
      schema("Value is not a Reference Path: Reference path didn't start with '$'", '/States/C/Choices[5]/Variable'),
    ]);
  });

  it('checks And and Or lists, at the nested location', () => {
    expect(problems(rules({ And: [], Next: 'A' }))).toEqual([schema('Value cannot be empty', '/States/C/Choices[0]/And')]);
    expect(problems(rules({ Or: [{ Variable: '$.a', NumericEquals: 'x' }], Next: 'A' }))).toEqual([
      schema('Expected value of type [NUMBER]', '/States/C/Choices[0]/Or[0]/NumericEquals'),
    ]);
  });

  it('refuses JSONata rule fields in JSONPath and the other way round', () => {
    expect(problems(rules({ Condition: '{% true %}', Next: 'A' }))[0]).toEqual(
      schema("The QueryLanguage is set to 'JSONPath', but field 'Condition' is only supported for the 'JSONata' QueryLanguage", '/States/C/Choices[0]'),
    );
    const definition = choice({ Choices: [{ Variable: '$.a', IsNull: true, Next: 'A' }], Default: 'A' }, { QueryLanguage: 'JSONata' });
    expect(problems(definition)).toEqual([
      schema("The QueryLanguage is set to 'JSONata', but field 'Variable' is only supported for the 'JSONPath' QueryLanguage", '/States/C/Choices[0]'),
      schema("The QueryLanguage is set to 'JSONata', but field 'IsNull' is only supported for the 'JSONPath' QueryLanguage", '/States/C/Choices[0]'),
      schema('These fields are required: [Condition]', '/States/C/Choices[0]'),
    ]);
  });

  it('checks JSONata conditions', () => {
    const ok = choice({ Choices: [{ Condition: '{% $states.input.n > 1 %}', Next: 'A', Output: { x: 1 } }], Default: 'A' }, { QueryLanguage: 'JSONata' });
    expect(problems(ok)).toEqual([]);
    const bad = choice({ Choices: [{ Condition: '{% $states.input.n > %}', Next: 'A' }, { Condition: 'yes', Next: 'A' }] }, { QueryLanguage: 'JSONata' });
    expect(problems(bad)).toEqual([
      ['INVALID_JSONATA_EXPRESSION', 'Unexpected end of expression', '/States/C/Choices[0]/Condition'],
      schema('Expected value of type [BOOLEAN]', '/States/C/Choices[1]/Condition'),
    ]);
  });

  it('refuses End on a Choice state', () => {
    expect(problems(choice({ Choices: [{ Variable: '$.a', IsNull: true, Next: 'A' }], End: true }))).toEqual([
      schema("Field 'End' is not supported", '/States/C'),
    ]);
  });
});
