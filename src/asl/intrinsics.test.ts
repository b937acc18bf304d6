import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StatesError } from './errors.js';
import { compileIntrinsic, evaluateIntrinsic, IntrinsicSyntaxError, type IntrinsicEnv } from './intrinsics.js';
import type { PathQuery, PathResult } from './scope.js';

const CONTEXT = {
  Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1', Input: { csv: 'x,y,z', n: 3 } },
  StateMachine: { Name: 'my-state-machine' },
};
const VARIABLES: Record<string, unknown> = { greeting: 'Hello', limits: { max: 5 } };

const STEP = /\.([A-Za-z0-9_]+)|\[(\d+)\]|\['([^']*)'\]/y;

/** A small JSONPath subset (`.name`, `[n]`, `['name']`) over input, context and variables. */
function queryFor(input: unknown): PathQuery {
  return (path: string): PathResult => {
    let value: unknown;
    let rest: string;
    if (path.startsWith('$$')) [value, rest] = [CONTEXT, path.slice(2)];
    else if (/^\$[A-Za-z_]/.test(path)) {
      const name = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(path)![1]!;
      if (!(name in VARIABLES)) return { found: false };
      [value, rest] = [VARIABLES[name], path.slice(name.length + 1)];
    } else [value, rest] = [input, path.slice(1)];
    STEP.lastIndex = 0;
    while (STEP.lastIndex < rest.length) {
      const at = STEP.lastIndex;
      const m = STEP.exec(rest);
      if (!m || m.index !== at) throw new Error(`test query cannot read ${path}`);
      const key = m[1] ?? m[3];
      if (key !== undefined) {
        if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) {
          return { found: false };
        }
        value = (value as Record<string, unknown>)[key];
      } else {
        const index = Number(m[2]);
        if (!Array.isArray(value) || index >= value.length) return { found: false };
        value = value[index];
      }
    }
    return { found: true, value };
  };
}

function run(expression: string, input: unknown = {}, env?: IntrinsicEnv): unknown {
  return evaluateIntrinsic(compileIntrinsic(expression), queryFor(input), env);
}

function failure(expression: string, input: unknown = {}, env?: IntrinsicEnv): { error?: string; cause?: string } {
  try {
    run(expression, input, env);
  } catch (error) {
    if (error instanceof StatesError) return { error: error.error, cause: error.cause };
    throw error;
  }
  throw new Error(`${expression} did not fail`);
}

/** The cause AWS writes when a function rejects its arguments (the state prefix is the engine's). */
const invalid = (call: string, fn = /^States\.[A-Za-z0-9]+/.exec(call)![0]) =>
  `There was an error while evaluating the intrinsic function: ${call}. Invalid arguments in ${fn}`;

type Case = readonly [expression: string, input: unknown, expected: unknown];

function succeeds(cases: readonly Case[]): void {
  it.each(cases)('%s on %j', (expression, input, expected) => {
    expect(run(expression, input)).toStrictEqual(expected);
  });
}

/** Every case fails with States.Runtime and the generic "Invalid arguments in <function>" cause. */
function rejects(cases: ReadonlyArray<readonly [expression: string, input: unknown]>): void {
  it.each(cases)('%s on %j', (expression, input) => {
    expect(failure(expression, input)).toEqual({ error: 'States.Runtime', cause: invalid(expression) });
  });
}

describe('States.Format', () => {
  succeeds([
    ["States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' }, 'Hello, my name is Arnav.'],
    ['States.Format($.template, $.name)', { template: 'Hello, my name is {}.', name: 'Arnav' }, 'Hello, my name is Arnav.'],
    ["States.Format('no placeholders')", {}, 'no placeholders'],
    ["States.Format('')", {}, ''],
    ["States.Format('{}{}{}', 'a', 'b', 'c')", {}, 'abc'],
    ["States.Format('  {}  ', $.a)", { a: 'x' }, '  x  '],
    // Values print as Java prints them: strings raw, null as null, objects as {k=v}, lists as [a, b].
    ["States.Format('[{}]', $.v)", { v: '' }, '[]'],
    ["States.Format('[{}]', $.v)", { v: ' ' }, '[ ]'],
    ["States.Format('[{}]', $.v)", { v: null }, '[null]'],
    ["States.Format('[{}|{}]', $.t, $.f)", { t: true, f: false }, '[true|false]'],
    ["States.Format('[{}]', $.v)", { v: 1 }, '[1]'],
    ["States.Format('[{}]', $.v)", { v: 1.1 }, '[1.1]'],
    ["States.Format('[{}]', $.v)", { v: -9007199254740991 }, '[-9007199254740991]'],
    ["States.Format('[{}]', $.v)", { v: 12345678.9 }, '[1.23456789E7]'],
    ["States.Format('[{}]', $.v)", { v: 0.0001 }, '[1.0E-4]'],
    ["States.Format('[{}]', $.v)", { v: '{"Arg1": 1, "Arg2": []}' }, '[{"Arg1": 1, "Arg2": []}]'],
    ["States.Format('[{}]', $.v)", { v: { Arg1: 1, Arg2: [] } }, '[{Arg1=1, Arg2=[]}]'],
    ["States.Format('[{}]', $.v)", { v: [1, 'a', null, [true]] }, '[[1, a, null, [true]]]'],
    ["States.Format('[{}]', 101)", {}, '[101]'],
    ["States.Format('[{}]', -2.5)", {}, '[-2.5]'],
    ["States.Format('{}', null)", {}, 'null'],
    // Escapes in the template: \{ \} \' \\ are literal characters.
    ["States.Format('This value is \\{{}\\}', 'Foo')", {}, 'This value is {Foo}'],
    ["States.Format('\\{\\}')", {}, '{}'],
    ["States.Format('{} - \\'\\{\\}\\\\', 'Foo')", {}, "Foo - '{}\\"],
    ["States.Format('a\\\\{}', 'b')", {}, 'a\\b'],
    // A template read from a path follows the same escape rules.
    ['States.Format($.t, 1)', { t: 'n=\\{{}\\}' }, 'n={1}'],
    ['States.Format($.t)', { t: 'C:\\temp' }, 'C:\\temp'],
    // A template that is not a string is printed first.
    ['States.Format($.t)', { t: 123 }, '123'],
    ['States.Format($$.StateMachine.Name)', {}, 'my-state-machine'],
    ["States.Format('{} {}', $greeting, $limits.max)", {}, 'Hello 5'],
    ["States.Format('{}', States.Array(1, 2))", {}, '[1, 2]'],
    ["States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))", { svc: 'lambda', obj: { k: 1 } }, 'arn:lambda:{"k":1}'],
    // Quotes and braces inside argument values are not template syntax.
    ["States.Format('{}', $.v)", { v: "it's {} \\" }, "it's {} \\"],
  ]);

  it.each([
    ["States.Format('{} {}', $.a)", { a: 'x' }],
    ["States.Format('{}', $.a, $.b)", { a: 'x', b: 'y' }],
    ["States.Format('{}')", {}],
    ['States.Format($.t, 1)', { t: 123 }],
  ])('%s on %j fails: the argument count does not match the placeholders', (expression, input) => {
    expect(failure(expression, input)).toEqual({
      error: 'States.Runtime',
      cause:
        `There was an error while evaluating the intrinsic function: ${expression}. ` +
        'Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.',
    });
  });

  it.each([
    ["States.Format('Hello {', $.a)", { a: 'x' }, "matching '}' not found for '{'."],
    ["States.Format('Hello {{}}', $.a)", { a: 'x' }, "matching '}' not found for '{'."],
    ["States.Format('}')", {}, "matching '{' not found for '}'."],
    ["States.Format('\\{}', 1)", {}, "matching '{' not found for '}'."],
    ['States.Format($.t, 1)', { t: 'a } {}' }, "matching '{' not found for '}'."],
  ])('%s on %j fails: malformed template', (expression, input, reason) => {
    expect(failure(expression, input)).toEqual({
      error: 'States.Runtime',
      cause: `There was an error while evaluating the intrinsic function: ${expression}. Invalid template in States.Format: ${reason}`,
    });
  });

  rejects([['States.Format()', {}]]);
});

describe('States.StringToJson', () => {
  succeeds([
    ['States.StringToJson($.s)', { s: '{"foo": "bar"}' }, { foo: 'bar' }],
    ['States.StringToJson($.s)', { s: '1' }, 1],
    ['States.StringToJson($.s)', { s: '1.1' }, 1.1],
    ['States.StringToJson($.s)', { s: 'true' }, true],
    ['States.StringToJson($.s)', { s: 'null' }, null],
    ['States.StringToJson($.s)', { s: '"HelloWorld"' }, 'HelloWorld'],
    ['States.StringToJson($.s)', { s: '[1, 2, "HelloWorld"]' }, [1, 2, 'HelloWorld']],
    ['States.StringToJson($.s)', { s: ' {"a":1} ' }, { a: 1 }],
    ['States.StringToJson($.s)', { s: '{"a":"it\'s"}' }, { a: "it's" }],
    // Blank text is null on AWS, not an error.
    ['States.StringToJson($.s)', { s: '' }, null],
    ['States.StringToJson($.s)', { s: '  \n' }, null],
    ['States.StringToJson(\'{"constant_in_literal": "false"}\')', {}, { constant_in_literal: 'false' }],
    ['States.StringToJson(States.JsonToString($.o))', { o: { a: 1, n: { ok: true } } }, { a: 1, n: { ok: true } }],
  ]);

  rejects([
    ['States.StringToJson($.s)', { s: '{bad json}' }],
    ['States.StringToJson($.s)', { s: '{"a":1' }],
    ['States.StringToJson($.s)', { s: 'undefined' }],
    ['States.StringToJson($.s)', { s: 123 }],
    ['States.StringToJson($.s)', { s: { a: 1 } }],
    ['States.StringToJson($.s)', { s: [1, 2] }],
    ['States.StringToJson($.s)', { s: null }],
    ['States.StringToJson()', {}],
    ['States.StringToJson($.a, $.b)', { a: '{}', b: '{}' }],
  ]);
});

describe('States.JsonToString', () => {
  succeeds([
    ['States.JsonToString($.v)', { v: { foo: 'bar' } }, '{"foo":"bar"}'],
    ['States.JsonToString($.v)', { v: { Arg1: 1, Arg2: [] } }, '{"Arg1":1,"Arg2":[]}'],
    ['States.JsonToString($.v)', { v: null }, 'null'],
    ['States.JsonToString($.v)', { v: 1 }, '1'],
    ['States.JsonToString($.v)', { v: true }, 'true'],
    ['States.JsonToString($.v)', { v: 'HelloWorld' }, '"HelloWorld"'],
    ['States.JsonToString($.v)', { v: [null, '', ' ', 0, 1.5, [0, false]] }, '[null,""," ",0,1.5,[0,false]]'],
    ['States.JsonToString($)', { other: 1 }, '{"other":1}'],
    ["States.JsonToString('x')", {}, '"x"'],
    ['States.JsonToString(States.Array($.a, $.b))', { a: 1, b: 2 }, '[1,2]'],
  ]);

  rejects([
    ['States.JsonToString()', {}],
    ['States.JsonToString($.a, $.b)', { a: 1, b: 2 }],
  ]);
});

describe('States.Array', () => {
  succeeds([
    ['States.Array()', {}, []],
    ['States.Array($.Id)', { Id: 123456 }, [123456]],
    ['States.Array($.a, $.b)', { a: 1.1, b: 1.1 }, [1.1, 1.1]],
    ['States.Array($.a, $.a)', { a: { Arg1: 1, Arg2: [] } }, [{ Arg1: 1, Arg2: [] }, { Arg1: 1, Arg2: [] }]],
    ["States.Array(42, true, null, 'hello', false, '', 0)", {}, [42, true, null, 'hello', false, '', 0]],
    ['States.Array(1, States.Array(2, 3))', {}, [1, [2, 3]]],
    ['States.Array($$.Execution.Input.n, $.role)', { role: 'admin' }, [3, 'admin']],
    ['States.Array($greeting)', {}, ['Hello']],
  ]);
});

describe('States.ArrayPartition', () => {
  succeeds([
    ['States.ArrayPartition($.a, 4)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]],
    ['States.ArrayPartition($.a, 1)', { a: [0, 1, 2] }, [[0], [1], [2]]],
    ['States.ArrayPartition($.a, 2)', { a: [0, 1, 2] }, [[0, 1], [2]]],
    ['States.ArrayPartition($.a, 5)', { a: [0, 1, 2] }, [[0, 1, 2]]],
    ['States.ArrayPartition($.a, 3)', { a: [] }, []],
    ['States.ArrayPartition($.a, 2)', { a: [[1], [2], [3]] }, [[[1], [2]], [[3]]]],
    // The chunk size is truncated, not rounded.
    ['States.ArrayPartition($.a, 2.6)', { a: [1, 2, 3, 4, 5] }, [[1, 2], [3, 4], [5]]],
    ['States.ArrayPartition($.a, 2147483647)', { a: [1, 2, 3] }, [[1, 2, 3]]],
    ['States.ArrayPartition(States.Array(1, 2, 3), $$.Execution.Input.n)', {}, [[1, 2, 3]]],
  ]);

  rejects([
    ['States.ArrayPartition($.a, 0)', { a: [1, 2, 3] }],
    ['States.ArrayPartition($.a, -1)', { a: [1, 2, 3] }],
    ['States.ArrayPartition($.a, 0.6)', { a: [1, 2, 3] }],
    ['States.ArrayPartition($.a, -0.4)', { a: [1, 2, 3] }],
    ["States.ArrayPartition($.a, '2')", { a: [1, 2, 3] }],
    ['States.ArrayPartition($.a, null)', { a: [1, 2, 3] }],
    ["States.ArrayPartition('not-array', 2)", {}],
    ['States.ArrayPartition($.a, 2)', { a: { b: 1 } }],
    ['States.ArrayPartition($.a)', { a: [1] }],
    ['States.ArrayPartition($.a, 2, 9)', { a: [1] }],
  ]);
});

describe('States.ArrayContains', () => {
  succeeds([
    ['States.ArrayContains($.a, $.v)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9], v: 5 }, true],
    ['States.ArrayContains($.a, $.v)', { a: [], v: null }, false],
    ['States.ArrayContains($.a, $.v)', { a: [], v: [] }, false],
    ['States.ArrayContains($.a, $.v)', { a: [[1, 2, 3], 2], v: null }, false],
    ['States.ArrayContains($.a, $.v)', { a: [[1, 2, 3], 2], v: [1, 2, 3] }, true],
    ['States.ArrayContains($.a, $.v)', { a: [{ 1: 2, 2: [] }], v: [] }, false],
    ['States.ArrayContains($.a, $.v)', { a: [{ 1: 2, 2: [] }], v: { 1: 2, 2: [] } }, true],
    ['States.ArrayContains($.a, $.v)', { a: [true, false], v: true }, true],
    ['States.ArrayContains($.a, $.v)', { a: [true, false], v: false }, true],
    ['States.ArrayContains($.a, null)', { a: [1, null, 3] }, true],
    ['States.ArrayContains($.a, $.v)', { a: [{ a: 1 }], v: { a: 1, extra: null } }, false],
    ['States.ArrayContains($.a, false)', { a: [0, 1, -1, -1.5] }, false],
    // AWS compares printed forms: key order matters, and a number or boolean matches its text.
    ['States.ArrayContains($.a, $.v)', { a: [{ a: 1, b: 2 }], v: { b: 2, a: 1 } }, false],
    ['States.ArrayContains($.a, true)', { a: ['true', 'false'] }, true],
    ['States.ArrayContains($.a, $.v)', { a: ['9007199254740991'], v: 9007199254740991 }, true],
    ['States.ArrayContains(States.Array(1, 2, 3), 2)', {}, true],
  ]);

  rejects([
    ["States.ArrayContains('not-array', 'x')", {}],
    ['States.ArrayContains($.a, 1)', { a: { k: 1 } }],
    ['States.ArrayContains($.a)', { a: [1] }],
    ['States.ArrayContains($.a, 2, 999)', { a: [1] }],
  ]);
});

describe('States.ArrayRange', () => {
  succeeds([
    ['States.ArrayRange(1, 9, 2)', {}, [1, 3, 5, 7, 9]],
    ['States.ArrayRange($.f, $.l, $.s)', { f: 0, l: 9, s: 3 }, [0, 3, 6, 9]],
    ['States.ArrayRange($.f, $.l, $.s)', { f: 0, l: 10, s: 3 }, [0, 3, 6, 9]],
    ['States.ArrayRange($.f, $.l, $.s)', { f: 1, l: 9, s: 9 }, [1]],
    ['States.ArrayRange(-2, 2, 2)', {}, [-2, 0, 2]],
    ['States.ArrayRange(3, 3, 1)', {}, [3]],
    ['States.ArrayRange(3, 3, -1)', {}, [3]],
    ['States.ArrayRange(5, 1, -2)', {}, [5, 3, 1]],
    ['States.ArrayRange(9, -1, -2)', {}, [9, 7, 5, 3, 1, -1]],
    ['States.ArrayRange(5, 1, 1)', {}, []],
    ['States.ArrayRange(1, 5, -1)', {}, []],
    // Arguments are truncated toward zero.
    ['States.ArrayRange(1.4, 5.6, 2.2)', {}, [1, 3, 5]],
    ['States.ArrayRange(1.6, 1.4, 1)', {}, [1]],
    ['States.ArrayRange(5.4, -0.6, -2.4)', {}, [5, 3, 1]],
    ['States.ArrayRange(States.MathAdd($.b, 1), States.MathAdd($.b, 5), 2)', { b: 0 }, [1, 3, 5]],
  ]);

  it('allows exactly 1000 items in either direction', () => {
    const up = run('States.ArrayRange(1, 1000, 1)') as number[];
    const down = run('States.ArrayRange(1000, 1, -1)') as number[];
    expect([up.length, up[0], up[999]]).toEqual([1000, 1, 1000]);
    expect([down.length, down[0], down[999]]).toEqual([1000, 1000, 1]);
  });

  rejects([
    ['States.ArrayRange(1, 1001, 1)', {}],
    ['States.ArrayRange(1001, 1, -1)', {}],
    ['States.ArrayRange(-2147483648, 2147483647, 1)', {}],
    ['States.ArrayRange(1, 10, 0)', {}],
    ['States.ArrayRange(1, 10, 0.49)', {}],
    ["States.ArrayRange('a', 5, 1)", {}],
    ["States.ArrayRange(1, 'b', 1)", {}],
    ["States.ArrayRange(1, 5, 'c')", {}],
    ['States.ArrayRange(1, 5, null)', {}],
    ['States.ArrayRange(3000000000, 3000000001, 1)', {}],
    ['States.ArrayRange(1, 5)', {}],
    ['States.ArrayRange(1, 5, 1, 99)', {}],
  ]);
});

describe('States.ArrayGetItem', () => {
  succeeds([
    ['States.ArrayGetItem($.a, $.i)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9], i: 5 }, 6],
    ['States.ArrayGetItem($.a, 0)', { a: ['a', 'b', 'c'] }, 'a'],
    ['States.ArrayGetItem($.a, 0)', { a: [null] }, null],
    ['States.ArrayGetItem($.a, 1)', { a: [{ k: 1 }, { k: 2 }] }, { k: 2 }],
    // The index is truncated; an empty array yields null for any index (as observed on AWS).
    ['States.ArrayGetItem($.a, 1.7)', { a: [10, 20, 30] }, 20],
    ['States.ArrayGetItem($.a, 999)', { a: [] }, null],
    ["States.ArrayGetItem(States.Array('x', 'y', 'z'), 1)", {}, 'y'],
    [
      "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), " +
        "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
      {},
      'machine',
    ],
  ]);

  rejects([
    ['States.ArrayGetItem($.a, 3)', { a: [10, 20, 30] }],
    ['States.ArrayGetItem($.a, -1)', { a: [10, 20, 30] }],
    ["States.ArrayGetItem($.a, '1')", { a: [10, 20, 30] }],
    ['States.ArrayGetItem($.a, null)', { a: [10, 20, 30] }],
    ['States.ArrayGetItem($.a, $.i)', { a: [1, 2, 3], i: 18446744073709551616 }],
    ["States.ArrayGetItem('not-array', 0)", {}],
    ['States.ArrayGetItem($.a)', { a: [1] }],
    ['States.ArrayGetItem($.a, 1, 2)', { a: [1, 2] }],
  ]);
});

describe('States.ArrayLength', () => {
  succeeds([
    ['States.ArrayLength($.a)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, 9],
    ['States.ArrayLength($.a)', { a: [] }, 0],
    ['States.ArrayLength($.a)', { a: [[1], [2], [3]] }, 3],
    ['States.ArrayLength(States.Array())', {}, 0],
    ['States.ArrayLength(States.Array(1, 2))', {}, 2],
  ]);

  rejects([
    ["States.ArrayLength('not-array')", {}],
    ['States.ArrayLength($.o)', { o: { k: 1 } }],
    ['States.ArrayLength($.n)', { n: null }],
    ['States.ArrayLength()', {}],
    ['States.ArrayLength($.a, 999)', { a: [] }],
  ]);
});

describe('States.ArrayUnique', () => {
  succeeds([
    ['States.ArrayUnique($.a)', { a: [1, 2, 3, 3, 3, 3, 3, 3, 4] }, [1, 2, 3, 4]],
    ['States.ArrayUnique($.a)', { a: ['a', 'b', 'a', 'c', 'b'] }, ['a', 'b', 'c']],
    ['States.ArrayUnique($.a)', { a: [] }, []],
    ['States.ArrayUnique($.a)', { a: [null, null, 1, null] }, [null, 1]],
    ['States.ArrayUnique($.a)', { a: [1, '1', '01'] }, [1, '1', '01']],
    ['States.ArrayUnique($.a)', { a: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }, [{ a: 1, b: 2 }]],
    ['States.ArrayUnique($.a)', { a: [{ n: { x: 1 } }, { n: { x: 1 } }] }, [{ n: { x: 1 } }]],
    // HashSet order, as AWS returns it: not the input order.
    ['States.ArrayUnique($.a)', { a: [true, false, true, false] }, [false, true]],
    ['States.ArrayUnique($.a)', { a: [[1, 2], [1, 2], [2, 1]] }, [[2, 1], [1, 2]]],
    ['States.ArrayUnique(States.Array(1, 1, 2, 2, 3))', {}, [1, 2, 3]],
  ]);

  rejects([
    ["States.ArrayUnique('not-array')", {}],
    ['States.ArrayUnique($.o)', { o: { a: 1 } }],
    ['States.ArrayUnique()', {}],
    ['States.ArrayUnique($.a, $.a)', { a: [1] }],
  ]);
});

describe('States.Base64Encode and States.Base64Decode', () => {
  succeeds([
    ['States.Base64Encode($.s)', { s: 'Data to encode' }, 'RGF0YSB0byBlbmNvZGU='],
    ['States.Base64Encode($.s)', { s: '' }, ''],
    ["States.Base64Encode('hello')", {}, 'aGVsbG8='],
    ["States.Base64Encode(' ')", {}, 'IA=='],
    ["States.Base64Encode('>>>')", {}, 'Pj4+'],
    ["States.Base64Encode('???')", {}, 'Pz8/'],
    ['States.Base64Encode($.s)', { s: '✓' }, '4pyT'],
    ['States.Base64Encode($.s)', { s: 'こんにちは' }, '44GT44KT44Gr44Gh44Gv'],
    ["States.Base64Encode('🚀')", {}, '8J+agA=='],
    ['States.Base64Encode($.s)', { s: 'abc\u0000def' }, 'YWJjAGRlZg=='],
    ['States.Base64Encode($.s)', { s: 'line1\nline2' }, 'bGluZTEKbGluZTI='],
    ['States.Base64Decode($.s)', { s: 'RGF0YSB0byBlbmNvZGU=' }, 'Data to encode'],
    ['States.Base64Decode($.s)', { s: '' }, ''],
    ["States.Base64Decode('4pyT')", {}, '✓'],
    ["States.Base64Decode('44GT44KT44Gr44Gh44Gv')", {}, 'こんにちは'],
    ["States.Base64Decode('YWJjAGRlZg==')", {}, 'abc\u0000def'],
    ["States.Base64Decode(States.Base64Encode('round trip'))", {}, 'round trip'],
    // Lenient like AWS: unknown characters are skipped, '=' ends the data, partial groups decode.
    ["States.Base64Decode(' YWJjZA== ')", {}, 'abcd'],
    ["States.Base64Decode('aGk')", {}, 'hi'],
    ["States.Base64Decode('ab==cd')", {}, 'i'],
    ["States.Base64Decode('!!!aGVsbG8=')", {}, 'hello'],
    ["States.Base64Decode('Pj4-')", {}, '>>>'],
    // Bytes that are not UTF-8 become U+FFFD.
    ["States.Base64Decode('/w==')", {}, '\ufffd'],
  ]);

  it('accepts 10,000 characters and rejects 10,001', () => {
    const encoded = run('States.Base64Encode($.s)', { s: 'a'.repeat(10_000) }) as string;
    expect(encoded).toHaveLength(13_336);
    expect(run('States.Base64Decode($.s)', { s: encoded.slice(0, 10_000) })).toBe('a'.repeat(7_500));
    expect(failure('States.Base64Encode($.s)', { s: 'a'.repeat(10_001) }).cause).toBe(invalid('States.Base64Encode($.s)'));
    expect(failure('States.Base64Decode($.s)', { s: 'A'.repeat(10_001) }).cause).toBe(invalid('States.Base64Decode($.s)'));
  });

  rejects([
    ['States.Base64Encode(123)', {}],
    ['States.Base64Encode($.o)', { o: {} }],
    ['States.Base64Encode($.a)', { a: ['x'] }],
    ['States.Base64Encode()', {}],
    ["States.Base64Encode('a', 'b')", {}],
    ['States.Base64Decode(123)', {}],
    ['States.Base64Decode($.o)', { o: {} }],
    ['States.Base64Decode()', {}],
    ["States.Base64Decode('aGVsbG8=', 'extra')", {}],
  ]);
});

describe('States.Hash', () => {
  succeeds([
    ['States.Hash($.d, $.a)', { d: 'input data', a: 'MD5' }, '812f45842bc6d66ee14572ce20db8e86'],
    ['States.Hash($.d, $.a)', { d: 'input data', a: 'SHA-1' }, 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    [
      'States.Hash($.d, $.a)',
      { d: 'input data', a: 'SHA-256' },
      'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3',
    ],
    [
      'States.Hash($.d, $.a)',
      { d: 'input data', a: 'SHA-384' },
      'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
    ],
    [
      'States.Hash($.d, $.a)',
      { d: 'input data', a: 'SHA-512' },
      '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
    ],
    ["States.Hash('', 'SHA-256')", {}, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ["States.Hash($.s, 'SHA-256')", { s: '✓' }, '1dabba21cdad44541f6b15796f8d22978fc7ea10c46aeceeeeb66c23b3ac7604'],
    ["States.Hash(States.Format('{}:{}', 'x', 'y'), 'SHA-256')", {}, '1274e286686b54fe765ec40735665b4bf789cee2a5b22124c5e0491a88e15271'],
    // Data that is not a string is hashed in its printed form.
    ["States.Hash(123, 'MD5')", {}, createHash('md5').update('123').digest('hex')],
    ["States.Hash($.o, 'MD5')", { o: { a: [1] } }, createHash('md5').update('{a=[1]}').digest('hex')],
  ]);

  it('hashes 10,000 characters and rejects 10,001', () => {
    expect(run("States.Hash($.s, 'SHA-256')", { s: 'a'.repeat(10_000) })).toMatch(/^[0-9a-f]{64}$/);
    expect(failure("States.Hash($.s, 'SHA-256')", { s: 'a'.repeat(10_001) }).cause).toBe(
      invalid("States.Hash($.s, 'SHA-256')"),
    );
  });

  rejects([
    ["States.Hash('data', 'SHA256')", {}],
    ["States.Hash('data', 'sha-256')", {}],
    ["States.Hash('data', 'MD-5')", {}],
    ["States.Hash('data', 'SHA-257')", {}],
    ["States.Hash('data', '')", {}],
    ["States.Hash('data', 'toString')", {}],
    ["States.Hash('hello', 123)", {}],
    ['States.Hash()', {}],
    ["States.Hash('hello')", {}],
    ["States.Hash('hello', 'SHA-256', 'extra')", {}],
  ]);
});

describe('States.JsonMerge', () => {
  succeeds([
    ['States.JsonMerge($.a, $.b, false)', { a: { x: 1 }, b: { y: 2 } }, { x: 1, y: 2 }],
    ['States.JsonMerge($.a, $.b, false)', { a: { x: 1, y: 2 }, b: { y: 3, z: 4 } }, { x: 1, y: 3, z: 4 }],
    ['States.JsonMerge($.a, $.b, false)', { a: {}, b: {} }, {}],
    ['States.JsonMerge($.a, $.b, false)', { a: { n: { a1: 1, a2: 2 } }, b: { n: { a3: 3 } } }, { n: { a3: 3 } }],
    ['States.JsonMerge($.a, $.b, false)', { a: { n: { l: true }, keep: 1 }, b: { n: null } }, { n: null, keep: 1 }],
    // Any third argument that does not read as true merges shallowly.
    ['States.JsonMerge($.a, $.b, $.d)', { a: { x: 1 }, b: { y: 2 }, d: 'false' }, { x: 1, y: 2 }],
    ['States.JsonMerge($.a, $.b, 0)', { a: { x: 1 }, b: { y: 2 } }, { x: 1, y: 2 }],
    [
      "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), $$.Execution.Input, false)",
      {},
      { constant_in_literal: 'false', csv: 'x,y,z', n: 3 },
    ],
  ]);

  it('orders the merged keys as a java.util.HashMap does', () => {
    const merged = run('States.JsonMerge($.a, $.b, false)', {
      a: { a: { a1: 1, a2: 2 }, b: 2, d: 3 },
      b: { a: { a3: 1, a4: 2 }, c: 3, d: 4 },
    });
    expect(JSON.stringify(merged)).toBe('{"a":{"a3":1,"a4":2},"b":2,"c":3,"d":4}');
    const second = run('States.JsonMerge($.a, $.b, false)', {
      a: { constant_in_literal: 'false' },
      b: { constant_input_field: 'constant_value' },
    });
    expect(Object.keys(second as object)).toEqual(['constant_input_field', 'constant_in_literal']);
  });

  rejects([
    ['States.JsonMerge($.a, $.b, true)', { a: { x: 1 }, b: { y: 2 } }],
    ['States.JsonMerge($.a, $.b, $.d)', { a: { x: 1 }, b: { y: 2 }, d: 'true' }],
    ['States.JsonMerge($.a, $.b, false)', { a: null, b: {} }],
    ['States.JsonMerge($.a, $.b, false)', { a: {}, b: null }],
    ['States.JsonMerge($.a, $.b, false)', { a: [], b: {} }],
    ['States.JsonMerge($.a, $.b, false)', { a: {}, b: 'x' }],
    ['States.JsonMerge($.a, $.b)', { a: {}, b: {} }],
    ['States.JsonMerge($.a, $.b, false, $.a)', { a: {}, b: {} }],
    ['States.JsonMerge()', {}],
  ]);
});

describe('States.MathAdd', () => {
  // Operands are rounded half up (Java Math.round) before adding.
  succeeds(
    (
      [
        [111, -1, 110],
        [-9, 3, -6],
        [1.49, 1.5, 3],
        [1.5, 1.51, 4],
        [-1.49, -1.5, -2],
        [-1.5, -1.51, -3],
        [1.49, 0, 1],
        [1.49, -1.49, 0],
        [1.5, 0, 2],
        [1.51, 0, 2],
        [-1.49, 0, -1],
        [-1.5, 0, -1],
        [-1.51, 0, -2],
        [0.5, 0, 1],
        [2.5, 0, 3],
        [3.5, 0, 4],
        [-0.5, 0.5, 1],
        [-0.5, 0, 0],
        [-2.5, 0, -2],
        [-3.5, 0, -3],
        [0.1, 0.2, 0],
        [2147483647, 0, 2147483647],
        [-2147483648, 0, -2147483648],
        [2147483646, 1, 2147483647],
        [-2147483647, -1, -2147483648],
      ] as const
    ).map(([a, b, sum]): Case => ['States.MathAdd($.a, $.b)', { a, b }, sum]),
  );

  it('returns 0, not -0', () => {
    expect(Object.is(run('States.MathAdd(-0.5, 0)'), 0)).toBe(true);
  });

  succeeds([
    ['States.MathAdd(States.MathAdd($.x, 1), 2)', { x: 5 }, 8],
    ['States.MathAdd($$.Execution.Input.n, -1)', {}, 2],
    ['States.MathAdd($limits.max, 1)', {}, 6],
  ]);

  rejects([
    ['States.MathAdd(2147483647, 1)', {}],
    ['States.MathAdd(-2147483648, -1)', {}],
    ['States.MathAdd(3000000000, 1)', {}],
    ['States.MathAdd(-3000000000, 1)', {}],
    ["States.MathAdd('a', 1)", {}],
    ["States.MathAdd('1', 2)", {}],
    ['States.MathAdd(null, 1)', {}],
    ['States.MathAdd(true, 1)', {}],
    ['States.MathAdd($.a, 1)', { a: [1] }],
    ['States.MathAdd($.a, $.b)', { a: 1, b: 'NOT A NUMBER' }],
    ['States.MathAdd(1)', {}],
    ['States.MathAdd(1, 2, 3)', {}],
  ]);
});

describe('States.MathRandom', () => {
  it('draws start + floor(random * (end - start)) from env.random', () => {
    expect(run('States.MathRandom(1, 999)', {}, { random: () => 0 })).toBe(1);
    expect(run('States.MathRandom(1, 999)', {}, { random: () => 0.5 })).toBe(500);
    expect(run('States.MathRandom(1, 999)', {}, { random: () => 0.999999999 })).toBe(998);
    expect(run('States.MathRandom($.s, $.e)', { s: -1000000, e: 1000000 }, { random: () => 0.25 })).toBe(-500000);
  });

  it('truncates the bounds: MathRandom(1.6, 5.4) draws from 1..4', () => {
    expect(run('States.MathRandom(1.6, 5.4)', {}, { random: () => 0 })).toBe(1);
    expect(run('States.MathRandom(1.6, 5.4)', {}, { random: () => 0.99 })).toBe(4);
  });

  it('draws java.util.Random(seed).nextInt(end - start) with a seed', () => {
    expect(run('States.MathRandom(0, 10, 42)')).toBe(0);
    expect(run('States.MathRandom(1, 1000, 7)')).toBe(971);
    expect(run('States.MathRandom(1, 10, -10)')).toBe(1);
    expect(run('States.MathRandom(1, 10, 0)')).toBe(7);
    expect(run('States.MathRandom(0, 10, 42.9)')).toBe(0);
    const value = run('States.MathRandom($.s, $.e, $.seed)', { s: 2147483640, e: 2147483647, seed: 1 }) as number;
    expect(value).toBeGreaterThanOrEqual(2147483640);
    expect(value).toBeLessThan(2147483647);
  });

  it('uses Math.random when no source is injected', () => {
    for (let i = 0; i < 50; i++) {
      const value = run('States.MathRandom(1, 3)') as number;
      expect([1, 2]).toContain(value);
    }
  });

  rejects([
    ['States.MathRandom(1, 1)', {}],
    ['States.MathRandom(10, 5)', {}],
    ['States.MathRandom(1.4, 1.6)', {}],
    ['States.MathRandom(1.49, 1.49)', {}],
    ["States.MathRandom('a', 10)", {}],
    ["States.MathRandom(1, 'b')", {}],
    ["States.MathRandom(1, 10, 'seed')", {}],
    ['States.MathRandom(1, 10, null)', {}],
    ['States.MathRandom(-2147483648, 2147483647)', {}],
    ['States.MathRandom(1)', {}],
    ['States.MathRandom(1, 10, 5, 99)', {}],
  ]);
});

describe('States.StringSplit', () => {
  succeeds([
    ["States.StringSplit($.s, ',')", { s: '1,2,3,4,5' }, ['1', '2', '3', '4', '5']],
    ['States.StringSplit($.s, $.d)', { s: 'This.is+a,test=string', d: '.+,=' }, ['This', 'is', 'a', 'test', 'string']],
    // Every delimiter character splits, and empty tokens are dropped.
    ['States.StringSplit($.s, $.d)', { s: ' ', d: ',' }, [' ']],
    ['States.StringSplit($.s, $.d)', { s: ' , ', d: ',' }, [' ', ' ']],
    ['States.StringSplit($.s, $.d)', { s: ', , ,', d: ',' }, [' ', ' ']],
    ['States.StringSplit($.s, $.d)', { s: ',,,,', d: ',' }, []],
    ["States.StringSplit($.s, ',')", { s: ',a,,b,' }, ['a', 'b']],
    ["States.StringSplit($.s, ',')", { s: '' }, []],
    ["States.StringSplit($.s, 'ab')", { s: '1a2b3ab4' }, ['1', '2', '3', '4']],
    ["States.StringSplit($.s, '')", { s: 'abc' }, ['abc']],
    ["States.StringSplit($.s, '|')", { s: 'a|b|c' }, ['a', 'b', 'c']],
    [
      "States.StringSplit($$.Execution.Input.csv, ',')",
      {},
      ['x', 'y', 'z'],
    ],
    ["States.StringSplit($.s, ',')", { s: 'V1,V2\nV3,,\n  \n' }, ['V1', 'V2\nV3', '\n  \n']],
    ["States.StringSplit('Hello\nWorld', '\n')", {}, ['Hello', 'World']],
    ["States.StringSplit(States.Format('{}-{}', 'x', 'y'), '-')", {}, ['x', 'y']],
  ]);

  rejects([
    ["States.StringSplit($.s, ',')", { s: 123 }],
    ["States.StringSplit($.s, ',')", { s: null }],
    ["States.StringSplit($.s, ',')", { s: false }],
    ['States.StringSplit($.s, $.d)', { s: 'a,b', d: 1 }],
    ['States.StringSplit($.s, $.d)', { s: 'a,b', d: [','] }],
    ['States.StringSplit()', {}],
    ['States.StringSplit($.s)', { s: 'a' }],
    ["States.StringSplit($.s, ',', 'x')", { s: 'a' }],
  ]);
});

describe('States.UUID', () => {
  it('returns a version 4 UUID', () => {
    const value = run('States.UUID()') as string;
    expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('States.UUID()')).not.toBe(value);
  });

  it('uses the injected source', () => {
    const env = { uuid: () => '00000000-0000-4000-8000-000000000000' };
    expect(run('States.Array(States.UUID(), States.UUID())', {}, env)).toEqual([env.uuid(), env.uuid()]);
  });

  rejects([['States.UUID(1)', {}]]);
});

describe('argument paths that match nothing', () => {
  const cause = (expression: string, field: string, input: string) =>
    `The function '${expression}' had the following error: ` +
    `The JsonPath argument for the field '${field}' could not be found in the input '${input}'`;

  it.each([
    ["States.Format('{}', $.nope)", '$.nope'],
    ["States.Format('{}',$.nope)", '$.nope'],
    ["States.Format('{} {}', $.other, $.a.b)", '$.a.b'],
    ['States.Format($.nope, 1)', '$.nope'],
    ["States.Format('{}', States.Format('{}', $.nope))", '$.nope'],
    ['States.ArrayLength($.nope)', '$.nope'],
    ['States.Array(1, $.nope)', '$.nope'],
    ['States.JsonToString($.nope)', '$.nope'],
    ['States.StringToJson($.nope)', '$.nope'],
    ['States.MathAdd($.nope, 1)', '$.nope'],
    ['States.ArrayContains($.nope, 1)', '$.nope'],
    ['States.JsonMerge($.nope, $.other, false)', '$.nope'],
    ["States.Hash($.nope, 'SHA-256')", '$.nope'],
    ["States.Format('{}', $.list[5])", '$.list[5]'],
    // A $$ path is reported with one $ removed, against the state input.
    ["States.Format('{}', $$.Nope.Deep)", '$.Nope.Deep'],
    ['States.Array($undefinedVariable)', '$undefinedVariable'],
  ])('%s', (expression, field) => {
    expect(failure(expression, { other: 1, list: [1, 2] })).toEqual({
      error: 'States.Runtime',
      cause: cause(expression, field, '{"other":1,"list":[1,2]}'),
    });
  });

  it('names the input the engine describes, when it describes it', () => {
    const env = { inputText: () => '{\n    "other": 1\n}' };
    expect(failure('States.Array($.nope)', { other: 1 }, env).cause).toBe(
      cause('States.Array($.nope)', '$.nope', '{\n    "other": 1\n}'),
    );
  });

  it('is reported before the function looks at its arguments', () => {
    expect(failure('States.MathAdd($.nope)', {}).cause).toBe(cause('States.MathAdd($.nope)', '$.nope', '{}'));
  });

  it('treats a value of null as found', () => {
    expect(run("States.Format('{}', $.v)", { v: null })).toBe('null');
    expect(run('States.JsonToString($)', { other: 1 })).toBe('{"other":1}');
  });
});

describe('errors name the call that failed', () => {
  it('names the inner call when a nested function rejects its arguments', () => {
    expect(failure("States.Format('{}', States.MathAdd($.a, 1))", { a: 'x' })).toEqual({
      error: 'States.Runtime',
      cause: invalid('States.MathAdd($.a, 1)'),
    });
  });

  it('echoes the call as written, spacing included', () => {
    expect(failure('States.ArrayLength(  $.a  )', { a: 1 }).cause).toBe(invalid('States.ArrayLength(  $.a  )'));
  });
});

describe('compileIntrinsic', () => {
  it('compiles once per text', () => {
    const text = "States.Format('{}', $.cached)";
    expect(compileIntrinsic(text)).toBe(compileIntrinsic(text));
  });

  it('exposes the text and the parsed call', () => {
    const compiled = compileIntrinsic('States.Array($.a, 1)');
    expect(compiled.text).toBe('States.Array($.a, 1)');
    expect(compiled.ast.args).toEqual([
      { kind: 'path', path: '$.a' },
      { kind: 'literal', value: 1 },
    ]);
  });

  it('throws IntrinsicSyntaxError where AWS rejects the definition', () => {
    expect(() => compileIntrinsic('States.Nope(1)')).toThrow(IntrinsicSyntaxError);
    expect(() => compileIntrinsic("States.Format('a\\nb')")).toThrow(IntrinsicSyntaxError);
  });

  it('leaves argument counts and template errors to run time', () => {
    expect(() => compileIntrinsic('States.MathAdd(1)')).not.toThrow();
    expect(() => compileIntrinsic("States.Format('{')")).not.toThrow();
  });

  it('returns fresh results that evaluation does not reuse', () => {
    const compiled = compileIntrinsic('States.Array(1, 2)');
    const first = evaluateIntrinsic(compiled, queryFor({})) as number[];
    first.push(3);
    expect(evaluateIntrinsic(compiled, queryFor({}))).toEqual([1, 2]);
  });
});
