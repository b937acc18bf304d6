/**
 * The filter compiler: `[?(@.price < 10 && @.tags)]` into a predicate, following Jayway
 * JsonPath's FilterCompiler (operators, literals, precedence, and its reading of a path alone as
 * an existence test).
 *
 * Filters are parsed and evaluated here, never handed to eval/Function: jsonpath-plus, the usual
 * JavaScript JSONPath library, evaluates filters as script (with remote-code-execution advisories
 * to show for it) and does not follow Jayway's semantics anyway.
 */
import { collectMatches, evaluateBody } from './evaluate.js';
import { parseLenientJson } from './lenient-json.js';
import { nextIndexOfUnescaped, parsePathBody, unescape } from './parse-path.js';
import { guardPattern } from '../safe-regexp.js';
import { FilterPattern, RELATIONS, UNDEFINED, type FilterValue } from './relations.js';
import { PathSyntaxError, fail } from './syntax-error.js';
import { StatesError } from '../errors.js';
import type { FilterPredicate, PathBody } from './tokens.js';

type Operand = (item: unknown, root: unknown) => FilterValue;

/**
 * An unquoted word where a literal belongs (`@.code == es`). AWS accepts such a filter when the
 * state machine is created (published AWS samples have one), but Jayway JsonPath, whose filter
 * grammar AWS's JSONPath follows, reads a word as a number literal and cannot: evaluating the
 * filter fails. So it is accepted here and fails the state with States.Runtime when evaluated
 * (AWS's cause text for it is not known; ours says what is wrong).
 */
class BareWord {
  constructor(
    readonly word: string,
    readonly filter: string,
  ) {}
}

/** A value node as read: a path (which may turn into an existence test) or a literal. */
type ValueNode =
  | { readonly kind: 'path'; readonly body: PathBody; readonly fromRoot: boolean; readonly shouldExist: boolean }
  | { readonly kind: 'literal'; readonly value: FilterValue };

/** Compiles `[?( … )]`, brackets included. */
export function compileFilter(criteria: string): FilterPredicate {
  let text = criteria.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) fail(`Filter must start with '[' and end with ']'. ${criteria}`);
  text = text.slice(1, -1).trim();
  if (!text.startsWith('?')) fail(`Filter must start with '[?' and end with ']'. ${criteria}`);
  text = text.slice(1).trim();
  if (!text.startsWith('(') || !text.endsWith(')')) fail(`Filter must start with '[?(' and end with ')]'. ${criteria}`);
  text = text.slice(1, -1).trim();
  const reader = new FilterReader(text);
  try {
    const predicate = reader.readLogicalOr();
    reader.skipBlanks();
    if (!reader.atEnd()) fail(`Expected end of filter expression instead of: ${reader.rest()}`);
    return predicate;
  } catch (error) {
    if (error instanceof PathSyntaxError) throw error;
    return fail(`Failed to parse filter: ${criteria}, error on position: ${reader.position()}`);
  }
}

const isOperatorChar = (c: string | undefined): boolean => c === '<' || c === '>' || c === '=' || c === '~' || c === '!';

class FilterReader {
  private pos = 0;

  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  rest(): string {
    return this.s.slice(this.pos);
  }

  position(): number {
    return this.pos;
  }

  skipBlanks(): void {
    while (this.pos < this.s.length && this.s[this.pos] === ' ') this.pos++;
  }

  private hasSignificant(text: string): boolean {
    this.skipBlanks();
    if (!this.s.startsWith(text, this.pos)) return false;
    this.pos += text.length;
    return true;
  }

  readLogicalOr(): FilterPredicate {
    const operands = [this.readLogicalAnd()];
    while (this.hasSignificant('||')) operands.push(this.readLogicalAnd());
    if (operands.length === 1) return operands[0]!;
    return (item, root) => operands.some((test) => test(item, root));
  }

  private readLogicalAnd(): FilterPredicate {
    const operands = [this.readLogicalAndOperand()];
    while (this.hasSignificant('&&')) operands.push(this.readLogicalAndOperand());
    if (operands.length === 1) return operands[0]!;
    return (item, root) => operands.every((test) => test(item, root));
  }

  private readLogicalAndOperand(): FilterPredicate {
    this.skipBlanks();
    if (this.s[this.pos] === '!') {
      const savepoint = this.pos;
      this.pos++;
      this.skipBlanks();
      const c = this.s[this.pos];
      if (c === '$' || c === '@') {
        // `!@.a` is a path that must not exist; the value reader handles it.
        this.pos = savepoint;
      } else {
        const operand = this.readLogicalAndOperand();
        return (item, root) => !operand(item, root);
      }
    }
    this.skipBlanks();
    if (this.s[this.pos] === '(') {
      this.pos++;
      const inner = this.readLogicalOr();
      this.skipBlanks();
      if (this.s[this.pos] !== ')') fail(`Expected ')' at position ${this.pos} in filter ${this.s}`);
      this.pos++;
      return inner;
    }
    return this.readExpression();
  }

  /** `left op right`, or a lone path: an existence test (Jayway drops a `!` before a compared path). */
  private readExpression(): FilterPredicate {
    const left = this.readValueNode();
    const savepoint = this.pos;
    try {
      const relation = this.readRelationalOperator();
      const right = this.readValueNode();
      const l = operand(left);
      const r = operand(right);
      return (item, root) => relation(l(item, root), r(item, root));
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      this.pos = savepoint;
    }
    if (left.kind !== 'path') fail(`Expected path node at position ${savepoint} in filter ${this.s}`);
    const { body, fromRoot, shouldExist } = left;
    return (item, root) => pathExists(body, fromRoot ? root : item, root) === shouldExist;
  }

  private readRelationalOperator() {
    this.skipBlanks();
    const begin = this.pos;
    if (isOperatorChar(this.s[this.pos])) {
      while (this.pos < this.s.length && isOperatorChar(this.s[this.pos])) this.pos++;
    } else {
      while (this.pos < this.s.length && this.s[this.pos] !== ' ') this.pos++;
    }
    const text = this.s.slice(begin, this.pos);
    return RELATIONS.get(text.toUpperCase()) ?? fail(`Filter operator ${text} is not supported!`);
  }

  private readValueNode(): ValueNode {
    this.skipBlanks();
    const c = this.s[this.pos];
    if (c === '$' || c === '@') return this.readPath();
    if (c === '!') {
      this.pos++;
      this.skipBlanks();
      const next = this.s[this.pos];
      if (next === '$' || next === '@') return this.readPath();
      fail('Unexpected character: !');
    }
    return { kind: 'literal', value: this.readLiteral() };
  }

  /** A path runs to an operator character, a blank, or a `)` that is not a function call's. */
  private readPath(): ValueNode {
    const shouldExist = this.previousSignificantChar() !== '!';
    const begin = this.pos;
    this.pos++;
    while (this.pos < this.s.length) {
      if (this.s[this.pos] === '[') {
        const close = indexOfMatchingBracket(this.s, this.pos);
        if (close === -1) fail(`Square brackets does not match in filter ${this.s}`);
        this.pos = close + 1;
        if (this.pos >= this.s.length) break;
      }
      const c = this.s[this.pos];
      if (isOperatorChar(c) || c === ' ' || (c === ')' && !this.closesFunctionCall(begin))) break;
      this.pos++;
    }
    const text = this.s.slice(begin, this.pos);
    if (text.startsWith('$$')) fail(`Illegal character at position 1 expected '.' or '['`);
    return { kind: 'path', body: parsePathBody(text, 1), fromRoot: text[0] === '$', shouldExist };
  }

  private previousSignificantChar(): string {
    let i = this.pos - 1;
    while (i >= 0 && this.s[i] === ' ') i--;
    return i >= 0 ? this.s[i]! : ' ';
  }

  /** Whether the `)` at the cursor ends `.name()` within the path that began at `begin`. */
  private closesFunctionCall(begin: number): boolean {
    let i = this.pos - 1;
    while (i >= 0 && this.s[i] === ' ') i--;
    if (i < 0 || this.s[i] !== '(') return false;
    for (i--; i > begin; i--) if (this.s[i] === '.') return true;
    return false;
  }

  private readLiteral(): FilterValue {
    this.skipBlanks();
    const c = this.s[this.pos];
    switch (c) {
      case "'":
      case '"':
        return this.readString(c);
      case 't':
      case 'f':
        return this.readKeyword(c === 't' ? 'true' : 'false', c === 't');
      case 'n':
        return this.readKeyword('null', null);
      case '[':
      case '{':
        return this.readJson();
      case '/':
        return this.readPattern();
      default: {
        const word = /^[A-Za-z_][\w]*/.exec(this.s.slice(this.pos))?.[0];
        // A word that is not a number: see BareWord ('e'/'E' alone are not numbers either).
        if (word !== undefined) {
          this.pos += word.length;
          return new BareWord(word, this.s);
        }
        return this.readNumber();
      }
    }
  }

  private readString(quote: string): string {
    const close = nextIndexOfUnescaped(this.s, this.pos, quote);
    if (close === -1) fail(`String literal does not have matching quotes. Expected ${quote} in ${this.s}`);
    const value = unescape(this.s.slice(this.pos + 1, close));
    this.pos = close + 1;
    return value;
  }

  private readKeyword(word: string, value: boolean | null): boolean | null {
    if (!this.s.startsWith(word, this.pos)) fail(value === null ? 'Expected <null> value' : 'Expected boolean literal');
    this.pos += word.length;
    return value;
  }

  private readNumber(): number {
    const begin = this.pos;
    while (this.pos < this.s.length && /[\d.-]/.test(this.s[this.pos]!)) this.pos++;
    const text = this.s.slice(begin, this.pos);
    if (!/^-?(?:\d+\.?\d*|\.\d+)$/.test(text)) fail(`Failed to parse number literal '${text}' in filter ${this.s}`);
    return Number(text);
  }

  private readJson(): unknown {
    const close = indexOfMatchingBracket(this.s, this.pos);
    if (close === -1) fail(`String not closed. Expected ' in ${this.s}`);
    const value = parseLenientJson(this.s.slice(this.pos, close + 1));
    this.pos = close + 1;
    return value;
  }

  /**
   * `/regex/flags`; Java's `matches()` is a whole-string match, hence the anchors. The pattern
   * runs as src/asl/safe-regexp.ts guards it against catastrophic backtracking.
   */
  private readPattern(): FilterPattern {
    const close = nextIndexOfUnescaped(this.s, this.pos, '/');
    if (close === -1) fail(`Pattern not closed. Expected / in ${this.s}`);
    let end = close + 1;
    while (end < this.s.length && 'dimsuxU'.includes(this.s[end]!)) end++;
    const source = this.s.slice(this.pos + 1, close);
    const flags = [...new Set(this.s.slice(close + 1, end))].filter((f) => f === 'i' || f === 'm' || f === 's').join('');
    this.pos = end;
    const anchored = `^(?:${source})$`;
    try {
      new RegExp(anchored, flags);
    } catch {
      return fail(`Invalid regular expression /${source}/ in filter ${this.s}`);
    }
    const written = this.s.slice(close - source.length - 1, end);
    const guarded = guardPattern(anchored, flags);
    if ('refused' in guarded) return new FilterPattern(written, undefined, guarded.refused.replace(`/${anchored}/${flags}`, written));
    return new FilterPattern(written, new RegExp(guarded.source, guarded.flags));
  }
}

/** The closing bracket matching the `[` or `{` at `open`, skipping quoted strings. */
function indexOfMatchingBracket(s: string, open: number): number {
  const openChar = s[open]!;
  const closeChar = openChar === '[' ? ']' : '}';
  let depth = 1;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === '"') {
      const end = nextIndexOfUnescaped(s, i, c);
      if (end === -1) fail(`Could not find matching close quote for ${c} when parsing : ${s}`);
      i = end;
    } else if (c === openChar) {
      depth++;
    } else if (c === closeChar && --depth === 0) {
      return i;
    }
  }
  return -1;
}

function operand(node: ValueNode): Operand {
  if (node.kind === 'literal') {
    const value = node.value;
    if (value instanceof BareWord) {
      return () => {
        throw new StatesError(
          'States.Runtime',
          `Invalid JSONPath filter '[?(${value.filter})]': '${value.word}' is not a value (quote a string: '${value.word}')`,
        );
      };
    }
    return () => value;
  }
  const { body, fromRoot } = node;
  return fromRoot ? (_item, root) => pathValue(body, root, root) : (item, root) => pathValue(body, item, root);
}

/** A path operand's value: its value (definite), its list of matches, or UNDEFINED. */
function pathValue(body: PathBody, doc: unknown, root: unknown): FilterValue {
  if (body.definite) {
    const result = evaluateBody(body, doc, root);
    return result.found ? result.value : UNDEFINED;
  }
  return collectMatches(body, doc, root) ?? UNDEFINED;
}

/** Jayway's existence test: evaluation with every property on the way required. */
function pathExists(body: PathBody, doc: unknown, root: unknown): boolean {
  if (body.definite) return evaluateBody(body, doc, root).found;
  return collectMatches(body, doc, root, true) !== undefined;
}
