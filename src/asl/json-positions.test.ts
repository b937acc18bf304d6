import { describe, expect, it } from 'vitest';
import { escapePointerToken, JsonPositions, locateSyntaxError, type TextRange } from './json-positions.js';

const definition = {
  Comment: 'demo',
  StartAt: 'Foo',
  States: {
    Foo: { Type: 'Pass', Next: 'C' },
    C: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.x', BooleanEquals: true, Next: 'Nope' },
        { Variable: '$.y', IsPresent: true, Next: 'Foo' },
      ],
      Default: 'End',
    },
    'a/b~c': { Type: 'Succeed' },
    End: { Type: 'Succeed' },
  },
};
const text = JSON.stringify(definition, null, 2);

/** The range of the n-th (0-based) occurrence of `needle`. */
function rangeOf(needle: string, occurrence = 0, haystack = text): TextRange {
  let from = -1;
  for (let i = 0; i <= occurrence; i++) {
    from = haystack.indexOf(needle, from + 1);
    if (from === -1) throw new Error(`${needle} #${occurrence} not found`);
  }
  return { from, to: from + needle.length };
}

function lineOf(offset: number, haystack = text): number {
  return haystack.slice(0, offset).split('\n').length;
}

describe('JsonPositions.locate', () => {
  const positions = new JsonPositions(text);

  it('marks an object member by its quoted name', () => {
    expect(positions.locate('/StartAt')).toEqual(rangeOf('"StartAt"'));
    // "Foo" first appears as StartAt's value; the member is the second occurrence.
    expect(positions.locate('/States/Foo')).toEqual(rangeOf('"Foo"', 1));
    // The Next of Foo, not the first "Next" in the text.
    const fooNext = positions.locate('/States/Foo/Next')!;
    expect(fooNext).toEqual(rangeOf('"Next"', 0));
    expect(text.slice(fooNext.from, fooNext.to)).toBe('"Next"');
    expect(lineOf(fooNext.from)).toBe(7);
  });

  it('reaches into arrays with numeric tokens', () => {
    expect(positions.locate('/States/C/Choices/0/Next')).toEqual(rangeOf('"Next"', 1));
    expect(positions.locate('/States/C/Choices/1/Next')).toEqual(rangeOf('"Next"', 2));
    expect(positions.locate('/States/C/Default')).toEqual(rangeOf('"Default"'));
  });

  it('marks an array element (no name) on the first line of its value', () => {
    const element = positions.locate('/States/C/Choices/1')!;
    const open = text.indexOf('{', rangeOf('"Nope"').to);
    expect(element).toEqual({ from: open, to: text.indexOf('\n', open) });
    expect(text.slice(element.from, element.to)).toBe('{');
  });

  it('falls back to the deepest existing ancestor of a missing pointer', () => {
    // A missing `End` is marked on the state that lacks it.
    expect(positions.locate('/States/Foo/End')).toEqual(positions.locate('/States/Foo'));
    expect(positions.locate('/States/Missing/Next')).toEqual(rangeOf('"States"'));
    expect(positions.locate('/States/C/Choices/7/Next')).toEqual(rangeOf('"Choices"'));
  });

  it('treats the empty pointer, "/" and a pointer without a leading slash as expected', () => {
    expect(positions.locate('')).toEqual({ from: 0, to: 1 }); // the whole document, first line: "{"
    expect(positions.locate('/')).toEqual({ from: 0, to: 1 });
    expect(positions.locate('States/Foo')).toEqual(positions.locate('/States/Foo'));
    expect(positions.locate('  /StartAt  ')).toEqual(rangeOf('"StartAt"'));
  });

  it('decodes escaped names and matches RFC 6901 escaped tokens', () => {
    expect(escapePointerToken('a/b~c')).toBe('a~1b~0c');
    expect(positions.locate(`/States/${escapePointerToken('a/b~c')}`)).toEqual(rangeOf('"a/b~c"'));
    const escaped = '{"St\\u0061tes": {"x": 1}}';
    expect(new JsonPositions(escaped).locate('/States/x')).toEqual(rangeOf('"x"', 0, escaped));
    expect(new JsonPositions(escaped).locate('/States')).toEqual(rangeOf('"St\\u0061tes"', 0, escaped));
  });

  it('indexes everything before a syntax error and nothing after it', () => {
    const broken = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}';
    const partial = new JsonPositions(broken);
    expect(partial.locate('/StartAt')).toEqual(rangeOf('"StartAt"', 0, broken));
    expect(partial.locate('/States/A/Type')).toEqual(rangeOf('"Type"', 0, broken));
    // Members are recorded when their value ends: neither "A" nor "States" (nor the document)
    // was finished, so a pointer below them finds nothing.
    expect(partial.locate('/States/A/End')).toBeUndefined();
    expect(new JsonPositions('not json').locate('/States')).toBeUndefined();
    expect(new JsonPositions('').locate('')).toBeUndefined();
  });

  it('handles scalars, empty containers and numbers in exponent form', () => {
    const compact = '{"a":[],"b":{},"c":-1.5e+3,"d":null,"e":[true,false]}';
    const p = new JsonPositions(compact);
    expect(p.locate('/a')).toEqual(rangeOf('"a"', 0, compact));
    expect(p.locate('/c')).toEqual(rangeOf('"c"', 0, compact));
    expect(p.locate('/e/1')).toEqual(rangeOf('false', 0, compact));
    expect(p.locate('/a/0')).toEqual(rangeOf('"a"', 0, compact));
  });

  // ValidateStateMachineDefinition (AWS and src/asl/validate.ts) writes array indexes as
  // `Choices[0]`, which is not a JSON pointer token.
  it('places AWS-style `Choices[0]/Next` locations on that rule’s Next', () => {
    expect(positions.locate('/States/C/Choices[0]/Next')).toEqual(rangeOf('"Next"', 1));
  });
});

describe('locateSyntaxError', () => {
  const source = '{\n  "a": 1,\n  "b" 2\n}';

  it('reads Jackson’s `line: N, column: M`', () => {
    const offset = source.indexOf('2');
    const message = `Unexpected character ('2' (code 50)): was expecting a colon to separate field name and value\n at [Source: (String)"..."; line: 3, column: 7]`;
    expect(locateSyntaxError(source, message)).toEqual({ from: offset, to: offset + 1 });
  });

  it('uses the last line/column when the message has several', () => {
    const message = 'start marker at [line: 1, column: 1] ... at [line: 2, column: 3]';
    const offset = source.indexOf('"a"');
    expect(locateSyntaxError(source, message)).toEqual({ from: offset, to: offset + 1 });
  });

  it('reads V8’s `at position N`', () => {
    let message = '';
    try {
      JSON.parse(source);
    } catch (error) {
      message = (error as Error).message;
    }
    const offset = source.indexOf('2');
    expect(message).toContain(`at position ${offset}`);
    expect(locateSyntaxError(source, message)).toEqual({ from: offset, to: offset + 1 });
  });

  it('clamps positions past the end and ignores messages without a position', () => {
    expect(locateSyntaxError(source, 'Unexpected end of JSON input at position 999')).toEqual({ from: source.length - 1, to: source.length });
    expect(locateSyntaxError(source, 'line: 99, column: 1')).toEqual({ from: source.length - 1, to: source.length });
    expect(locateSyntaxError(source, 'Unexpected end of JSON input')).toBeUndefined();
  });
});
