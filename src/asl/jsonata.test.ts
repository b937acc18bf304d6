import { describe, expect, it } from 'vitest';
import {
  analyzeJsonataTemplate,
  compileJsonataTemplate,
  evaluateJsonataTemplate,
  isJsonataTemplate,
  jsonataUnexpectedResultType,
  JsonataSyntaxError,
  type JsonataBindings,
} from './jsonata.js';
import { StatesError } from './errors.js';
import type { VariableLookup } from './scope.js';

function vars(values: Record<string, unknown> = {}): VariableLookup {
  const map = new Map(Object.entries(values));
  return { has: (name) => map.has(name), get: (name) => map.get(name) };
}

function bindings(partial: Partial<JsonataBindings> & { input?: unknown; variables?: VariableLookup } = {}): JsonataBindings {
  return {
    states: { input: partial.input ?? {}, context: { Execution: { Id: 'exec' } }, ...(partial.states ?? {}) },
    variables: partial.variables ?? vars(),
    ...(partial.random ? { random: partial.random } : {}),
    ...(partial.uuid ? { uuid: partial.uuid } : {}),
  };
}

function run(value: unknown, b: JsonataBindings = bindings(), field = 'Output'): Promise<unknown> {
  return evaluateJsonataTemplate(compileJsonataTemplate(value), b, field);
}

async function failure(value: unknown, b: JsonataBindings = bindings(), field = 'Output'): Promise<StatesError> {
  try {
    await run(value, b, field);
  } catch (error) {
    expect(error).toBeInstanceOf(StatesError);
    return error as StatesError;
  }
  throw new Error('expected the evaluation to fail');
}

async function cause(expression: string, b?: JsonataBindings, field?: string): Promise<string> {
  const error = await failure(`{% ${expression} %}`, b, field);
  expect(error.error).toBe('States.QueryEvaluationError');
  return error.cause ?? '';
}

const threw = (expression: string, detail: string, field = 'Output') =>
  `The JSONata expression '${expression}' specified for the field '${field}' threw an error during evaluation. ${detail}`;

describe('isJsonataTemplate', () => {
  it('accepts a string that starts with {% and ends with %}', () => {
    expect(isJsonataTemplate('{% $states.input %}')).toBe(true);
    expect(isJsonataTemplate('{%$x%}')).toBe(true);
  });

  it('rejects surrounding whitespace, other strings and non-strings', () => {
    expect(isJsonataTemplate(' {% states.input %} ')).toBe(false);
    expect(isJsonataTemplate('{% $x %} ')).toBe(false);
    expect(isJsonataTemplate('$states.input')).toBe(false);
    expect(isJsonataTemplate('{%}')).toBe(false);
    expect(isJsonataTemplate(42)).toBe(false);
    expect(isJsonataTemplate(null)).toBe(false);
  });
});

describe('compileJsonataTemplate', () => {
  it('throws JsonataSyntaxError with the parser sentence, the expression and where it sits', () => {
    let error: unknown;
    try {
      compileJsonataTemplate({ v: ['literal', '{% a[1,2) %}'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonataSyntaxError);
    const syntax = error as JsonataSyntaxError;
    expect(syntax.parserMessage).toBe('Expected "]", got ","');
    expect(syntax.expression).toBe('a[1,2)');
    expect(syntax.path).toEqual(['v', 1]);
    expect(syntax.code).toBe('S0202');
  });

  it('refuses an empty expression', () => {
    expect(() => compileJsonataTemplate('{%  %}')).toThrow(JsonataSyntaxError);
  });

  it('caches by identity for objects and by text for strings', () => {
    const template = { a: '{% 1 %}' };
    expect(compileJsonataTemplate(template)).toBe(compileJsonataTemplate(template));
    expect(compileJsonataTemplate('{% 1 + 1 %}')).toBe(compileJsonataTemplate('{% 1 + 1 %}'));
  });
});

describe('template walking', () => {
  it('leaves literals and non-template strings untouched at any depth', async () => {
    const literal = {
      constant_null: null,
      constant_float: 0.1,
      constant_not_jsonata: ' {% states.input %} ',
      constant_varpath: '$states.input',
      constant_jp: '$.input_value',
      constant_if: "States.Format('Format:{}', 101)",
      'key.$': '$',
      list: [null, 0, true, [], { constant: 0 }, ' {% states.input %} ', '$no.such.var.path'],
    };
    const out = await run(literal);
    expect(out).toEqual(literal);
    expect(out).not.toBe(literal); // a copy: callers may own what they get back
  });

  it('evaluates expressions in nested objects and arrays', async () => {
    const out = await run(
      [null, 0.1, 'string', '$nosuchvar', '{% $states.input %}', { key: '{% true %}', deep: ['{% 1 + 1 %}'] }],
      bindings({ input: { input_value: 'x' } }),
    );
    expect(out).toEqual([null, 0.1, 'string', '$nosuchvar', { input_value: 'x' }, { key: true, deep: [2] }]);
  });

  it('evaluates a value that is a whole expression to any JSON type', async () => {
    expect(await run('{% $states.input.items %}', bindings({ input: { items: [] } }))).toEqual([]);
    expect(await run('{% "a string" %}')).toBe('a string');
    expect(await run('{% null %}')).toBeNull();
    expect(await run(true)).toBe(true);
    expect(await run(0)).toBe(0);
  });

  it('names the field of an expression that returns nothing, with / for keys and [i] for indexes', async () => {
    const nothing = (field: string) =>
      `The JSONata expression '$doesNotExist' specified for the field '${field}' returned nothing (undefined).`;
    expect((await failure('{% $doesNotExist %}', bindings(), 'Arguments')).cause).toBe(nothing('Arguments'));
    expect((await failure({ result: '{% $doesNotExist %}' })).cause).toBe(nothing('Output/result'));
    expect((await failure({ result: '{% $doesNotExist %}' }, bindings(), 'Assign')).cause).toBe(nothing('Assign/result'));
    expect((await failure({ a: { b: [1, '{% $doesNotExist %}'] } })).cause).toBe(nothing('Output/a/b[1]'));
    expect((await failure(['{% $doesNotExist %}'], bindings(), 'Items')).cause).toBe(nothing('Items[0]'));
  });

  it('reports the first failing expression in definition order', async () => {
    const error = await failure({ a: '{% $first %}', b: '{% $second %}' });
    expect(error.cause).toContain("'$first'");
  });

  it('quotes the expression trimmed of the delimiters and surrounding spaces', async () => {
    expect(await cause('  $nothing  ')).toBe(
      "The JSONata expression '$nothing' specified for the field 'Output' returned nothing (undefined).",
    );
  });
});

describe('bindings', () => {
  it('binds $states.input, $states.context, $states.result and $states.errorOutput', async () => {
    const b = bindings({
      input: { a: 1 },
      states: { input: { a: 1 }, context: { State: { Name: 'S' } }, result: { r: 2 }, errorOutput: { Error: 'E' } },
    });
    expect(
      await run(
        {
          input: '{% $states.input %}',
          context: '{% $states.context.State.Name %}',
          result: '{% $states.result.r %}',
          error: '{% $states.errorOutput.Error %}',
        },
        b,
      ),
    ).toEqual({ input: { a: 1 }, context: 'S', result: 2, error: 'E' });
  });

  it('fails on $states.result where the state has no result', async () => {
    expect(await cause('$states.result')).toBe(
      "The JSONata expression '$states.result' specified for the field 'Output' returned nothing (undefined).",
    );
  });

  it('reads workflow variables as $name, including a variable that holds null', async () => {
    const b = bindings({
      input: { input_values: [1, 2, 3] },
      variables: vars({ var_input_value: 'string literal', var_constant_1: 1, nothing: null }),
    });
    expect(
      await run(
        {
          ja_var_access: '{% $var_input_value %}',
          ja_expr: '{% $sum($states.input.input_values) + $var_constant_1 %}',
          nothing: '{% $nothing %}',
          exists: '{% $exists($nothing) %}',
        },
        b,
      ),
    ).toEqual({ ja_var_access: 'string literal', ja_expr: 7, nothing: null, exists: true });
  });

  it('does not let a variable named states shadow $states', async () => {
    const b = bindings({ input: 'the input', variables: vars({ states: { input: 'variable' } }) });
    expect(await run('{% $states.input %}', b)).toBe('the input');
  });

  it('lets an expression bind its own names', async () => {
    expect(await run('{% $maxItems := 2 %}')).toBe(2);
    expect(await run('{% ($a := 3; $b := $a * 2; $b) %}')).toBe(6);
  });

  it('has no context item: $ and bare names at the top level read nothing', async () => {
    expect(await cause('$', bindings({ input: { a: 1 } }))).toContain('returned nothing (undefined).');
    expect(await cause('a', bindings({ input: { a: 1 } }))).toContain('returned nothing (undefined).');
    expect(await run('{% $map($states.input.a, function($v){ $v * 2 }) %}', bindings({ input: { a: [1, 2] } }))).toEqual([2, 4]);
  });
});

describe('plain paths (read without jsonata)', () => {
  it('answers what jsonata answers', async () => {
    const input = { a: { b: [1, 2] }, n: null, s: 'x', list: [{ b: 1 }, { b: 2 }], one: [{ b: 7 }] };
    const b = bindings({ input, variables: vars({ v: { deep: { x: 1 } }, arr: [{ k: 'a' }, { k: 'b' }] }) });
    expect(await run('{% $states.input.a.b %}', b)).toBe(input.a.b); // the value itself, no copy
    expect(await run('{% $states.input.n %}', b)).toBeNull();
    expect(await run('{% $v.deep.x %}', b)).toBe(1);
    expect(await run('{% $v %}', b)).toEqual({ deep: { x: 1 } });
    // Through an array a path maps over the items, and a one-item result is unwrapped.
    expect(await run('{% $states.input.list.b %}', b)).toEqual([1, 2]);
    expect(await run('{% $states.input.one.b %}', b)).toBe(7);
    expect(await run('{% $arr.k %}', b)).toEqual(['a', 'b']);
  });

  it('returns nothing for a missing key, a key of a scalar or an inherited property', async () => {
    const b = bindings({ input: { s: 'x', n: null } });
    for (const path of ['$states.input.missing', '$states.input.s.length', '$states.input.n.x', '$states.input.constructor', '$nope.x']) {
      expect(await cause(path, b)).toBe(`The JSONata expression '${path}' specified for the field 'Output' returned nothing (undefined).`);
    }
  });
});

describe('JSONata semantics as AWS runs them', () => {
  it('handles regular expressions, $merge and string comparisons', async () => {
    expect(await run(`{% $contains('hello$world', /^hello\\$/) %}`)).toBe(true);
    expect(await run(`{% $contains("hello$world", /^hello\\ /) %}`)).toBe(false);
    expect(
      await run('{% $merge([$states.input.part1, $states.input.part2]) %}', bindings({ input: { part1: { hello: 'world' }, part2: { foo: 'bar' } } })),
    ).toEqual({ hello: 'world', foo: 'bar' });
    expect(await run(`{% $states.input = '"' %}`, bindings({ input: '"' }))).toBe(true);
    expect(await run('{% $not($states.input.done) %}', bindings({ input: { done: false } }))).toBe(true);
  });

  it('keeps a JSON array read from the input an array, and collapses a one-item sequence', async () => {
    const b = bindings({ input: { a: [5], items: [1, 2, 3] } });
    expect(await run('{% $states.input.a %}', b)).toEqual([5]);
    expect(await run('{% $states.input.items[$ > 2] %}', b)).toBe(3);
    const kept = (await run('{% $states.input.items[$ > 1][] %}', b)) as unknown[];
    expect(kept).toEqual([2, 3]);
    expect(Object.keys(kept)).toEqual(['0', '1']); // jsonata's sequence flags are gone
  });

  it('writes non-finite numbers as the strings JavaScript names them by', async () => {
    expect(await run('{% 1/0 %}')).toBe('Infinity');
    expect(await run('{% -1/0 %}')).toBe('-Infinity');
    expect(await run('{% 0/0 %}')).toBe('NaN');
    expect(await run('{% {"k": 1/0, "l": [1/0]} %}')).toEqual({ k: 'Infinity', l: ['Infinity'] });
  });

  it('refuses a result that is a function', async () => {
    expect(await cause('$sum')).toBe(
      "The JSONata expression '$sum' specified for the field 'Output' returned an unsupported result type.",
    );
    expect(await cause('{"f": function($x){ $x }}')).toContain('returned an unsupported result type.');
  });

  it('words evaluation errors as <code>: <message>', async () => {
    expect(await cause('$randomSeeded($states.input.FunctionInput.fst)', bindings({ input: { FunctionInput: 'fst' } }), 'Output/FunctionResult')).toBe(
      threw('$randomSeeded($states.input.FunctionInput.fst)', 'T1006: Attempted to invoke a non-function', 'Output/FunctionResult'),
    );
    expect(await cause('"a" + 1')).toBe(threw('"a" + 1', 'T2001: The left side of the "+" operator must evaluate to a number'));
    expect(await cause('$sum("a")')).toBe(threw('$sum("a")', 'T0412: Argument 1 of function "sum" must be an array of "numbers"'));
  });

  it('does not offer $eval (use $parse)', async () => {
    expect(await cause('$eval("1")')).toBe(threw('$eval("1")', 'T1006: Attempted to invoke a non-function'));
  });

  it('bounds nesting at 100 levels, as AWS does', async () => {
    const chain = (n: number) => Array(n).fill('1').join('+');
    expect(await run(`{% ${chain(100)} %}`)).toBe(100);
    expect(await cause(chain(101))).toBe(
      threw(
        chain(101),
        'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive. Depth=101 max=100',
      ),
    );
  });
});

describe('$partition', () => {
  const partition = (array: unknown, size: unknown) =>
    run('{% $partition($states.input.fst, $states.input.snd) %}', bindings({ input: { fst: array, snd: size } }));

  it('cuts an array into chunks, the last holding the remainder', async () => {
    expect(await partition([0], 1)).toEqual([[0]]);
    expect(await partition([0], 4)).toEqual([[0]]);
    expect(await partition([0, 1, 2], 2)).toEqual([[0, 1], [2]]);
    expect(await partition([0, 1, 2], 1)).toEqual([[0], [1], [2]]);
    expect(await partition([0, 1, 2, 3], 5)).toEqual([[0, 1, 2, 3]]);
    expect(await run('{% $partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3) %}')).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  });

  it('rounds the chunk size towards zero and takes a missing one as the whole array', async () => {
    expect(await partition([1, 2, 3, 4, 5], 2.9)).toEqual([[1, 2], [3, 4], [5]]);
    expect(await run('{% $partition([1, 2, 3]) %}')).toEqual([[1, 2, 3]]);
  });

  it('returns nothing for an empty array or a chunk size of zero', async () => {
    expect(await cause('$partition([], 2)')).toContain('returned nothing (undefined).');
    expect(await cause('$partition([1], 0)')).toContain('returned nothing (undefined).');
    expect(await cause('$partition([1], -0.5)')).toContain('returned nothing (undefined).');
  });

  it('fails on a negative chunk size and on arguments of the wrong type', async () => {
    expect(await cause('$partition([1], -2)')).toBe(threw('$partition([1], -2)', 'D3137: Second argument must be zero or greater'));
    expect(await cause('$partition("abc", 2)')).toBe(
      threw('$partition("abc", 2)', 'T0412: Argument 1 of function "partition" must be an array of undefined'),
    );
    expect(await cause('$partition([1], "2")')).toBe(
      threw('$partition([1], "2")', 'T0410: Argument 2 of function "partition" does not match function signature'),
    );
    expect(await cause('$partition([1], 2, 3)')).toBe(
      threw('$partition([1], 2, 3)', 'T0410: Argument 3 of function "partition" does not match function signature'),
    );
  });
});

describe('$range', () => {
  it('steps from start to end, inclusive when the step lands on it', async () => {
    expect(await run('{% $range(0, 9, 3) %}')).toEqual([0, 3, 6, 9]);
    expect(await run('{% $range(0, 10, 3) %}')).toEqual([0, 3, 6, 9]);
    expect(await run('{% $range(1, 9, 2) %}')).toEqual([1, 3, 5, 7, 9]);
    expect(await run('{% $range(5, 1, -2) %}')).toEqual([5, 3, 1]);
    expect(await run('{% $range(-1.7, 2, 1) %}')).toEqual([-1, 0, 1, 2]);
  });

  it('returns a single value bare, as a JSONata sequence does', async () => {
    expect(await run('{% $range(1, 9, 9) %}')).toBe(1);
    expect(await run('{% $range(4, 4, 1) %}')).toBe(4);
  });

  it('returns nothing without a step, with a zero step or with one that walks away', async () => {
    for (const call of ['$range(1, 5)', '$range(1, 5, 0)', '$range(1, 5, -1)', '$range(5, 1, 1)']) {
      expect(await cause(call)).toContain('returned nothing (undefined).');
    }
  });

  it('fails on non-numeric bounds and on too many elements', async () => {
    expect(await cause('$range("a", 5, 1)')).toBe(threw('$range("a", 5, 1)', 'T0410: Argument 1 of function "range" does not match function signature'));
    expect(await cause('$range(1, $nothing, 1)')).toBe(
      threw('$range(1, $nothing, 1)', 'T0410: Argument 2 of function "range" does not match function signature'),
    );
    expect(((await run('{% $range(1, 360145, 1) %}')) as unknown[]).length).toBe(360145);
    expect(await cause('$range(1, 360146, 1)')).toBe(threw('$range(1, 360146, 1)', 'Expression evaluation memory limit exceeded'));
  });
});

describe('$hash', () => {
  it('digests the UTF-8 bytes as lowercase hex with the five algorithms AWS names', async () => {
    expect(await run(`{% $hash('abc', 'MD5') %}`)).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(await run(`{% $hash('abc', 'SHA-1') %}`)).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(await run(`{% $hash('abc', 'SHA-256') %}`)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(((await run(`{% $hash('abc', 'SHA-384') %}`)) as string).length).toBe(96);
    expect(((await run(`{% $hash('é', 'SHA-512') %}`)) as string).length).toBe(128);
  });

  it('returns nothing without an algorithm and fails on a wrong one or a non-string value', async () => {
    expect(await cause(`$hash('abc')`)).toContain('returned nothing (undefined).');
    expect(await cause(`$hash('abc', 'sha-256')`)).toBe(
      threw(`$hash('abc', 'sha-256')`, "D3137: Hash algorithm 'sha-256' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"),
    );
    expect(await cause(`$hash(1, 'MD5')`)).toBe(threw(`$hash(1, 'MD5')`, 'T0410: Argument 1 of function "hash" does not match function signature'));
    expect(await cause(`$hash('a', 5)`)).toBe(threw(`$hash('a', 5)`, 'T0410: Argument 2 of function "hash" does not match function signature'));
  });
});

describe('$random, $uuid and $shuffle', () => {
  it('draws from the injected sources', async () => {
    const b = bindings({ random: () => 0.25, uuid: () => '00000000-0000-4000-8000-000000000000' });
    expect(await run({ r: '{% $random() %}', u: '{% $uuid() %}' }, b)).toEqual({ r: 0.25, u: '00000000-0000-4000-8000-000000000000' });
  });

  it('with a seed, returns what java.util.Random(seed).nextDouble() returns', async () => {
    expect(await run('{% $random(42) %}')).toBe(0.7275636800328681);
    expect(await run('{% $random(42.9) %}')).toBe(0.7275636800328681);
    expect(await run('{% $random(0) %}')).toBe(0.730967787376657);
  });

  it('uses the default sources when none is injected', async () => {
    const r = (await run('{% $random() %}')) as number;
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThan(1);
    expect(await run('{% $uuid() %}')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('fails on a non-numeric seed and on surplus arguments', async () => {
    expect(await cause(`$random('x')`)).toBe(threw(`$random('x')`, 'T0410: Argument 1 of function "random" does not match function signature'));
    expect(await cause('$random(1, 2)')).toBe(threw('$random(1, 2)', 'T0410: Argument 2 of function "random" does not match function signature'));
    expect(await cause('$uuid(1)')).toBe(threw('$uuid(1)', 'T0410: Argument 1 of function "uuid" does not match function signature'));
  });

  it('shuffles with the injected source, so a seeded execution replays', async () => {
    const draws = [0.9, 0.1, 0.5, 0.7];
    const source = () => {
      let i = 0;
      return () => draws[i++ % draws.length]!;
    };
    const first = await run('{% $shuffle([1, 2, 3, 4]) %}', bindings({ random: source() }));
    const second = await run('{% $shuffle([1, 2, 3, 4]) %}', bindings({ random: source() }));
    expect(first).toEqual(second);
    expect([...(first as number[])].sort()).toEqual([1, 2, 3, 4]);
  });

  it('lets a workflow variable of the same name win', async () => {
    expect(await run('{% $random %}', bindings({ variables: vars({ random: 'mine' }) }))).toBe('mine');
  });
});

describe('$parse', () => {
  const parse = (text: string) => run('{% $parse($states.input.FunctionInput) %}', bindings({ input: { FunctionInput: text } }));

  it('returns the value a JSON text denotes', async () => {
    expect(await parse('1.1')).toBe(1.1);
    expect(await parse('true')).toBe(true);
    expect(await parse('"HelloWorld"')).toBe('HelloWorld');
    expect(await parse('[1, 2, "HelloWorld"]')).toEqual([1, 2, 'HelloWorld']);
    expect(await parse('{"Arg1": 1, "Arg2": []}')).toEqual({ Arg1: 1, Arg2: [] });
    expect(await parse('{"a": {"a": 1}, "b": [{"a": 1, "b": 2}]}')).toEqual({ a: { a: 1 }, b: [{ a: 1, b: 2 }] });
  });

  it('refuses what is not one JSON document, and a repeated key', async () => {
    const invalid = threw('$parse($states.input.FunctionInput)', 'D3137: Invalid JSON');
    for (const text of ['', '{', '1 2', "{'a': 1}", '{"a": 1, "a": 2}', '[{"b": 1, "\\u0062": 2}]']) {
      expect(await cause('$parse($states.input.FunctionInput)', bindings({ input: { FunctionInput: text } }))).toBe(invalid);
    }
  });

  it('fails on a non-string and returns nothing for nothing', async () => {
    expect(await cause('$parse(1)')).toBe(threw('$parse(1)', 'T0410: Argument 1 of function "parse" does not match function signature'));
    expect(await cause('$parse($nothing)')).toContain('returned nothing (undefined).');
  });
});

describe('analyzeJsonataTemplate', () => {
  it('lists what an expression reads from the top-level context', () => {
    expect(analyzeJsonataTemplate('{% phone %}').topLevel).toEqual(['phone']);
    expect(analyzeJsonataTemplate('{% $states.input.phone %}').topLevel).toEqual([]);
    expect(analyzeJsonataTemplate('{% $states.input.items[value > 3] %}').topLevel).toEqual([]);
    expect(analyzeJsonataTemplate('{% $ %}').topLevel).toEqual(['$']);
    expect(analyzeJsonataTemplate('{% $$.a %}').topLevel).toEqual(['$$']);
    expect(analyzeJsonataTemplate('{% {aaa: 1} %}').topLevel).toEqual(['aaa']);
    expect(analyzeJsonataTemplate('{% $map($states.input.a, function($x){ b }) %}').topLevel).toEqual(['b']);
    expect(analyzeJsonataTemplate('{% $x := 1 %}').topLevel).toEqual([]);
  });

  it('tells whether an expression reads $states.errorOutput', () => {
    expect(analyzeJsonataTemplate('{% $states.errorOutput.Cause %}').readsErrorOutput).toBe(true);
    expect(analyzeJsonataTemplate('{% $states.input[$states.errorOutput.Error = "x"] %}').readsErrorOutput).toBe(true);
    expect(analyzeJsonataTemplate('{% $states.input %}').readsErrorOutput).toBe(false);
  });

  it('throws JsonataSyntaxError for an expression that does not parse', () => {
    expect(() => analyzeJsonataTemplate('{% phone[1,2) %}')).toThrow(JsonataSyntaxError);
  });
});

describe('jsonataUnexpectedResultType', () => {
  it('words a result of the wrong type as AWS does for Items', () => {
    const error = jsonataUnexpectedResultType("'string'", 'Items', 'array', 'string');
    expect(error.error).toBe('States.QueryEvaluationError');
    expect(error.cause).toBe(
      `The JSONata expression ''string'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: "string"`,
    );
    expect(jsonataUnexpectedResultType('$v', 'Items', 'array', { foo: 'bar' }).cause).toContain(`but was 'object' for value: {"foo":"bar"}`);
    expect(jsonataUnexpectedResultType('null', 'Items', 'array', null).cause).toContain(`but was 'null' for value: null`);
  });
});
