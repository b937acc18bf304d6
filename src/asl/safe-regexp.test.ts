import { describe, expect, it } from 'vitest';
import '../regexp-engine.js';
import { guardPattern } from './safe-regexp.js';

function compiled(source: string, flags: string): RegExp {
  const guarded = guardPattern(source, flags);
  if ('refused' in guarded) throw new Error(guarded.refused);
  return new RegExp(guarded.source, guarded.flags);
}

/** Milliseconds one test of `text` takes. */
function timed(re: RegExp, text: string): number {
  const started = performance.now();
  re.test(text);
  return performance.now() - started;
}

const EVIL = 'a'.repeat(40) + '!';

describe('guardPattern: case-insensitive patterns without the i flag', () => {
  it('rewrites letters into their case classes and drops i', () => {
    expect(guardPattern('ab', 'i')).toEqual({ source: '[\\u0041\\u0061][\\u0042\\u0062]', flags: '' });
    expect(guardPattern('[a-c]', 'gi')).toEqual({ source: '[\\u0041-\\u0043\\u0061-\\u0063]', flags: 'g' });
  });

  it('leaves patterns without i and with backreferences as they are', () => {
    expect(guardPattern('^(a+)+$', 'g')).toEqual({ source: '^(a+)+$', flags: 'g' });
    expect(guardPattern('(a)\\1', 'i')).toEqual({ source: '(a)\\1', flags: 'i' });
  });

  // A differential check of the rewriting: the folded pattern must accept exactly the texts the
  // original accepts with `i`, over many patterns and texts (a fixed seed keeps it repeatable).
  it('matches exactly what the original matched with i', () => {
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const atoms = ['a', 'B', 'z', 'é', 'É', 'ß', 'ſ', 'k', 'K', '\u212a', 'ı', 'İ', 'σ', 'ς', 'Σ', '\\x41', '\\u00e9', '[a-f]', '[^x-z]', '[A-Z0-9_]', '[\\w-]', '[\\d.]', '.', '\\w', '\\W', '\\s', '\\p', '\\-', '[ß-ÿ]', '\\cJ', '[\\cJ\\b]', '\\0', '[\\101]', '\\{'];
    const texts = ['a', 'A', 'b', 'B', 'z', 'Z', 'é', 'É', 'ß', 'ẞ', 'ſ', 's', 'S', 'k', 'K', '\u212a', 'ı', 'i', 'I', 'İ', 'σ', 'ς', 'Σ', '-', '5', '_', ' ', '\n', '\b', '\0', '{', 'p', 'P', 'x', 'Ü', 'ü', 'ÿ', 'Ÿ'];
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      let source = '';
      const length = 1 + next(3);
      for (let i = 0; i < length; i++) source += atoms[next(atoms.length)]! + ['', '?', '+', '{1,2}'][next(4)]!;
      const original = new RegExp(`^(?:${source})$`, 'i');
      const rewritten = compiled(`^(?:${source})$`, 'i');
      expect(rewritten.flags).toBe('');
      for (let t = 0; t < 30; t++) {
        let text = '';
        const size = 1 + next(4);
        for (let i = 0; i < size; i++) text += texts[next(texts.length)]!;
        expect(rewritten.test(text), `/${source}/i on ${JSON.stringify(text)}`).toBe(original.test(text));
        checked++;
      }
    }
    expect(checked).toBe(12_000);
  });
});

describe('guardPattern: catastrophic backtracking', () => {
  it('runs the classic exponential patterns in linear time, with and without i', () => {
    for (const [source, flags] of [
      ['^(a+)+$', ''],
      ['^(a+)+$', 'i'],
      ['^(a|a)+$', 'gi'],
      ['^(\\w+\\s?)*$', 'm'],
      ['^(a|aa)+$', 'i'],
      ['(x+x+)+y', 'i'],
    ] as const) {
      expect(timed(compiled(source, flags), EVIL), `/${source}/${flags}`).toBeLessThan(200);
    }
  });

  it('refuses nested unbounded repetition where the linear engine cannot take the pattern', () => {
    for (const [source, flags] of [
      ['^(a+)+\\1$', ''],
      ['^(?=a)(a+)+$', ''],
      ['^(?<!b)(\\w+\\s?)*$', 'i'],
      ['^(a+){2,40}(b*)*$', ''],
    ] as const) {
      expect(guardPattern(source, flags), `/${source}/${flags}`).toHaveProperty('refused');
    }
    expect((guardPattern('^(a+)+\\1$', '') as { refused: string }).refused).toContain('/^(a+)+\\1$/');
  });

  it('runs patterns with lookaround or backreferences but no nested unbounded repetition', () => {
    expect(guardPattern('^(?=.*\\d)(?=.*[a-z]).{8,}$', '')).toEqual({ source: '^(?=.*\\d)(?=.*[a-z]).{8,}$', flags: '' });
    expect(guardPattern('(\\w+)-\\1', 'g')).toEqual({ source: '(\\w+)-\\1', flags: 'g' });
    expect(guardPattern('^([a-z0-9-]{1,63}\\.)+[a-z]{2,}$', '')).not.toHaveProperty('refused');
  });

  it('runs what it cannot read as written', () => {
    expect(guardPattern('a\\', '')).toEqual({ source: 'a\\', flags: '' });
  });
});
