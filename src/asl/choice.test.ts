import { describe, expect, it } from 'vitest';
import { compileChoiceRule, evaluateChoiceRule } from './choice.js';
import { StatesError } from './errors.js';
import type { PathQuery, PathResult } from './scope.js';

/**
 * A small stand-in for the JSONPath module: `$.a.b`, `$.a[0]`, `$$.a` (context) and `$name.a`
 * (variables) are enough for Choice rules.
 */
function lookup(root: unknown, rest: string): PathResult {
  let value = root;
  for (const [, key, index] of rest.matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (key !== undefined) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !(key in value)) {
        return { found: false };
      }
      value = (value as Record<string, unknown>)[key];
    } else {
      if (!Array.isArray(value) || Number(index) >= value.length) return { found: false };
      value = value[Number(index)];
    }
  }
  return { found: true, value };
}

function queryOf(input: unknown, context: unknown = {}, variables: Record<string, unknown> = {}): PathQuery {
  return (path) => {
    if (path.startsWith('$$')) return lookup(context, path.slice(2));
    if (path === '$' || path.startsWith('$.') || path.startsWith('$[')) return lookup(input, path.slice(1));
    const name = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(path)![1]!;
    if (!(name in variables)) return { found: false };
    return lookup(variables[name], path.slice(name.length + 1));
  };
}

function run(rule: Record<string, unknown>, input: unknown): boolean {
  return evaluateChoiceRule(compileChoiceRule(rule), queryOf(input));
}

/** The States.Runtime error a rule raises, for exact comparison. */
function failure(rule: Record<string, unknown>, input: unknown): { error?: string; cause?: string } {
  try {
    run(rule, input);
  } catch (e) {
    if (e instanceof StatesError) return { error: e.error, cause: e.cause };
    throw e;
  }
  throw new Error('expected the rule to fail');
}

const invalidPath = (path: string) => ({
  error: 'States.Runtime',
  cause: `Invalid path '${path}': The choice state's condition path references an invalid value.`,
});

/** One value of every JSON type, with the names used in the type-test tables below. */
const SAMPLES: Record<string, unknown> = {
  null: null,
  zero: 0,
  int: 1,
  float: 1.1,
  empty: '',
  space: ' ',
  text: 'HelloWorld',
  timestamp: '2012-10-09T19:00:55Z',
  timestampWithOffset: '2012-10-09T19:00:55+01:00',
  timestampNoZone: '2012-10-09T19:00:55',
  date: '2023-02-24',
  emptyArray: [],
  array: [''],
  emptyObject: {},
  object: { A: 0 },
  true: true,
  false: false,
};

describe('type tests (IsNull, IsNumeric, IsString, IsBoolean, IsTimestamp, IsPresent)', () => {
  const matching: Record<string, string[]> = {
    IsNull: ['null'],
    IsNumeric: ['zero', 'int', 'float'],
    IsString: ['empty', 'space', 'text', 'timestamp', 'timestampWithOffset', 'timestampNoZone', 'date'],
    IsBoolean: ['true', 'false'],
    IsTimestamp: ['timestamp', 'timestampWithOffset'],
    IsPresent: Object.keys(SAMPLES),
  };
  for (const [operator, names] of Object.entries(matching)) {
    for (const [name, value] of Object.entries(SAMPLES)) {
      const isType = names.includes(name);
      it(`${operator} on ${name} is ${isType} (and the false form is ${!isType})`, () => {
        expect(run({ Variable: '$.Variable', [operator]: true }, { Variable: value })).toBe(isType);
        expect(run({ Variable: '$.Variable', [operator]: false }, { Variable: value })).toBe(!isType);
      });
    }
  }

  it('IsPresent tells a missing path from a present null', () => {
    expect(run({ Variable: '$.missing', IsPresent: true }, {})).toBe(false);
    expect(run({ Variable: '$.missing', IsPresent: false }, {})).toBe(true);
    expect(run({ Variable: '$.a[3]', IsPresent: false }, { a: [1] })).toBe(true);
    expect(run({ Variable: '$.a', IsPresent: true }, { a: null })).toBe(true);
  });

  it.each(['IsNull', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'])(
    '%s fails with States.Runtime when the path selects nothing',
    (operator) => {
      expect(failure({ Variable: '$.missing', [operator]: true }, {})).toEqual(invalidPath('$.missing'));
      expect(failure({ Variable: '$.missing', [operator]: false }, {})).toEqual(invalidPath('$.missing'));
    },
  );
});

describe('numeric comparisons', () => {
  const cases: [operator: string, variable: number, value: number, expected: boolean][] = [
    ['NumericEquals', 0, 0, true],
    ['NumericEquals', 1, 1.0, true],
    ['NumericEquals', 2.22, 2.22, true],
    ['NumericEquals', 1.1, 1, false],
    ['NumericEquals', 0, 1, false],
    ['NumericEquals', -0, 0, true],
    ['NumericLessThan', 0, 1, true],
    ['NumericLessThan', 1, 1, false],
    ['NumericLessThan', 1, 0, false],
    ['NumericLessThan', -1.5, -1, true],
    ['NumericGreaterThan', 1, 0, true],
    ['NumericGreaterThan', 0, 0, false],
    ['NumericGreaterThan', 0, 1, false],
    ['NumericGreaterThan', 1.0000001, 1, true],
    ['NumericLessThanEquals', 0, 0, true],
    ['NumericLessThanEquals', 0, 1, true],
    ['NumericLessThanEquals', 1, 0, false],
    ['NumericGreaterThanEquals', 0, 0, true],
    ['NumericGreaterThanEquals', 1, 0, true],
    ['NumericGreaterThanEquals', 0, 1, false],
    ['NumericGreaterThanEquals', 1e21, 1e20, true],
  ];
  it.each(cases)('%s: %s against %s is %s', (operator, variable, value, expected) => {
    expect(run({ Variable: '$.Variable', [operator]: value }, { Variable: variable })).toBe(expected);
    expect(run({ Variable: '$.Variable', [`${operator}Path`]: '$.Value' }, { Variable: variable, Value: value })).toBe(
      expected,
    );
  });

  const nonNumbers = ['null', 'empty', 'space', 'text', 'emptyArray', 'array', 'emptyObject', 'object', 'true', 'false'];
  it.each(nonNumbers)('a %s Variable matches no numeric operator', (name) => {
    const input = { Variable: SAMPLES[name], Value: 0 };
    for (const operator of ['NumericEquals', 'NumericLessThanEquals', 'NumericGreaterThanEquals']) {
      expect(run({ Variable: '$.Variable', [operator]: 0 }, input)).toBe(false);
      expect(run({ Variable: '$.Variable', [`${operator}Path`]: '$.Value' }, input)).toBe(false);
    }
    expect(run({ Variable: '$.Variable', NumericEquals: 1 }, { Variable: '1' })).toBe(false);
  });
});

describe('boolean comparisons', () => {
  it.each([
    [true, true, true],
    [false, false, true],
    [true, false, false],
    [false, true, false],
  ])('BooleanEquals: %s against %s is %s', (variable, value, expected) => {
    expect(run({ Variable: '$.Variable', BooleanEquals: value }, { Variable: variable })).toBe(expected);
    expect(run({ Variable: '$.Variable', BooleanEqualsPath: '$.Value' }, { Variable: variable, Value: value })).toBe(
      expected,
    );
  });

  it.each(['null', 'zero', 'int', 'empty', 'text', 'emptyArray', 'object'])(
    'a %s Variable is neither true nor false',
    (name) => {
      for (const value of [true, false]) {
        expect(run({ Variable: '$.Variable', BooleanEquals: value }, { Variable: SAMPLES[name] })).toBe(false);
        expect(
          run({ Variable: '$.Variable', BooleanEqualsPath: '$.Value' }, { Variable: SAMPLES[name], Value: value }),
        ).toBe(false);
      }
    },
  );
});

describe('string comparisons', () => {
  const cases: [operator: string, variable: string, value: string, expected: boolean][] = [
    ['StringEquals', 'Hello', 'Hello', true],
    ['StringEquals', ' ', '     ', false],
    ['StringEquals', '\t\n', '\t\r\n', false],
    ['StringEquals', 'hello', 'Hello', false],
    ['StringLessThan', 'A', 'AB', true],
    ['StringLessThan', 'AB', 'A', false],
    ['StringLessThan', '', '', false],
    ['StringLessThan', 'B', 'a', true],
    ['StringGreaterThan', 'A', 'A ', false],
    ['StringGreaterThan', 'A', 'A\t\n\r', false],
    ['StringGreaterThan', 'AB', 'ABC', false],
    ['StringGreaterThan', 'b', 'a', true],
    // UTF-16 code-unit order, as Java's String.compareTo: U+FFFF sorts after a surrogate pair.
    ['StringGreaterThan', '\uffff', '😀', true],
    ['StringLessThanEquals', '', '', true],
    ['StringLessThanEquals', 'A', 'AB', true],
    ['StringLessThanEquals', 'AB', 'A', false],
    ['StringGreaterThanEquals', '', '', true],
    ['StringGreaterThanEquals', 'AB', 'A', true],
    ['StringGreaterThanEquals', 'A', 'AB', false],
  ];
  it.each(cases)('%s: %j against %j is %s', (operator, variable, value, expected) => {
    expect(run({ Variable: '$.Variable', [operator]: value }, { Variable: variable })).toBe(expected);
    expect(run({ Variable: '$.Variable', [`${operator}Path`]: '$.Value' }, { Variable: variable, Value: value })).toBe(
      expected,
    );
  });

  it.each(['null', 'zero', 'int', 'float', 'emptyArray', 'array', 'emptyObject', 'object', 'true'])(
    'a %s Variable matches no string operator',
    (name) => {
      const input = { Variable: SAMPLES[name], Value: 'HelloWorld' };
      for (const operator of ['StringEquals', 'StringLessThan', 'StringGreaterThanEquals']) {
        expect(run({ Variable: '$.Variable', [operator]: 'HelloWorld' }, input)).toBe(false);
        expect(run({ Variable: '$.Variable', [`${operator}Path`]: '$.Value' }, input)).toBe(false);
      }
      expect(run({ Variable: '$.Variable', StringMatches: '*' }, input)).toBe(false);
    },
  );

  it('a number is not equal to its decimal text', () => {
    expect(run({ Variable: '$.Variable', StringEquals: '1' }, { Variable: 1 })).toBe(false);
  });
});

describe('StringMatches', () => {
  // Patterns are given as the decoded JSON strings: '\\*' here is the two characters \ and *.
  const cases: [pattern: string, text: string, expected: boolean][] = [
    ['log-*.txt', 'log-2023.txt', true],
    ['log-*.txt', 'log-.txt', true],
    ['log-*.txt', 'log-2023.txt.bak', false],
    ['*.log', 'zebra.log', true],
    ['*.log', 'zebra.logs', false],
    ['foo*.*', 'foobar.zebra', true],
    ['foo*.*', 'foobar', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
    ['?', 'a', false],
    ['[ab]', 'a', false],
    ['.*', 'xyz', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'aXb', false],
    ['*\\**', 'has*star', true],
    ['*\\**', 'no star', false],
    ['a\\\\b', 'a\\b', true],
    ['a\\\\*', 'a\\anything', true],
    ['a\\b', 'a\\b', true],
    ['end\\', 'end\\', true],
  ];
  it.each(cases)('%j against %j is %s', (pattern, text, expected) => {
    expect(run({ Variable: '$.Variable', StringMatches: pattern }, { Variable: text })).toBe(expected);
  });
});

describe('timestamp comparisons', () => {
  const T0 = '2012-10-09T19:00:55Z';
  const T1 = '2012-10-09T19:00:56Z';
  const cases: [operator: string, variable: string, value: string, expected: boolean][] = [
    ['TimestampEquals', T0, T0, true],
    ['TimestampEquals', T0, T1, false],
    ['TimestampEquals', '2012-10-09T20:00:55+01:00', T0, true],
    ['TimestampEquals', '2012-10-09T19:00:55.000Z', T0, true],
    ['TimestampEquals', '2012-10-09T19:00:55.0000001Z', T0, false],
    ['TimestampLessThan', T0, T1, true],
    ['TimestampLessThan', T1, T0, false],
    ['TimestampLessThan', T0, T0, false],
    ['TimestampLessThan', '2012-10-09T19:00:55.999999999Z', T1, true],
    ['TimestampLessThan', '2012-10-09T19:00:55Z', '2012-10-09T19:00:55-00:30', true],
    ['TimestampGreaterThan', T1, T0, true],
    ['TimestampGreaterThan', T0, T1, false],
    ['TimestampGreaterThan', T0, T0, false],
    ['TimestampLessThanEquals', T0, T0, true],
    ['TimestampLessThanEquals', T0, T1, true],
    ['TimestampLessThanEquals', T1, T0, false],
    ['TimestampGreaterThanEquals', T0, T0, true],
    ['TimestampGreaterThanEquals', T1, T0, true],
    ['TimestampGreaterThanEquals', T0, T1, false],
  ];
  it.each(cases)('%s: %s against %s is %s', (operator, variable, value, expected) => {
    expect(run({ Variable: '$.Variable', [operator]: value }, { Variable: variable })).toBe(expected);
    expect(run({ Variable: '$.Variable', [`${operator}Path`]: '$.Value' }, { Variable: variable, Value: value })).toBe(
      expected,
    );
  });

  it.each(['null', 'zero', 'float', 'empty', 'space', 'text', 'timestampNoZone', 'date', 'array', 'object', 'true'])(
    'a %s Variable matches no timestamp operator',
    (name) => {
      const input = { Variable: SAMPLES[name], Value: T0 };
      for (const operator of ['TimestampEquals', 'TimestampLessThanEquals', 'TimestampGreaterThanEquals']) {
        expect(run({ Variable: '$.Variable', [operator]: T0 }, input)).toBe(false);
        expect(run({ Variable: '$.Variable', [`${operator}Path`]: '$.Value' }, input)).toBe(false);
      }
    },
  );

  it('a space-separated date-time is not a timestamp', () => {
    expect(run({ Variable: '$.Variable', TimestampEquals: T0 }, { Variable: '2012-10-09 19:00:55Z' })).toBe(false);
  });
});

describe('missing paths and second operands of the wrong type', () => {
  const operators: [operator: string, constant: unknown][] = [
    ['StringEquals', 'x'],
    ['StringLessThan', 'x'],
    ['StringMatches', 'x*'],
    ['NumericEquals', 1],
    ['NumericGreaterThanEquals', 1],
    ['BooleanEquals', true],
    ['TimestampEquals', '2012-10-09T19:00:55Z'],
    ['TimestampLessThan', '2012-10-09T19:00:55Z'],
  ];
  it.each(operators)('%s fails with States.Runtime when the Variable selects nothing', (operator, constant) => {
    expect(failure({ Variable: '$.missing', [operator]: constant }, { other: 1 })).toEqual(invalidPath('$.missing'));
    expect(failure({ Variable: '$.a.b', [operator]: constant }, { a: 'not an object' })).toEqual(invalidPath('$.a.b'));
  });

  it.each(['StringEqualsPath', 'NumericLessThanPath', 'BooleanEqualsPath', 'TimestampGreaterThanPath'])(
    '%s fails naming the second path when it selects nothing',
    (operator) => {
      expect(failure({ Variable: '$.num1', [operator]: '$.missing' }, { num1: 1 })).toEqual(invalidPath('$.missing'));
    },
  );

  it('reports the Variable first when both paths select nothing', () => {
    expect(failure({ Variable: '$.a', NumericEqualsPath: '$.b' }, {})).toEqual(invalidPath('$.a'));
  });

  it('an Equals…Path whose second value has the wrong type is no match', () => {
    const input = { num1: 1, num2: 1, str1: '1', str2: '1', bool: true };
    expect(run({ Variable: '$.num1', NumericEqualsPath: '$.str2' }, input)).toBe(false);
    expect(run({ Variable: '$.str1', NumericEqualsPath: '$.str2' }, input)).toBe(false);
    expect(run({ Variable: '$.num1', StringEqualsPath: '$.num2' }, input)).toBe(false);
    expect(run({ Variable: '$.bool', BooleanEqualsPath: '$.str1' }, input)).toBe(false);
    expect(run({ Variable: '$.str1', TimestampEqualsPath: '$.str2' }, input)).toBe(false);
  });

  it('an ordering …Path whose second value has the wrong type fails naming that path', () => {
    const input = { num1: 1, num2: 1, str2: '1', ts: '2012-10-09T19:00:55Z' };
    // The Variable's own type does not matter once the second value is unusable.
    expect(failure({ Variable: '$.num1', StringGreaterThanPath: '$.num2' }, input)).toEqual(invalidPath('$.num2'));
    expect(failure({ Variable: '$.str2', StringLessThanPath: '$.num2' }, input)).toEqual(invalidPath('$.num2'));
    expect(failure({ Variable: '$.num1', NumericLessThanPath: '$.str2' }, input)).toEqual(invalidPath('$.str2'));
    expect(failure({ Variable: '$.ts', TimestampLessThanEqualsPath: '$.str2' }, input)).toEqual(invalidPath('$.str2'));
  });

  it('an ordering …Path whose Variable has the wrong type is no match', () => {
    expect(run({ Variable: '$.num1', StringGreaterThanPath: '$.str2' }, { num1: 1, str2: '1' })).toBe(false);
    expect(run({ Variable: '$.str1', NumericLessThanPath: '$.num2' }, { str1: '0', num2: 1 })).toBe(false);
  });
});

describe('And, Or, Not', () => {
  const input = { type: 'Private', value: 22 };
  it('combines operands, nested to any depth', () => {
    const inTwenties = {
      And: [
        { Variable: '$.value', NumericGreaterThanEquals: 20 },
        { Variable: '$.value', NumericLessThan: 30 },
      ],
    };
    expect(run(inTwenties, input)).toBe(true);
    expect(run(inTwenties, { value: 30 })).toBe(false);
    expect(run({ Not: { Variable: '$.type', StringEquals: 'Private' } }, input)).toBe(false);
    expect(run({ Not: { Variable: '$.type', StringEquals: 'Public' } }, input)).toBe(true);
    expect(run({ And: [{ Variable: '$.type', StringEquals: 'Private' }] }, input)).toBe(true);
    expect(
      run(
        {
          Or: [
            { Variable: '$.type', StringEquals: 'Public' },
            { Not: { Or: [{ Variable: '$.value', NumericLessThan: 20 }, { Not: inTwenties }] } },
          ],
        },
        input,
      ),
    ).toBe(true);
    expect(run({ Or: [{ Variable: '$.type', StringEquals: 'Public' }, { Not: inTwenties }] }, input)).toBe(false);
  });

  it('stops at the first deciding operand, so a later missing path does not fail', () => {
    const missing = { Variable: '$.missing', NumericEquals: 1 };
    expect(run({ And: [{ Variable: '$.value', NumericEquals: 0 }, missing] }, input)).toBe(false);
    expect(run({ Or: [{ Variable: '$.value', NumericEquals: 22 }, missing] }, input)).toBe(true);
    expect(failure({ And: [{ Variable: '$.value', NumericEquals: 22 }, missing] }, input)).toEqual(
      invalidPath('$.missing'),
    );
    expect(failure({ Not: missing }, input)).toEqual(invalidPath('$.missing'));
  });

  it('guards a comparison with IsPresent', () => {
    const guarded = {
      And: [
        { Variable: '$.input_value', IsPresent: true },
        { Variable: '$.input_value', NumericEquals: 42 },
      ],
    };
    expect(run(guarded, {})).toBe(false);
    expect(run(guarded, { input_value: 42 })).toBe(true);
    expect(run(guarded, { input_value: '42' })).toBe(false);
  });
});

describe('paths into the context object and variables', () => {
  it('passes the paths to the query as written', () => {
    const seen: string[] = [];
    const query: PathQuery = (path) => {
      seen.push(path);
      return queryOf({}, { Execution: { Name: 'run-1' } }, { guess: 'blue', answer: 'blue' })(path);
    };
    const rule = compileChoiceRule({
      And: [
        { Variable: '$$.Execution.Name', StringMatches: 'run-*' },
        { Variable: '$guess', StringEqualsPath: '$answer' },
      ],
    });
    expect(evaluateChoiceRule(rule, query)).toBe(true);
    expect(seen).toEqual(['$$.Execution.Name', '$guess', '$answer']);
  });

  it('an undefined variable is a missing path', () => {
    const query = queryOf({}, {}, {});
    expect(evaluateChoiceRule(compileChoiceRule({ Variable: '$nope', IsPresent: false }), query)).toBe(true);
    expect(() => evaluateChoiceRule(compileChoiceRule({ Variable: '$nope', StringEquals: 'x' }), query)).toThrow(
      "Invalid path '$nope': The choice state's condition path references an invalid value.",
    );
  });
});
