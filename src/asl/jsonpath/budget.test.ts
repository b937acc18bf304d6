import { describe, expect, it } from 'vitest';
import '../../regexp-engine.js';
import { StatesError } from '../errors.js';
import { queryPath } from '../jsonpath.js';
import { noVariables } from '../scope.js';
import { DEFAULT_EXPRESSION_LIMITS } from '../limits.js';

const MAX_PATH_STEPS = DEFAULT_EXPRESSION_LIMITS.jsonPathMaxSteps;

function select(path: string, input: unknown): unknown {
  const result = queryPath(path, { input, context: {}, variables: noVariables });
  return result.found ? result.value : undefined;
}

function failure(path: string, input: unknown): StatesError {
  try {
    select(path, input);
  } catch (error) {
    expect(error).toBeInstanceOf(StatesError);
    return error as StatesError;
  }
  throw new Error(`expected ${path} to fail`);
}

describe('JSONPath step budget', () => {
  const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('fails a cubic nested filter with States.Runtime instead of running for hours', () => {
    const started = performance.now();
    const error = failure('$.a[?(@ in $.a[?(@ in $.a)])]', { a: numbers(3000) });
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toContain(`exceeded its budget of ${MAX_PATH_STEPS} steps`);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('counts list comparisons (subsetof, anyof, noneof) and deep equality', () => {
    const big = { a: numbers(4000).map((i) => ({ l: numbers(50), i })) };
    expect(failure('$.a[?(@.l subsetof $.a[*].i)]', big).error).toBe('States.Runtime');
  });

  it('starts each evaluation with a full budget, and leaves ordinary paths alone', () => {
    const doc = { a: numbers(1000), b: { c: [{ d: 1 }, { d: 2 }] } };
    for (let i = 0; i < 50; i++) {
      expect(select('$.a[?(@ in [3, 4])]', doc)).toEqual([3, 4]);
      expect(select('$..d', doc)).toEqual([1, 2]);
    }
    // 1,000 × 1,000 comparisons: well within one evaluation's budget, every time.
    for (let i = 0; i < 20; i++) expect((select('$.a[?(@ in $.a)]', doc) as unknown[]).length).toBe(1000);
  });

  it('still fails after a previous evaluation failed (the count is not left behind)', () => {
    expect(failure('$.a[?(@ in $.a[?(@ in $.a)])]', { a: numbers(3000) }).error).toBe('States.Runtime');
    expect(select('$.a[?(@ > 1)]', { a: numbers(4) })).toEqual([2, 3]);
  });
});

describe('JSONPath =~ patterns', () => {
  const evil = 'a'.repeat(40) + '!';

  it('matches catastrophic patterns in linear time, case-insensitively too', () => {
    const started = performance.now();
    expect(select('$.s[?(@ =~ /(a+)+/)]', { s: [evil, 'aaa'] })).toEqual(['aaa']);
    expect(select('$.s[?(@ =~ /(A+)+/i)]', { s: [evil, 'aAa'] })).toEqual(['aAa']);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('fails with States.Runtime on an exponential pattern it refuses, naming it as written', () => {
    const error = failure('$.s[?(@ =~ /(a+)+\\1/)]', { s: [evil] });
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toMatch(/^The regular expression \/\(a\+\)\+\\1\/ is refused/);
  });
});
