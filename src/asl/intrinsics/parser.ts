/**
 * The grammar of intrinsic function calls (`States.Format('{}', $.a)`), parsed once into a small
 * AST. What AWS rejects when a state machine is created is a syntax error here: malformed calls,
 * unknown function names, invalid escapes, nesting deeper than 10. Everything AWS only notices
 * while running (argument count, types, values) is left to evaluation.
 */

export class IntrinsicSyntaxError extends Error {
  override readonly name = 'IntrinsicSyntaxError';
}

export const INTRINSIC_FUNCTION_NAMES = [
  'States.Format',
  'States.StringToJson',
  'States.JsonToString',
  'States.Array',
  'States.ArrayPartition',
  'States.ArrayContains',
  'States.ArrayRange',
  'States.ArrayGetItem',
  'States.ArrayLength',
  'States.ArrayUnique',
  'States.Base64Encode',
  'States.Base64Decode',
  'States.Hash',
  'States.JsonMerge',
  'States.MathRandom',
  'States.MathAdd',
  'States.StringSplit',
  'States.UUID',
] as const;

export type IntrinsicName = (typeof INTRINSIC_FUNCTION_NAMES)[number];

const KNOWN_NAMES: ReadonlySet<string> = new Set(INTRINSIC_FUNCTION_NAMES);

/** AWS documents "up to 10 nested intrinsic functions within a field". */
export const MAX_NESTING_DEPTH = 10;

export interface LiteralNode {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
  /** For string literals: the text between the quotes, escapes not yet applied (States.Format reads its template from it). */
  readonly raw?: string;
}

export interface PathNode {
  readonly kind: 'path';
  /** `$`, `$.a[0]`, `$$.Execution.Id` or `$var.field`, exactly as written. */
  readonly path: string;
}

export interface CallNode {
  readonly kind: 'call';
  readonly name: IntrinsicName;
  readonly args: readonly IntrinsicNode[];
  /** The call's own source text, as written (AWS quotes it in error causes). */
  readonly text: string;
}

export type IntrinsicNode = LiteralNode | PathNode | CallNode;

const CALL_START = /^States\.[A-Za-z0-9]+\s*\(/;

/** True when `s` is written as an intrinsic call (`States.<Name>(`), valid or not. */
export function isIntrinsicCall(s: string): boolean {
  return s.startsWith('States.') && CALL_START.test(s);
}

/** Parses a whole intrinsic expression; it must be a single call with nothing after it. */
export function parseIntrinsic(text: string): CallNode {
  const parser = new Parser(text);
  parser.skipWhitespace();
  if (!text.startsWith('States.', parser.pos)) parser.fail('an intrinsic function call must start with States.');
  const call = parser.parseCall(1);
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail(`unexpected '${text[parser.pos]}'`);
  return call;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const NAME = /[A-Za-z0-9]+/y;
const ESCAPABLE = "'{}\\";

function isWhitespace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** Characters that may follow a literal or a path inside an argument list. */
function endsToken(ch: string | undefined): boolean {
  return ch === undefined || ch === ',' || ch === ')' || isWhitespace(ch);
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new IntrinsicSyntaxError(`Invalid intrinsic function call '${this.text}': ${message} (at offset ${this.pos})`);
  }

  skipWhitespace(): void {
    while (isWhitespace(this.text[this.pos])) this.pos++;
  }

  parseCall(depth: number): CallNode {
    if (depth > MAX_NESTING_DEPTH) this.fail(`intrinsic functions cannot be nested more than ${MAX_NESTING_DEPTH} deep`);
    const start = this.pos;
    this.pos += 'States.'.length;
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) this.fail('missing function name after States.');
    const name = `States.${match[0]}`;
    if (!KNOWN_NAMES.has(name)) this.fail(`unknown intrinsic function '${name}'`);
    this.pos = NAME.lastIndex;
    this.skipWhitespace();
    if (this.text[this.pos] !== '(') this.fail(`expected '(' after ${name}`);
    this.pos++;
    const args: IntrinsicNode[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ')') {
      this.pos++;
    } else {
      for (;;) {
        this.skipWhitespace();
        args.push(this.parseArgument(depth));
        this.skipWhitespace();
        const ch = this.text[this.pos];
        this.pos++;
        if (ch === ')') break;
        if (ch !== ',') {
          this.pos--;
          this.fail(ch === undefined ? `missing ')' to close ${name}(` : `expected ',' or ')' but found '${ch}'`);
        }
      }
    }
    return { kind: 'call', name: name as IntrinsicName, args, text: this.text.slice(start, this.pos) };
  }

  private parseArgument(depth: number): IntrinsicNode {
    const ch = this.text[this.pos];
    if (ch === "'") return this.parseString();
    if (ch === '$') return this.parsePath();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.parseNumber();
    if (this.text.startsWith('States.', this.pos)) return this.parseCall(depth + 1);
    for (const [word, value] of KEYWORDS) {
      if (this.text.startsWith(word, this.pos) && endsToken(this.text[this.pos + word.length])) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    return this.fail(ch === undefined ? 'missing argument' : `unexpected '${ch}'`);
  }

  /** `'...'` with the four escapes AWS defines: \' \{ \} \\. Any other backslash is rejected. */
  private parseString(): LiteralNode {
    const open = this.pos;
    let value = '';
    let i = open + 1;
    for (;;) {
      const ch = this.text[i];
      if (ch === undefined) {
        this.pos = open;
        this.fail('unterminated string literal');
      }
      if (ch === "'") break;
      if (ch === '\\') {
        const next = this.text[i + 1];
        if (next === undefined || !ESCAPABLE.includes(next)) {
          this.pos = i;
          this.fail(`invalid escape sequence '\\${next ?? ''}' (only \\' \\{ \\} and \\\\ are allowed)`);
        }
        value += next;
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    this.pos = i + 1;
    return { kind: 'literal', value, raw: this.text.slice(open + 1, i) };
  }

  private parseNumber(): LiteralNode {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match || !endsToken(this.text[NUMBER.lastIndex])) this.fail('invalid number literal');
    this.pos = NUMBER.lastIndex;
    return { kind: 'literal', value: Number(match[0]) };
  }

  /**
   * A path runs until a top-level `,`, `)` or whitespace; brackets (and quotes inside them) may hold
   * any of those, as in `$.a[?(@.b == 'x, y')]`. The path itself is checked when it is looked up.
   */
  private parsePath(): PathNode {
    const start = this.pos;
    let i = start;
    let brackets = 0;
    let quote: string | undefined;
    for (; i < this.text.length; i++) {
      const ch = this.text[i]!;
      if (quote) {
        if (ch === '\\') i++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '[') brackets++;
      else if (ch === ']') brackets--;
      else if (brackets > 0 && (ch === "'" || ch === '"')) quote = ch;
      else if (brackets === 0 && endsToken(ch)) break;
    }
    if (brackets !== 0 || quote) this.fail('unbalanced brackets in path argument');
    this.pos = i;
    return { kind: 'path', path: this.text.slice(start, i) };
  }
}

const KEYWORDS: ReadonlyArray<readonly [string, boolean | null]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
