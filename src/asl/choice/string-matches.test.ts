import { describe, expect, it } from 'vitest';
import { compileWildcardPattern, splitWildcardPattern } from './string-matches.js';

describe('splitWildcardPattern', () => {
  it.each([
    ['abc', ['abc']],
    ['*', ['', '']],
    ['a*b*', ['a', 'b', '']],
    ['a\\*b', ['a*b']],
    ['a\\\\*b', ['a\\', 'b']],
    ['a\\b', ['a\\b']],
    ['trailing\\', ['trailing\\']],
    ['\\\\\\*', ['\\*']],
  ])('splits %j into %j', (pattern, pieces) => {
    expect(splitWildcardPattern(pattern)).toEqual(pieces);
  });
});

describe('compileWildcardPattern', () => {
  it('needs the leading and trailing pieces to not overlap', () => {
    const matches = compileWildcardPattern('ab*ba');
    expect(matches('aba')).toBe(false);
    expect(matches('abba')).toBe(true);
    expect(matches('ab-ba')).toBe(true);
  });

  it('places middle pieces between the ends without overlapping them', () => {
    const matches = compileWildcardPattern('a*bc*c');
    expect(matches('abc')).toBe(false);
    expect(matches('abcc')).toBe(true);
    expect(matches('axbcyc')).toBe(true);
  });

  it('compares characters exactly (case, Unicode, regex metacharacters)', () => {
    expect(compileWildcardPattern('Ä*😀')('Äx😀')).toBe(true);
    expect(compileWildcardPattern('a*')('A')).toBe(false);
    expect(compileWildcardPattern('(a|b)+$*')('(a|b)+$ tail')).toBe(true);
    expect(compileWildcardPattern('(a|b)+$*')('aa')).toBe(false);
  });
});
