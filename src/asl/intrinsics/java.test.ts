// Expected values below were produced by OpenJDK 17 (Double.toString, HashSet/HashMap iteration,
// java.util.Random, String/Long/Double.hashCode, AbstractMap/AbstractCollection.toString).
import { describe, expect, it } from 'vitest';
import {
  JavaRandom,
  javaDoubleToString,
  javaEquals,
  javaHashCode,
  javaHashMapMerge,
  javaHashSetOrder,
  javaNumberToString,
  javaToString,
} from './java.js';

describe('javaDoubleToString', () => {
  it.each([
    [1.1, '1.1'],
    [100, '100.0'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1e7, '1.0E7'],
    [9999999.5, '9999999.5'],
    [12345678.9, '1.23456789E7'],
    [1e21, '1.0E21'],
    [1.5e-7, '1.5E-7'],
    [123.456, '123.456'],
    [-0.5, '-0.5'],
    [3.0e10, '3.0E10'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.7976931348623157e308, '1.7976931348623157E308'],
    [0, '0.0'],
    [-0, '-0.0'],
  ])('%d -> %s', (value, expected) => {
    expect(javaDoubleToString(value)).toBe(expected);
  });
});

describe('javaNumberToString', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [3000000000, '3000000000'],
    [9007199254740991, '9007199254740991'],
    [2 ** 62, '4611686018427387904'],
    [1.5, '1.5'],
    [2 ** 70, '1.1805916207174113E21'],
  ])('%d -> %s', (value, expected) => {
    expect(javaNumberToString(value)).toBe(expected);
  });
});

describe('javaToString', () => {
  it.each<[unknown, string]>([
    ['text', 'text'],
    [null, 'null'],
    [true, 'true'],
    [1, '1'],
    [1.1, '1.1'],
    [[], '[]'],
    [{}, '{}'],
    [{ a: 1, b: 2.5 }, '{a=1, b=2.5}'],
    [[1, 'x', null, { a: 1, b: 2.5 }], '[1, x, null, {a=1, b=2.5}]'],
    [{ Arg1: 1, Arg2: [] }, '{Arg1=1, Arg2=[]}'],
    [{ nested: { s: 'a b', list: [true, false] } }, '{nested={s=a b, list=[true, false]}}'],
  ])('%j -> %s', (value, expected) => {
    expect(javaToString(value)).toBe(expected);
  });
});

describe('javaHashCode', () => {
  it.each<[unknown, number]>([
    ['hello', 99162322],
    ['', 0],
    [null, 0],
    [true, 1231],
    [false, 1237],
    [17, 17],
    [-5, -5],
    [3000000000, -1294967296],
    [-3000000000, -1294967297],
    [2.5, 1074003968],
    [[1, 2], 994],
    [[2, 1], 1024],
    [{ a: 1 }, 97 ^ 1],
  ])('%j -> %d', (value, expected) => {
    expect(javaHashCode(value)).toBe(expected);
  });
});

describe('javaEquals', () => {
  it.each<[unknown, unknown, boolean]>([
    [1, 1, true],
    [1, '1', false],
    [null, null, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[1, 2], [1, 2], true],
    [[1, 2], [2, 1], false],
    [[], {}, false],
  ])('%j vs %j -> %s', (a, b, expected) => {
    expect(javaEquals(a, b)).toBe(expected);
  });
});

describe('javaHashSetOrder (new HashSet<>(list))', () => {
  it.each<[unknown[], unknown[]]>([
    [[true, false, true, false], [false, true]],
    [[[1, 2], [1, 2], [2, 1]], [[2, 1], [1, 2]]],
    [[null, null, 1, null], [null, 1]],
    [['a', 'b', 'a', 'c', 'b'], ['a', 'b', 'c']],
    [[1, 2, 3, 3, 3, 3, 4], [1, 2, 3, 4]],
    [
      [{ a: 1, b: 2.5 }, { b: 2.5, a: 1 }, null, 3000000000, 2.5, 'zz', 17, -5],
      [null, 3000000000, 'zz', 17, 2.5, -5, { a: 1, b: 2.5 }],
    ],
    [[], []],
  ])('%j', (items, expected) => {
    expect(javaHashSetOrder(items)).toEqual(expected);
  });

  it('sizes the table from the list length (40 strings spread over 64 buckets)', () => {
    const items = Array.from({ length: 40 }, (_, i) => `k${(i * 7) % 13}x${i}`);
    expect(javaToString(javaHashSetOrder(items))).toBe(
      '[k3x19, k10x20, k0x26, k5x36, k1x15, k8x29, k9x18, k6x25, k11x35, k12x24, k5x10, k1x2, k7x14, k2x4, ' +
        'k4x21, k3x32, k7x1, k3x6, k9x31, k4x8, k8x3, k9x5, k0x39, k1x28, k2x17, k0x0, k11x22, k6x38, k12x11, ' +
        'k4x34, k0x13, k10x33, k8x16, k7x27, k6x12, k12x37, k5x23, k2x30, k10x7, k11x9]',
    );
  });
});

describe('javaHashMapMerge (new HashMap<>(), putAll(left), putAll(right))', () => {
  const keysOf = (left: Record<string, unknown>, right: Record<string, unknown>) =>
    Object.keys(javaHashMapMerge(left, right));
  const record = (keys: string[], value: unknown) => Object.fromEntries(keys.map((k) => [k, value]));

  it('orders keys by bucket, resizing as entries are added', () => {
    const left = record(['zeta', 'alpha', 'mid', 'k1', 'k2', 'k3', 'k4', 'k5'], 1);
    const right = record(['beta', 'alpha', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9'], 2);
    expect(keysOf(left, right)).toEqual([
      'zeta', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'k1', 'q7', 'k2', 'q8', 'k3', 'q9', 'mid', 'k4', 'k5', 'alpha', 'beta',
    ]);
  });

  it('starts from the right map when the left one is empty', () => {
    expect(keysOf({}, record(['x', 'yy', 'zzz', 'w'], 0))).toEqual(['x', 'yy', 'zzz', 'w']);
  });

  it('lets the right value win and keeps a __proto__ key as data', () => {
    const left = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const merged = javaHashMapMerge(left, { a: 2 });
    expect(merged.a).toBe(2);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('JavaRandom (java.util.Random)', () => {
  it.each([
    [42, 10, 0],
    [42, 2 ** 30, 781215565],
    [7, 999, 970],
    [-10, 9, 0],
    [0, 9, 6],
    [1, 7, 4],
  ])('new Random(%d).nextInt(%d) = %d', (seed, bound, expected) => {
    expect(new JavaRandom(BigInt(seed)).nextInt(bound)).toBe(expected);
  });
});
