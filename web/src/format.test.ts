import { describe, expect, it } from 'vitest';
import { jsonBlockCut } from './format.js';

describe('jsonBlockCut', () => {
  const lines = (count: number, width = 10) => Array.from({ length: count }, (_, i) => String(i).padEnd(width, '.')).join('\n');

  it('shows short texts whole', () => {
    expect(jsonBlockCut('')).toBeUndefined();
    expect(jsonBlockCut('{"a": 1}')).toBeUndefined();
    expect(jsonBlockCut(lines(200))).toBeUndefined();
  });

  it('cuts after 200 lines', () => {
    const text = lines(201);
    const cut = jsonBlockCut(text)!;
    expect(text.slice(0, cut).split('\n')).toHaveLength(200);
    expect(text.slice(0, cut)).toBe(lines(200));
  });

  it('cuts at 20,000 characters when the lines are long', () => {
    expect(jsonBlockCut('x'.repeat(20_001))).toBe(20_000);
    expect(jsonBlockCut(lines(150, 500))).toBe(20_000);
    expect(jsonBlockCut('x'.repeat(20_000))).toBeUndefined();
  });
});
