/**
 * Parsing a definition's text. Step Functions parses definitions with Jackson and quotes its
 * error in the INVALID_JSON_DESCRIPTION diagnostic (message and location), for example
 *   Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
 *    at [Source: (String)"not a definition"; line: 1, column: 4]
 * JSON.parse does the parsing; when it fails, a small scanner finds the first error the way
 * Jackson does (the same wording, line and column) for the common mistakes. Like Jackson's
 * default ObjectMapper, content after the first complete value is ignored.
 */

export type JsonTextResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly location: string };

export function parseJsonText(text: string): JsonTextResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch {
    // Described below.
  }
  const outcome = scan(source);
  if ('end' in outcome) {
    try {
      return { ok: true, value: outcome.end === 0 ? undefined : JSON.parse(source.slice(0, outcome.end)) };
    } catch {
      // The scanner accepted what JSON.parse refused; report it generically.
      return failure(source, 'Unexpected character: invalid JSON', source.length);
    }
  }
  return failure(source, outcome.message, outcome.offset);
}

interface ScanError {
  message: string;
  /** Where Jackson's reported column points: just after the offending character or token. */
  offset: number;
}

const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

function describeChar(code: number): string {
  if (code < 32) return `(CTRL-CHAR, code ${code})`;
  return `'${String.fromCharCode(code)}' (code ${code})`;
}

function unexpected(text: string, index: number, expectation: string): ScanError {
  return { message: `Unexpected character (${describeChar(text.charCodeAt(index))}): ${expectation}`, offset: index + 1 };
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isWordChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code > 0x7f;
}

/**
 * Finds the end of the first JSON value (`{end}`, 0 when the text is blank) or the first error.
 * Iterative, so that nesting depth is not limited by the call stack.
 */
function scan(text: string): { end: number } | ScanError {
  const containers: Array<{ kind: 'Object' | 'Array'; start: number }> = [];
  let i = skipWhitespace(text, 0);
  if (i >= text.length) return { end: 0 };
  // What the scanner expects next.
  let expect: 'value' | 'key-or-close' | 'key' | 'colon' | 'comma-or-close' | 'value-or-close' = 'value';
  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= text.length) {
      const open = containers[containers.length - 1];
      if (open === undefined) return { message: 'Unexpected end-of-input', offset: text.length };
      return {
        message: `Unexpected end-of-input: expected close marker for ${open.kind} (start marker at ${sourceDescription(text, open.start, 0)})`,
        offset: text.length,
      };
    }
    const code = text.charCodeAt(i);
    const top = containers[containers.length - 1];
    switch (expect) {
      case 'key-or-close':
      case 'key':
        if (code === 0x7d && expect === 'key-or-close') {
          containers.pop();
          i++;
          break;
        }
        if (code !== 0x22) return unexpected(text, i, 'was expecting double-quote to start field name');
        {
          const end = scanString(text, i);
          if (typeof end !== 'number') return end;
          i = end;
        }
        expect = 'colon';
        continue;
      case 'colon':
        if (code !== 0x3a) return unexpected(text, i, 'was expecting a colon to separate field name and value');
        i++;
        expect = 'value';
        continue;
      case 'comma-or-close': {
        const close = top!.kind === 'Object' ? 0x7d : 0x5d;
        if (code === close) {
          containers.pop();
          i++;
          break;
        }
        if (code !== 0x2c) return unexpected(text, i, `was expecting comma to separate ${top!.kind} entries`);
        i++;
        expect = top!.kind === 'Object' ? 'key' : 'value';
        continue;
      }
      case 'value-or-close':
      case 'value': {
        if (code === 0x5d && expect === 'value-or-close') {
          containers.pop();
          i++;
          break;
        }
        if (code === 0x7b) {
          containers.push({ kind: 'Object', start: i });
          i++;
          expect = 'key-or-close';
          continue;
        }
        if (code === 0x5b) {
          containers.push({ kind: 'Array', start: i });
          i++;
          expect = 'value-or-close';
          continue;
        }
        const end = scanScalar(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        break;
      }
    }
    // A value (scalar or container) is complete.
    if (containers.length === 0) return { end: i };
    expect = 'comma-or-close';
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

function scanScalar(text: string, i: number): number | ScanError {
  const code = text.charCodeAt(i);
  if (code === 0x22) return scanString(text, i);
  if (code === 0x2d || (code >= 0x30 && code <= 0x39)) return scanNumber(text, i);
  if (isWordChar(code)) {
    let end = i;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    const word = text.slice(i, end);
    if (word === 'true' || word === 'false' || word === 'null') return end;
    return { message: `Unrecognized token '${word}': was expecting ${VALID_VALUES}`, offset: end };
  }
  return unexpected(text, i, `expected a valid value ${VALID_VALUES}`);
}

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);

function scanString(text: string, start: number): number | ScanError {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) {
      return {
        message: `Illegal unquoted character (${describeChar(code)}): has to be escaped using backslash to be included in string value`,
        offset: i + 1,
      };
    }
    if (code === 0x5c) {
      const escaped = text[i + 1];
      if (escaped === undefined) break;
      if (!ESCAPES.has(escaped)) {
        return { message: `Unrecognized character escape ${describeChar(escaped.charCodeAt(0))}`, offset: i + 2 };
      }
      if (escaped === 'u' && !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        return { message: 'Unexpected character: expected a hex-digit for character escape sequence', offset: i + 3 };
      }
      i += escaped === 'u' ? 6 : 2;
      continue;
    }
    i++;
  }
  return { message: 'Unexpected end-of-input: was expecting closing quote for a string value', offset: text.length };
}

function scanNumber(text: string, start: number): number | ScanError {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  const isDigit = (index: number) => index < text.length && text.charCodeAt(index) >= 0x30 && text.charCodeAt(index) <= 0x39;
  if (!isDigit(i)) {
    return { message: 'Invalid numeric value: expected digit (0-9) to follow minus sign, for valid numeric value', offset: i + 1 };
  }
  if (text.charCodeAt(i) === 0x30 && isDigit(i + 1)) {
    return { message: 'Invalid numeric value: Leading zeroes not allowed', offset: i + 1 };
  }
  while (isDigit(i)) i++;
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    if (!isDigit(i)) return unexpectedInNumber(text, i, 'Decimal point not followed by a digit');
    while (isDigit(i)) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!isDigit(i)) return unexpectedInNumber(text, i, 'Exponent indicator not followed by a digit');
    while (isDigit(i)) i++;
  }
  return i;
}

function unexpectedInNumber(text: string, i: number, reason: string): ScanError {
  if (i >= text.length) return { message: 'Unexpected end-of-input in a Number value', offset: text.length };
  return { message: `Unexpected character (${describeChar(text.charCodeAt(i))}) in numeric value: ${reason}`, offset: i + 1 };
}

const MAX_SNIPPET = 500;

/** Jackson's `[Source: (String)"..."; line: L, column: C]`; `offset` is 0-based, `extra` added to the column. */
function sourceDescription(text: string, offset: number, extra: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const snippet =
    text.length > MAX_SNIPPET ? `"${text.slice(0, MAX_SNIPPET)}"[truncated ${text.length - MAX_SNIPPET} chars]` : `"${text}"`;
  return `[Source: (String)${snippet}; line: ${line}, column: ${offset - lineStart + 1 + extra}]`;
}

function failure(text: string, message: string, offset: number): JsonTextResult {
  const location = sourceDescription(text, offset, 0);
  return { ok: false, message: `${message}\n at ${location}`, location };
}
