import { describe, expect, it } from 'vitest';
import { IntrinsicSyntaxError, isIntrinsicCall, parseIntrinsic, type IntrinsicNode } from './parser.js';

/** A compact view of the AST: literals as values, paths as `path:<text>`, calls as `{ name: [args] }`. */
function shape(node: IntrinsicNode): unknown {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'path') return `path:${node.path}`;
  return { [node.name]: node.args.map(shape) };
}

const parse = (text: string) => shape(parseIntrinsic(text));

describe('isIntrinsicCall', () => {
  it.each([
    ['States.Format(', true],
    ['States.Array()', true],
    ['States.Array ()', true],
    ['States.NoSuchFunction(1)', true],
    ['States.Format', false],
    ['States.', false],
    ['States.(1)', false],
    [' States.Array()', false],
    ['$.States.Array()', false],
    ['$', false],
    ['states.Array()', false],
  ])('%j -> %s', (text, expected) => {
    expect(isIntrinsicCall(text)).toBe(expected);
  });
});

describe('parseIntrinsic: arguments', () => {
  it.each<[string, unknown]>([
    ['States.Array()', { 'States.Array': [] }],
    ['States.UUID()', { 'States.UUID': [] }],
    ["States.Array('a', 'b c', '')", { 'States.Array': ['a', 'b c', ''] }],
    // The four escapes AWS defines.
    ["States.Array('it\\'s', '\\{\\}', 'a\\\\b')", { 'States.Array': ["it's", '{}', 'a\\b'] }],
    // Unescaped braces, double quotes and raw control characters are ordinary characters.
    [`States.Array('{"k": "v"}', 'line1\nline2')`, { 'States.Array': ['{"k": "v"}', 'line1\nline2'] }],
    ["States.Array('a,b)', ' (x) ')", { 'States.Array': ['a,b)', ' (x) '] }],
    [
      'States.Array(0, -1, 7, 1.5, -2.25, 1e3, 2E-2, 1.5e+2, 123456789012)',
      { 'States.Array': [0, -1, 7, 1.5, -2.25, 1000, 0.02, 150, 123456789012] },
    ],
    ['States.Array(true, false, null)', { 'States.Array': [true, false, null] }],
    [
      "States.Array($, $.a, $.a.b[0], $['x y'], $..deep, $$, $$.Execution.Id, $var, $var.field[1])",
      {
        'States.Array': [
          'path:$',
          'path:$.a',
          'path:$.a.b[0]',
          "path:$['x y']",
          'path:$..deep',
          'path:$$',
          'path:$$.Execution.Id',
          'path:$var',
          'path:$var.field[1]',
        ],
      },
    ],
    // Brackets may hold commas, parentheses, spaces and quotes.
    [
      "States.Array($.a[?(@.b == 'c, d')], $.x[\"q)\"])",
      { 'States.Array': ["path:$.a[?(@.b == 'c, d')]", 'path:$.x["q)"]'] },
    ],
    [
      "States.Format('{}-{}', States.Array(1, States.UUID()), $.a)",
      { 'States.Format': ['{}-{}', { 'States.Array': [1, { 'States.UUID': [] }] }, 'path:$.a'] },
    ],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('keeps the raw text of string literals and the source text of every call', () => {
    const call = parseIntrinsic("States.Format('a\\{b', States.Array( 1 ,2 ))");
    const [template, inner] = call.args;
    expect(template).toEqual({ kind: 'literal', value: 'a{b', raw: 'a\\{b' });
    expect(inner).toMatchObject({ kind: 'call', text: 'States.Array( 1 ,2 )' });
    expect(call.text).toBe("States.Format('a\\{b', States.Array( 1 ,2 ))");
  });
});

describe('parseIntrinsic: whitespace', () => {
  it.each([
    'States.Array(1,2)',
    'States.Array( 1 , 2 )',
    'States.Array(\n\t1,\r\n 2\n)',
    'States.Array (1, 2)',
    '  States.Array(1, 2)  ',
  ])('%j', (text) => {
    expect(parse(text)).toEqual({ 'States.Array': [1, 2] });
  });

  it('accepts an empty argument list written with spaces', () => {
    expect(parse('States.Array(   )')).toEqual({ 'States.Array': [] });
  });
});

describe('parseIntrinsic: nesting', () => {
  const nest = (depth: number) => 'States.Array('.repeat(depth) + '1' + ')'.repeat(depth);

  it('accepts 10 nested calls', () => {
    expect(() => parseIntrinsic(nest(10))).not.toThrow();
  });

  it('rejects an 11th level', () => {
    expect(() => parseIntrinsic(nest(11))).toThrow(/cannot be nested more than 10 deep/);
  });
});

describe('parseIntrinsic: syntax errors', () => {
  it.each([
    ['States.Foo(1)', "unknown intrinsic function 'States.Foo'"],
    ['States.array(1)', "unknown intrinsic function 'States.array'"],
    ['States.(1)', 'missing function name'],
    ['$.a', 'an intrinsic function call must start with States.'],
    ['States.Array', "expected '(' after States.Array"],
    ['States.Array(', 'missing argument'],
    ['States.Array(1', "missing ')' to close States.Array("],
    ['States.Array(1,)', "unexpected ')'"],
    ['States.Array(,1)', "unexpected ','"],
    ['States.Array(1 2)', "expected ',' or ')' but found '2'"],
    ['States.Array(1))', "unexpected ')'"],
    ['States.Array(1) trailing', "unexpected 't'"],
    ['States.Array([1,2])', "unexpected '['"],
    ['States.Array({})', "unexpected '{'"],
    ['States.Array(1.)', 'invalid number literal'],
    ['States.Array(.5)', "unexpected '.'"],
    ['States.Array(01)', 'invalid number literal'],
    ['States.Array(-)', 'invalid number literal'],
    ['States.Array(1a)', 'invalid number literal'],
    ["States.Array('abc)", 'unterminated string literal'],
    ["States.Array('a\\nb')", "invalid escape sequence '\\n'"],
    ["States.Array('say \\\"hi\\\"')", 'invalid escape sequence \'\\"\''],
    ["States.Array('\\u0041')", "invalid escape sequence '\\u'"],
    ['States.Array("double")', `unexpected '"'`],
    ['States.Array(True)', "unexpected 'T'"],
    ['States.Array(nulls)', "unexpected 'n'"],
    ['States.Array(truex)', "unexpected 't'"],
    ['States.Array($.a[0)', 'unbalanced brackets'],
    ['States.Array(States.Nope())', "unknown intrinsic function 'States.Nope'"],
  ])('%s', (text, reason) => {
    let error: unknown;
    try {
      parseIntrinsic(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IntrinsicSyntaxError);
    expect((error as Error).message).toContain(`Invalid intrinsic function call '${text}': ${reason}`);
  });
});
