import { describe, expect, it } from 'vitest';
import { applyInputPath, applyOutputPath, applyPath, applyResultPath, jsonForCause } from './data-flow.js';
import { StatesError } from './errors.js';
import { PathSyntaxError } from './jsonpath.js';
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

describe('applyInputPath', () => {
  const input = { a: { b: 1 }, list: [1, 2, 3] };

  it('passes the whole input when absent, {} when null', () => {
    expect(applyInputPath(undefined, scopeOf(input))).toBe(input);
    expect(applyInputPath('$', scopeOf(input))).toBe(input);
    expect(applyInputPath(null, scopeOf(input))).toEqual({});
  });

  it('selects with definite and indefinite paths, the context object and variables', () => {
    expect(applyInputPath('$.a', scopeOf(input))).toEqual({ b: 1 });
    expect(applyInputPath('$.list[1:]', scopeOf(input))).toEqual([2, 3]);
    expect(applyInputPath('$.nothing[*]', scopeOf(input))).toEqual([]);
    expect(applyInputPath('$$.Execution.Input', scopeOf(input, { Execution: { Input: { k: 1 } } }))).toEqual({ k: 1 });
    const vars: VariableLookup = { has: (n) => n === 'v', get: () => ({ x: 'y' }) };
    expect(applyInputPath('$v.x', scopeOf(input, {}, vars))).toBe('y');
  });

  it("fails with States.Runtime and AWS's 'Invalid path' cause", () => {
    const error = failure(() => applyInputPath('$.NoSuchInputPath', scopeOf({ 'int-literal': 0 })));
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe("Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
    expect(failure(() => applyInputPath('$.a.x.y', scopeOf(input))).cause).toBe(
      "Invalid path '$.a.x.y' : Missing property in path $['a']['x']",
    );
    expect(failure(() => applyInputPath("$['a', 'b'].v", scopeOf({ a: { v: 1 }, b: { v: 2 } }))).cause).toBe(
      "Invalid path '$['a', 'b'].v' : Multi properties can only be used as path leafs: $['a', 'b']",
    );
    expect(failure(() => applyInputPath('$undefinedVariable', scopeOf(input))).error).toBe('States.Runtime');
  });

  it('rejects invalid syntax with PathSyntaxError', () => {
    expect(() => applyInputPath('$.a.', scopeOf(input))).toThrow(PathSyntaxError);
  });
});

describe('applyOutputPath', () => {
  it('follows the InputPath rules on the output so far', () => {
    const output = { result: { x: 1 }, other: 2 };
    expect(applyOutputPath(undefined, scopeOf(output))).toBe(output);
    expect(applyOutputPath(null, scopeOf(output))).toEqual({});
    expect(applyOutputPath('$.result', scopeOf(output))).toEqual({ x: 1 });
    expect(failure(() => applyOutputPath('$.NoSuchOutputPath', scopeOf(output))).cause).toBe(
      "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']",
    );
  });
});

describe('applyPath (other …Path fields)', () => {
  it('selects or fails like InputPath', () => {
    expect(applyPath('$.timeout', scopeOf({ timeout: 5 }))).toBe(5);
    expect(failure(() => applyPath('$.NoSuchTimeoutSecondsPath', scopeOf({}))).cause).toBe(
      "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']",
    );
  });
});

describe('applyResultPath', () => {
  const input = { comment: 'This is a test', details: { who: 'Step Functions' } };

  it('replaces the input with the result when absent or $', () => {
    expect(applyResultPath(input, undefined, 'Hello')).toBe('Hello');
    expect(applyResultPath(input, '$', 'Hello')).toBe('Hello');
  });

  it('keeps the input when null', () => {
    expect(applyResultPath(input, null, 'Hello')).toBe(input);
  });

  it('sets the result into a copy of the input', () => {
    const output = applyResultPath(input, '$.taskresult', 'Hello');
    expect(output).toEqual({ ...input, taskresult: 'Hello' });
    expect(input).not.toHaveProperty('taskresult');
    expect(Object.keys(output as object)).toEqual(['comment', 'details', 'taskresult']);
  });

  it('replaces an existing key in place, leaving other keys and the input untouched', () => {
    const output = applyResultPath(input, '$.comment', 42) as Record<string, unknown>;
    expect(output).toEqual({ comment: 42, details: { who: 'Step Functions' } });
    expect(Object.keys(output)).toEqual(['comment', 'details']);
    expect(input.comment).toBe('This is a test');
    const nested = applyResultPath(input, '$.details.when', 'now') as { details: Record<string, unknown> };
    expect(nested.details).toEqual({ who: 'Step Functions', when: 'now' });
    expect(input.details).toEqual({ who: 'Step Functions' });
  });

  it('creates missing objects on the way', () => {
    expect(applyResultPath({}, '$.a.b.c', [1])).toEqual({ a: { b: { c: [1] } } });
    expect(applyResultPath({ a: { x: 1 } }, "$.a['b c'].d", true)).toEqual({ a: { x: 1, 'b c': { d: true } } });
  });

  it('writes into existing array elements', () => {
    expect(applyResultPath({ list: [{ v: 1 }, { v: 2 }] }, '$.list[1].v', 9)).toEqual({ list: [{ v: 1 }, { v: 9 }] });
    expect(applyResultPath({ list: [1, 2] }, '$.list[-1]', 9)).toEqual({ list: [1, 9] });
  });

  it("fails with States.ResultPathMatchFailure and AWS's cause when the input cannot hold the result", () => {
    const cases: Array<[unknown, string]> = [
      ['{"min_size":10000}', '$.partitioned'],
      [5, '$.a'],
      [[1, 2], '$.a'],
      [null, '$.a'],
      [{ a: 'text' }, '$.a.b'],
      [{ a: null }, '$.a.b'],
      [{ a: [1] }, '$.a.b'],
      [{}, '$.a[0]'],
      [{ a: [1] }, '$.a[3]'],
      [{ a: {} }, '$.a[0]'],
    ];
    for (const [stateInput, path] of cases) {
      const error = failure(() => applyResultPath(stateInput, path, 'result'));
      expect(error.error).toBe('States.ResultPathMatchFailure');
      expect(error.cause).toBe(`Unable to apply ReferencePath ${path} to input ${JSON.stringify(stateInput)}`);
    }
    expect(failure(() => applyResultPath('{"min_size":10000}', '$.partitioned', {})).cause).toBe(
      'Unable to apply ReferencePath $.partitioned to input "{\\"min_size\\":10000}"',
    );
  });

  it('refuses paths that are not reference paths on the input', () => {
    expect(() => applyResultPath({}, '$.a[*]', 1)).toThrow(PathSyntaxError);
    expect(() => applyResultPath({}, '$$.Execution', 1)).toThrow(PathSyntaxError);
  });

  it('writes a key named __proto__ as data', () => {
    const output = applyResultPath({}, "$['__proto__']", { polluted: true }) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(output, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
  });
});

describe('jsonForCause', () => {
  it('prints compact JSON with keys in order', () => {
    expect(jsonForCause({ flagged: false, b: [1, 'x'], a: null })).toBe('{"flagged":false,"b":[1,"x"],"a":null}');
    expect(jsonForCause('s')).toBe('"s"');
    expect(jsonForCause(undefined)).toBe('null');
  });
});
