/**
 * Parsing the configuration file's text with the line and column of a mistake. JSON.parse does
 * the parsing; its error messages differ between Node versions and often give no position
 * ("Unexpected token '}', ... is not valid JSON"), so when it fails a small scanner walks the
 * text by JSON's grammar (RFC 8259) to find the first error and say what was expected there.
 * Unlike the state machine definition's parser (src/asl/validate/json-text.ts, which mimics
 * Jackson), content after the value is an error: a configuration is one JSON object.
 */

export type JsonTextResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly message: string };

export function parseJsonText(text: string): JsonTextResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (e) {
    const found = findSyntaxError(source) ?? { offset: source.length, message: (e as Error).message };
    return { ok: false, ...lineAndColumn(source, found.offset), message: found.message };
  }
}

/** 1-based line and column (in UTF-16 code units, as editors count) of an offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

interface SyntaxProblem {
  readonly offset: number;
  readonly message: string;
}

/** What the scanner expects next. */
type Expect =
  | 'value' // a value (the document, or after ':')
  | 'first-element' // a value or ']' (just after '[')
  | 'next-element' // a value (after ',' in an array)
  | 'first-key' // a name or '}' (just after '{')
  | 'next-key' // a name (after ',' in an object)
  | 'colon'
  | 'after-value'; // ',' or the container's end, or the end of the text

function describeChar(text: string, index: number): string {
  const code = text.codePointAt(index) ?? 0;
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCodePoint(code)}'`;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The first syntax error in `text`, or undefined when it is valid JSON. Iterative: nesting depth costs no stack. */
function findSyntaxError(text: string): SyntaxProblem | undefined {
  const containers: Array<'object' | 'array'> = [];
  let expect: Expect = 'value';
  let i = 0;
  for (;;) {
    while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
    if (i >= text.length) {
      if (expect === 'after-value' && containers.length === 0) return undefined;
      const open = containers.at(-1);
      const closer = open === 'object' ? " ('}' expected)" : open === 'array' ? " (']' expected)" : '';
      return { offset: i, message: `unexpected end of the file${closer}` };
    }
    const c = text[i]!;
    if (expect === 'first-element' && c === ']') {
      containers.pop();
      i++;
      expect = 'after-value';
      continue;
    }
    switch (expect) {
      case 'first-element':
      case 'next-element':
      case 'value': {
        if (c === '{' || c === '[') {
          containers.push(c === '{' ? 'object' : 'array');
          i++;
          expect = c === '{' ? 'first-key' : 'first-element';
          continue;
        }
        const end = scanScalar(text, i);
        if (typeof end !== 'number') {
          if (expect === 'next-element' && c === ']') return { offset: i, message: "a trailing comma before ']' is not allowed in JSON" };
          return end;
        }
        i = end;
        expect = 'after-value';
        continue;
      }
      case 'first-key':
      case 'next-key': {
        if (c === '}' && expect === 'first-key') {
          containers.pop();
          i++;
          expect = 'after-value';
          continue;
        }
        if (c === '}') return { offset: i, message: "a trailing comma before '}' is not allowed in JSON" };
        if (c !== '"') return { offset: i, message: `unexpected ${describeChar(text, i)}: a property name in double quotes expected` };
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        continue;
      }
      case 'colon':
        if (c !== ':') return { offset: i, message: `unexpected ${describeChar(text, i)}: ':' expected after the property name` };
        i++;
        expect = 'value';
        continue;
      case 'after-value': {
        const open = containers.at(-1);
        if (open === undefined) return { offset: i, message: `unexpected ${describeChar(text, i)} after the end of the JSON value` };
        if (c === ',') {
          i++;
          expect = open === 'object' ? 'next-key' : 'next-element';
          continue;
        }
        if ((open === 'object' && c === '}') || (open === 'array' && c === ']')) {
          containers.pop();
          i++;
          continue;
        }
        return {
          offset: i,
          message:
            open === 'object'
              ? `unexpected ${describeChar(text, i)}: ',' or '}' expected after a property value`
              : `unexpected ${describeChar(text, i)}: ',' or ']' expected after an array element`,
        };
      }
    }
  }
}

/** Scans a string, number or literal at `start`: the offset after it, or the problem. */
function scanScalar(text: string, start: number): number | SyntaxProblem {
  const c = text[start]!;
  if (c === '"') return scanString(text, start);
  if (c === '-' || isDigit(text.charCodeAt(start))) return scanNumber(text, start);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  if (c === "'") return { offset: start, message: 'strings must be in double quotes in JSON' };
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start, start + 40))?.[0];
  if (word !== undefined) return { offset: start, message: `unexpected word '${word}': a value expected (a string in double quotes, number, object, array, true, false or null)` };
  return { offset: start, message: `unexpected ${describeChar(text, start)}: a value expected (a string, number, object, array, true, false or null)` };
}

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function scanString(text: string, start: number): number | SyntaxProblem {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, message: 'a \\u escape needs four hexadecimal digits' };
        i += 6;
        continue;
      }
      if (next === undefined || !ESCAPES.has(next)) return { offset: i, message: `invalid escape in a string: \\${next ?? ''}` };
      i += 2;
      continue;
    }
    if (code === 0x0a || code === 0x0d) return { offset: i, message: 'unterminated string (a line break inside a string must be written \\n)' };
    if (code < 0x20) return { offset: i, message: `${describeChar(text, i)} inside a string must be escaped` };
    i++;
  }
  return { offset: start, message: 'unterminated string' };
}

function scanNumber(text: string, start: number): number | SyntaxProblem {
  let i = start;
  if (text[i] === '-') i++;
  if (text[i] === '0') {
    i++;
    if (isDigit(text.charCodeAt(i))) return { offset: i, message: 'numbers must not have leading zeros in JSON' };
  } else if (isDigit(text.charCodeAt(i))) {
    while (isDigit(text.charCodeAt(i))) i++;
  } else {
    return { offset: i, message: 'a digit expected in a number' };
  }
  if (text[i] === '.') {
    i++;
    if (!isDigit(text.charCodeAt(i))) return { offset: i, message: "a digit expected after '.' in a number" };
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!isDigit(text.charCodeAt(i))) return { offset: i, message: 'a digit expected in the exponent of a number' };
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}
