import { describe, expect, it } from 'vitest';
import { StatesError } from './errors.js';
import { PathSyntaxError } from './jsonpath.js';
import { applyPayloadTemplate, evaluatePathOrIntrinsic } from './payload.js';
import { noVariables, type Scope, type VariableLookup } from './scope.js';

function scopeOf(input: unknown, context: unknown = {}, variables: VariableLookup = noVariables): Scope {
  return { input, context, variables };
}

function failure(run: () => unknown): StatesError {
  try {
    run();
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error('expected a StatesError');
}

describe('applyPayloadTemplate', () => {
  const input = { flagged: 7, vals: [0, 10, 20, 30, 40, 50], name: 'x' };

  it('evaluates .$ keys (without the suffix) and copies the rest', () => {
    const template = { flagged: true, parts: { 'first.$': '$.vals[0]', 'last3.$': '$.vals[3:]' } };
    expect(applyPayloadTemplate(template, scopeOf(input))).toEqual({ flagged: true, parts: { first: 0, last3: [30, 40, 50] } });
  });

  it('keeps the template key order', () => {
    const result = applyPayloadTemplate({ z: 1, 'a.$': '$.name', m: 2 }, scopeOf(input)) as object;
    expect(Object.keys(result)).toEqual(['z', 'a', 'm']);
  });

  it('reads the context object, variables and whole input', () => {
    const vars: VariableLookup = { has: (n) => n === 'answer', get: () => 42 };
    const template = { 'id.$': '$$.Execution.Id', 'v.$': '$answer', 'all.$': '$', 'ctx.$': '$$' };
    const context = { Execution: { Id: 'arn:1' } };
    expect(applyPayloadTemplate(template, scopeOf(input, context, vars))).toEqual({ id: 'arn:1', v: 42, all: input, ctx: context });
  });

  it('processes objects inside arrays, never strings', () => {
    const template = { list: [{ 'n.$': '$.name' }, '$.name', 3, [{ 'f.$': '$.flagged' }]] };
    expect(applyPayloadTemplate(template, scopeOf(input))).toEqual({ list: [{ n: 'x' }, '$.name', 3, [{ f: 7 }]] });
  });

  it('passes null values and primitives through', () => {
    expect(applyPayloadTemplate({ a: null, 'b.$': '$.missingOk[*]' }, scopeOf({}))).toEqual({ a: null, b: [] });
    expect(applyPayloadTemplate('plain', scopeOf(input))).toBe('plain');
    expect(applyPayloadTemplate(null, scopeOf(input))).toBeNull();
    expect(applyPayloadTemplate(3, scopeOf(input))).toBe(3);
  });

  it('treats a key of just ".$" as a plain key', () => {
    expect(applyPayloadTemplate({ '.$': '$.name' }, scopeOf(input))).toEqual({ '.$': '$.name' });
  });

  it('copies literal parts so outputs never share the definition', () => {
    const template = { nested: { list: [1, 2] }, 'n.$': '$.name' };
    const first = applyPayloadTemplate(template, scopeOf(input)) as { nested: { list: number[] } };
    first.nested.list.push(3);
    expect(template.nested.list).toEqual([1, 2]);
    const staticTemplate = { a: { b: 1 } };
    const out = applyPayloadTemplate(staticTemplate, scopeOf(input)) as { a: { b: number } };
    expect(out).toEqual(staticTemplate);
    expect(out.a).not.toBe(staticTemplate.a);
  });

  it('writes keys named __proto__ as data', () => {
    const template = JSON.parse('{"__proto__.$": "$.name", "x": {"__proto__": 1}}');
    const out = applyPayloadTemplate(template, scopeOf(input)) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("fails with AWS's cause when a path selects nothing", () => {
    const error = failure(() => applyPayloadTemplate({ 'value.$': '$.no_such_jsonpath' }, scopeOf({ 'int-literal': 0 })));
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe(
      "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'",
    );
    // The input shown is the state's, even for a context path.
    const contextError = failure(() =>
      applyPayloadTemplate({ 'value.$': '$$.Execution.Input.no_such_jsonpath' }, scopeOf({ 'int-literal': 0 }, { Execution: { Input: {} } })),
    );
    expect(contextError.cause).toBe(
      "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'",
    );
    const nested = failure(() => applyPayloadTemplate({ a: [{ 'address.$': '$.application.address' }] }, scopeOf({ flagged: false })));
    expect(nested.cause).toBe(
      "The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{\"flagged\":false}'",
    );
    expect(failure(() => applyPayloadTemplate({ 'v.$': '$nope' }, scopeOf({}))).cause).toBe(
      "The JSONPath '$nope' specified for the field 'v.$' could not be found in the input '{}'",
    );
  });

  it('rejects .$ values that are not paths or intrinsics', () => {
    expect(() => applyPayloadTemplate({ 'a.$': 3 }, scopeOf({}), 'ResultSelector')).toThrow(PathSyntaxError);
    expect(() => applyPayloadTemplate({ 'a.$': 'not a path' }, scopeOf({}))).toThrow(
      /Parameters: The value for the field 'a\.\$' must be a valid JSONPath or a valid intrinsic function call/,
    );
  });

  it('evaluates intrinsic function calls with the same scope', () => {
    const vars: VariableLookup = { has: (n) => n === 'who', get: () => 'world' };
    const template = {
      'greeting.$': "States.Format('Hello, {}! ({})', $who, $.name)",
      'items.$': 'States.Array($.flagged, $$.Execution.Id)',
      'len.$': 'States.ArrayLength($.vals)',
    };
    expect(applyPayloadTemplate(template, scopeOf(input, { Execution: { Id: 'e' } }, vars))).toEqual({
      greeting: 'Hello, world! (x)',
      items: [7, 'e'],
      len: 6,
    });
  });

  it('compiles a template once and reuses it', () => {
    const template = { 'a.$': '$.n', b: { 'c.$': '$.n' } };
    const start = performance.now();
    for (let n = 0; n < 50_000; n++) {
      const out = applyPayloadTemplate(template, scopeOf({ n })) as { a: number; b: { c: number } };
      if (out.a !== n || out.b.c !== n) throw new Error('wrong');
    }
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('evaluatePathOrIntrinsic', () => {
  it('evaluates a path or an intrinsic for a named field', () => {
    const scope = scopeOf({ ErrorX: 'E', n: 2 });
    expect(evaluatePathOrIntrinsic('$.ErrorX', scope, 'ErrorPath')).toBe('E');
    expect(evaluatePathOrIntrinsic("States.Format('n={}', $.n)", scope, 'CausePath')).toBe('n=2');
  });

  it("fails with AWS's cause naming the field", () => {
    const error = failure(() => evaluatePathOrIntrinsic('$.NoSuchCausePath', scopeOf({ a: 1 }), 'CausePath'));
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe("The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in the input '{\"a\":1}'");
  });
});
