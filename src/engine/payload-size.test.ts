import { describe, expect, it } from 'vitest';
import { jsonByteSize } from './payload-size.js';

const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('jsonByteSize', () => {
  it('matches the UTF-8 length of JSON.stringify for every kind of value', () => {
    const samples: unknown[] = [
      null, true, false, 0, -1.5, 1e21, 'plain', '', 'quote " and \\ backslash', 'tab\tnew\nline\r\b\f',
      'control \u0001 \u001f', 'é ü ß', '中文字', '😀 astral', 'lone \ud800 surrogate', 'lone \udc00 low',
      [], [1, 'two', null, [3]], {}, { a: 1, 'ké': ['x', { y: false }], skipped: undefined },
      { nested: { deep: { deeper: ['😀', 1.25, 'é'] } } },
    ];
    for (const sample of samples) expect(jsonByteSize(sample), JSON.stringify(sample)).toBe(utf8(sample));
  });

  it('measures a shared sub-document once and still counts it everywhere it appears', () => {
    const big = { text: 'x'.repeat(10_000) };
    const wrapper = { a: big, b: big, n: 1 };
    expect(jsonByteSize(wrapper)).toBe(utf8(wrapper));
    expect(jsonByteSize([wrapper, big])).toBe(utf8([wrapper, big]));
  });
});
