import { describe, expect, it } from 'vitest';
import { cloneJson } from './scope.js';

describe('cloneJson', () => {
  it('copies nested data without sharing references', () => {
    const original = { a: [1, { b: 'x' }], c: null };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    expect(copy.a).not.toBe(original.a);
    expect(copy.a[1]).not.toBe(original.a[1]);
  });
});
