import { describe, expect, it } from 'vitest';
import { isValid, parseDefinition, validateDefinition, type Diagnostic } from './validate.js';

const VALID = { Comment: 'hello', StartAt: 'A', States: { A: { Type: 'Pass', Result: { x: 1 }, End: true } } };

describe('parseDefinition', () => {
  it('parses and validates a definition', () => {
    const { definition, diagnostics } = parseDefinition(JSON.stringify(VALID));
    expect(definition).toEqual(VALID);
    expect(diagnostics).toEqual([]);
  });

  it('reports JSON syntax errors as AWS (Jackson) words them', () => {
    expect(parseDefinition('not a definition').diagnostics).toEqual([
      {
        severity: 'ERROR',
        code: 'INVALID_JSON_DESCRIPTION',
        message:
          "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n" +
          ' at [Source: (String)"not a definition"; line: 1, column: 4]',
        location: '[Source: (String)"not a definition"; line: 1, column: 4]',
      },
    ]);
    expect(parseDefinition('not a definition').definition).toBeNull();
  });

  it.each([
    ['{x', "Unexpected character ('x' (code 120)): was expecting double-quote to start field name", 'line: 1, column: 3'],
    ['{"a" 1}', "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value", 'line: 1, column: 7'],
    ['{"a":1 "b":2}', "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries", 'line: 1, column: 9'],
    ['[1 2]', "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries", 'line: 1, column: 5'],
    ['{"a":}', "Unexpected character ('}' (code 125)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", 'line: 1, column: 7'],
    ['{\n  "a": 01}', 'Invalid numeric value: Leading zeroes not allowed', 'line: 2, column: 9'],
    ['{"a": "x', 'Unexpected end-of-input: was expecting closing quote for a string value', 'line: 1, column: 9'],
    [
      '{"a": [1',
      'Unexpected end-of-input: expected close marker for Array (start marker at [Source: (String)"{"a": [1"; line: 1, column: 7])',
      'line: 1, column: 9',
    ],
  ])('words %j', (text, message, position) => {
    const [diagnostic] = parseDefinition(text).diagnostics;
    expect(diagnostic!.code).toBe('INVALID_JSON_DESCRIPTION');
    expect(diagnostic!.message).toBe(`${message}\n at [Source: (String)"${text}"; ${position}]`);
  });

  it('truncates long sources as Jackson does', () => {
    const text = `{"Comment": "${'x'.repeat(600)}", oops}`;
    const [diagnostic] = parseDefinition(text).diagnostics;
    expect(diagnostic!.location).toBe(`[Source: (String)"${text.slice(0, 500)}"[truncated ${text.length - 500} chars]; line: 1, column: 618]`);
  });

  it('reports a blank or non-object definition without a location', () => {
    for (const text of [' ', 'null', '[]', '42', '"text"']) {
      expect(parseDefinition(text).diagnostics).toEqual([
        { severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object', location: '' },
      ]);
    }
    expect(parseDefinition('').diagnostics).toEqual([
      { severity: 'ERROR', code: 'MISSING_DESCRIPTION', message: 'Received a null or empty workflow input.', location: '' },
    ]);
  });

  it('ignores content after the first value, as Jackson does', () => {
    const { definition, diagnostics } = parseDefinition(`${JSON.stringify(VALID)} trailing`);
    expect(definition).toEqual(VALID);
    expect(diagnostics).toEqual([]);
  });

  it('reports every problem of an invalid definition at once', () => {
    const text = JSON.stringify({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'Missing', Bogus: 1 },
        B: { Type: 'Wait', End: true },
        C: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 0, End: true },
      },
    });
    expect(parseDefinition(text).diagnostics.map((d) => d.code)).toEqual([
      'SCHEMA_VALIDATION_FAILED',
      'MISSING_TRANSITION_TARGET',
      'SCHEMA_VALIDATION_FAILED',
      'SCHEMA_VALIDATION_FAILED',
      'MISSING_TRANSITION_TARGET',
      'MISSING_TRANSITION_TARGET',
    ]);
  });
});

describe('validateDefinition', () => {
  it('returns nothing for a valid definition', () => {
    expect(validateDefinition(VALID)).toEqual([]);
    expect(isValid(validateDefinition(VALID))).toBe(true);
  });

  it('treats warnings as valid', () => {
    const diagnostics = validateDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { a: '$.a' }, End: true } } });
    expect(diagnostics.map((d) => d.severity)).toEqual(['WARNING']);
    expect(isValid(diagnostics)).toBe(true);
  });

  it('reports undefined as a missing definition and other non-objects as invalid', () => {
    expect(validateDefinition(undefined)[0]!.code).toBe('MISSING_DESCRIPTION');
    for (const value of [null, [], 'x', 1, true]) {
      expect(validateDefinition(value)).toEqual([
        { severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object', location: '' },
      ]);
    }
  });
});

/** A small deterministic PRNG (mulberry32), so that fuzz failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELD_NAMES = [
  'Type', 'Next', 'End', 'States', 'StartAt', 'Choices', 'Variable', 'And', 'Not', 'Branches', 'ItemProcessor', 'Iterator', 'Retry', 'Catch',
  'ErrorEquals', 'Parameters', 'a.$', 'Assign', 'Output', 'QueryLanguage', 'Seconds', 'Resource', 'ItemReader', 'ResultWriter', 'Default',
  'ProcessorConfig', 'Mode', 'Label', 'Condition', 'NumericEquals', 'ResultPath', 'constructor', '__proto__',
];
const STRINGS = ['Pass', 'Task', 'Map', 'Choice', 'Parallel', 'JSONata', 'JSONPath', '$', '$.a[', '$$.x', 'States.ALL', '{% 1 + %}', '{% $x %}', 'A', ''];

function randomValue(next: () => number, depth: number): unknown {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const roll = next();
  if (depth > 6 || roll < 0.3) return pick<unknown>([null, true, false, 0, -1, 1.5, 1e308, ...STRINGS]);
  if (roll < 0.45) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--) object[pick(FIELD_NAMES)] = randomValue(next, depth + 1);
  return object;
}

function expectWellFormed(diagnostics: Diagnostic[]): void {
  expect(Array.isArray(diagnostics)).toBe(true);
  for (const d of diagnostics) {
    expect(['ERROR', 'WARNING']).toContain(d.severity);
    expect(typeof d.code).toBe('string');
    expect(typeof d.message).toBe('string');
    expect(typeof d.location).toBe('string');
  }
}

describe('robustness', () => {
  it('never throws on random structures', () => {
    const next = random(20240601);
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(next, 0);
      expectWellFormed(validateDefinition(value));
      expectWellFormed(validateDefinition({ StartAt: 'A', States: { A: value } }));
    }
  });

  it('never throws on random text', () => {
    const next = random(7);
    const alphabet = '{}[]":,0123456789.-eE truefalsnl\\\n\tAB$';
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      expectWellFormed(parseDefinition(text).diagnostics);
    }
  });

  it('survives deep nesting in templates and in text', () => {
    let template: unknown = { 'a.$': '$.a' };
    for (let i = 0; i < 100000; i++) template = { nested: template };
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: template, End: true } } };
    expect(validateDefinition(definition)).toEqual([]);
    expect(parseDefinition('['.repeat(200000)).diagnostics[0]!.code).toBe('INVALID_JSON_DESCRIPTION');
  });

  it('handles a huge definition', () => {
    const states: Record<string, unknown> = {};
    for (let i = 0; i < 20000; i++) states[`S${i}`] = { Type: 'Pass', Next: `S${i + 1}` };
    states.S20000 = { Type: 'Succeed' };
    expect(validateDefinition({ StartAt: 'S0', States: states })).toEqual([]);
  });

  it('handles cyclic objects and throwing getters', () => {
    const cyclic: Record<string, unknown> = { 'a.$': '$.a' };
    cyclic.self = cyclic;
    cyclic.again = [cyclic, cyclic];
    expect(validateDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: cyclic, End: true } } })).toEqual([]);

    const workflow: Record<string, unknown> = { StartAt: 'P', States: {} };
    (workflow.States as Record<string, unknown>).P = { Type: 'Parallel', Branches: [workflow], End: true };
    expectWellFormed(validateDefinition(workflow));

    const hostile = { StartAt: 'A', get States(): never { throw new Error('boom'); } };
    const [diagnostic] = validateDefinition(hostile);
    expect(diagnostic!.severity).toBe('ERROR');
  });
});
