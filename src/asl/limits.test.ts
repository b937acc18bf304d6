import { afterEach, describe, expect, it } from 'vitest';
import '../regexp-engine.js';
import { StatesError } from './errors.js';
import { compileJsonataTemplate, evaluateJsonataTemplate } from './jsonata.js';
import { queryPath } from './jsonpath.js';
import { configureExpressionLimits, DEFAULT_EXPRESSION_LIMITS, expressionLimits } from './limits.js';
import { noVariables } from './scope.js';

function run(expression: string, input: unknown = {}): Promise<unknown> {
  return evaluateJsonataTemplate(compileJsonataTemplate(`{% ${expression} %}`), { states: { input, context: {} }, variables: noVariables }, 'Output');
}

/** The cause of the States.QueryEvaluationError the expression fails with. */
async function jsonataFailure(expression: string): Promise<string> {
  try {
    await run(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(StatesError);
    expect((error as StatesError).error).toBe('States.QueryEvaluationError');
    return (error as StatesError).cause!;
  }
  throw new Error(`expected ${expression} to fail`);
}

function select(path: string, input: unknown): unknown {
  const result = queryPath(path, { input, context: {}, variables: noVariables });
  return result.found ? result.value : undefined;
}

afterEach(() => {
  configureExpressionLimits(DEFAULT_EXPRESSION_LIMITS);
});

describe('configureExpressionLimits', () => {
  it('starts at the defaults, changes only what it is given, and answers the limits in force', () => {
    expect(expressionLimits()).toEqual({ jsonataTimeoutMs: 2_000, jsonataMaxSequence: 360_145, jsonataMaxStringLength: 4_194_304, jsonPathMaxSteps: 10_000_000 });
    const changed = configureExpressionLimits({ jsonataTimeoutMs: 500 });
    expect(changed).toEqual({ ...DEFAULT_EXPRESSION_LIMITS, jsonataTimeoutMs: 500 });
    expect(expressionLimits()).toBe(changed);
    expect(Object.isFrozen(changed)).toBe(true);
  });

  it('refuses what is not a positive whole number, or not a limit, with a TypeError and changes nothing', () => {
    const before = expressionLimits();
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5', null]) {
      expect(() => configureExpressionLimits({ jsonPathMaxSteps: bad as number })).toThrow(TypeError);
    }
    expect(() => configureExpressionLimits({ jsonataTimeoutMs: 10, noSuchLimit: 1 } as never)).toThrow(/Unknown expression limit 'noSuchLimit'/);
    expect(() => configureExpressionLimits(null as never)).toThrow(TypeError);
    expect(expressionLimits()).toBe(before);
  });
});

describe('configured limits change what fails', () => {
  it('the JSONata time limit, for a program compiled (and cached) before the change too', async () => {
    // About 0.15 s of evaluation: within the default 2 s, far beyond 10 ms.
    const slow = '$count($filter([1..50000], function($v) { $v % 7 = 0 }))';
    expect(await run(slow)).toBe(7142);
    configureExpressionLimits({ jsonataTimeoutMs: 10 });
    expect(await jsonataFailure(slow)).toContain('Expression evaluation timeout: Check for infinite loop');
    configureExpressionLimits({ jsonataTimeoutMs: DEFAULT_EXPRESSION_LIMITS.jsonataTimeoutMs });
    expect(await run(slow)).toBe(7142);
  });

  it('the JSONata string limit, for built-ins and the & operator', async () => {
    expect(((await run("$pad('', 2000, 'x')")) as string).length).toBe(2000);
    expect(((await run("$pad('', 1000, 'x') & $pad('', 1000, 'y')")) as string).length).toBe(2000);
    configureExpressionLimits({ jsonataMaxStringLength: 1024 });
    expect(await jsonataFailure("$pad('', 2000, 'x')")).toContain('Expression evaluation memory limit exceeded');
    expect(await jsonataFailure("$pad('', 1000, 'x') & $pad('', 1000, 'y')")).toContain('Expression evaluation memory limit exceeded');
    expect(await jsonataFailure('$string([1..400])')).toContain('Expression evaluation memory limit exceeded');
    expect(((await run("$pad('', 1024, 'x')")) as string).length).toBe(1024);
  });

  it('the JSONata sequence limit, for the range operator and $range', async () => {
    expect(((await run('[1..2000]')) as unknown[]).length).toBe(2000);
    expect(((await run('$range(1, 2000, 1)')) as unknown[]).length).toBe(2000);
    configureExpressionLimits({ jsonataMaxSequence: 1000 });
    expect(await jsonataFailure('[1..2000]')).toContain('Expression evaluation memory limit exceeded');
    expect(await jsonataFailure('$range(1, 2000, 1)')).toContain('Expression evaluation memory limit exceeded');
    expect(((await run('[1..1000]')) as unknown[]).length).toBe(1000);
  });

  it('the JSONPath step budget, named in the cause', () => {
    const doc = { a: Array.from({ length: 1000 }, (_, i) => i) };
    // 1,000 × 1,000 comparisons: well within the default budget.
    expect((select('$.a[?(@ in $.a)]', doc) as unknown[]).length).toBe(1000);
    configureExpressionLimits({ jsonPathMaxSteps: 100_000 });
    let failure: unknown;
    try {
      select('$.a[?(@ in $.a)]', doc);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(StatesError);
    expect((failure as StatesError).error).toBe('States.Runtime');
    expect((failure as StatesError).cause).toContain('exceeded its budget of 100000 steps');
    expect(select('$.a[?(@ < 3)]', doc)).toEqual([0, 1, 2]);
  });
});
