/**
 * The path compiler: the text after a root (`$`, `$$`, `$name`, or `@` in filters) into tokens,
 * following Jayway JsonPath's PathCompiler so that AWS accepts and rejects the same paths (and
 * reads odd ones, like `$.a-b` or `$['a','b']`, the same way).
 */
import { compileFilter } from './parse-filter.js';
import { fail } from './syntax-error.js';
import { isTokenDefinite, type PathBody, type PathFunctionName, type Token } from './tokens.js';

const PATH_FUNCTIONS: ReadonlySet<string> = new Set<PathFunctionName>(['length', 'min', 'max', 'avg', 'stddev', 'sum', 'keys', 'first', 'last']);

/** Parses `text` from `start` (just after the root) to its end. */
export function parsePathBody(text: string, start: number): PathBody {
  if (text.endsWith('.')) fail(`Path must not end with a '.' or '..'`);
  const tokens = new PathReader(text, start).readAll();
  return buildBody(tokens);
}

function buildBody(parsed: Token[]): PathBody {
  let tokens = parsed;
  let aggregate: PathFunctionName | undefined;
  const last = tokens[tokens.length - 1];
  // Jayway rewrites `$..x.fn()` into `fn($..x)`: the function sees the whole list of matches.
  if (tokens[0]?.kind === 'scan' && last?.kind === 'function') {
    aggregate = last.name;
    tokens = tokens.slice(0, -1);
  }
  const upstreamDefinite: boolean[] = [];
  let definite = true;
  for (const token of tokens) {
    upstreamDefinite.push(definite);
    definite &&= isTokenDefinite(token);
  }
  return aggregate === undefined ? { tokens, definite, upstreamDefinite } : { tokens, definite: true, upstreamDefinite, aggregate };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const INTEGER = /^-?\d+$/;

class PathReader {
  private readonly tokens: Token[] = [];

  constructor(
    private readonly s: string,
    private pos: number,
  ) {}

  readAll(): Token[] {
    if (this.pos >= this.s.length) return this.tokens;
    const c = this.s[this.pos];
    if (c !== '.' && c !== '[') fail(`Illegal character at position ${this.pos} expected '.' or '['`);
    while (this.pos < this.s.length) this.readNextToken();
    const functionAt = this.tokens.findIndex((t) => t.kind === 'function');
    if (functionAt !== -1 && functionAt !== this.tokens.length - 1) fail('A function must be the last element of a path');
    return this.tokens;
  }

  private readNextToken(): void {
    const c = this.s[this.pos];
    if (c === '[') {
      if (this.readBracketProperties() || this.readArrayToken() || this.readWildcard() || this.readFilter()) return;
      fail(`Could not parse token starting at position ${this.pos}. Expected ?, ', 0-9, * `);
    }
    if (c === '.') return this.readDot();
    if (c === '*') {
      this.readWildcard();
      return;
    }
    if (!this.readPropertyOrFunction()) fail(`Could not parse token starting at position ${this.pos}`);
  }

  private readDot(): void {
    if (this.s[this.pos + 1] === '.') {
      this.tokens.push({ kind: 'scan' });
      this.pos += 2;
    } else if (this.pos + 1 >= this.s.length) {
      fail(`Path must not end with a '.`);
    } else {
      this.pos += 1;
    }
    if (this.s[this.pos] === '.') fail(`Character '.' on position ${this.pos} is not valid.`);
    if (this.pos >= this.s.length) fail(`Path must not end with a '.' or '..'`);
    this.readNextToken();
  }

  /** `name` after a dot: anything up to `.`, `[` or `(` (a function call); never a blank. */
  private readPropertyOrFunction(): boolean {
    const s = this.s;
    const start = this.pos;
    const c = s[start];
    if (c === '[' || c === '*' || c === '.' || c === ' ') return false;
    let end = start;
    for (; end < s.length; end++) {
      const ch = s[end];
      if (ch === ' ') fail(`Use bracket notion ['my prop'] if your property contains blank characters. position: ${end}`);
      if (ch === '.' || ch === '[' || ch === '(') break;
    }
    const name = s.slice(start, end);
    if (s[end] !== '(') {
      this.tokens.push({ kind: 'property', names: [name] });
      this.pos = end;
      return true;
    }
    if (s[end + 1] !== ')') fail(`Function arguments are not supported: ${name}`);
    if (!PATH_FUNCTIONS.has(name)) fail(`Function with name: ${name} does not exist.`);
    this.tokens.push({ kind: 'function', name: name as PathFunctionName });
    this.pos = end + 2;
    return true;
  }

  /** `['a']`, `["a"]`, `['a','b']`, with backslash escapes inside the quotes. */
  private readBracketProperties(): boolean {
    const s = this.s;
    const quote = this.nextSignificantChar(this.pos);
    if (quote !== "'" && quote !== '"') return false;
    const names: string[] = [];
    let start = this.pos + 1;
    let end = 0;
    let inProperty = false;
    let inEscape = false;
    let lastWasComma = false;
    for (let i = this.pos + 1; i < s.length; i++) {
      const c = s[i];
      if (inEscape) {
        inEscape = false;
      } else if (c === '\\') {
        inEscape = true;
      } else if (c === ']' && !inProperty) {
        if (lastWasComma) fail(`Found empty property at index ${i}`);
        break;
      } else if (c === quote) {
        if (inProperty) {
          const next = this.nextSignificantChar(i);
          if (next !== ']' && next !== ',') {
            fail(`Property must be separated by comma or Property must be terminated close square bracket at index ${i}`);
          }
          end = i;
          names.push(unescape(s.slice(start, end)));
          inProperty = false;
        } else {
          start = i + 1;
          inProperty = true;
          lastWasComma = false;
        }
      } else if (c === ',' && !inProperty) {
        if (lastWasComma) fail(`Found empty property at index ${i}`);
        lastWasComma = true;
      }
    }
    if (inProperty) fail(`Property has not been closed - missing closing ${quote}`);
    const close = this.indexOfNextSignificantChar(end, ']');
    if (close === -1) fail(`Property must be terminated close square bracket at index ${end}`);
    this.tokens.push({ kind: 'property', names });
    this.pos = close + 1;
    return true;
  }

  /** `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[:2]`, `[-2:]`. */
  private readArrayToken(): boolean {
    const s = this.s;
    const next = this.nextSignificantChar(this.pos);
    if (!isDigit(next) && next !== '-' && next !== ':') return false;
    const close = s.indexOf(']', this.pos + 1);
    if (close === -1) return false;
    const expression = s.slice(this.pos + 1, close).trim();
    if (!/^[\d,\-: ]*$/.test(expression)) return false;
    this.tokens.push(expression.includes(':') ? parseSlice(expression) : parseIndexes(expression));
    this.pos = close + 1;
    return true;
  }

  /** `*` after a dot, or `[*]`. */
  private readWildcard(): boolean {
    if (this.s[this.pos] === '[') {
      const star = this.indexOfNextSignificantChar(this.pos, '*');
      if (star === -1) return false;
      const close = this.indexOfNextSignificantChar(star, ']');
      if (close === -1) fail(`Expected wildcard token to end with ']' on position ${star + 1}`);
      this.pos = close + 1;
    } else {
      this.pos += 1;
    }
    this.tokens.push({ kind: 'wildcard' });
    return true;
  }

  /** `[?( … )]`: the criteria go to the filter compiler. */
  private readFilter(): boolean {
    const question = this.indexOfNextSignificantChar(this.pos, '?');
    if (question === -1) return false;
    const open = this.indexOfNextSignificantChar(question, '(');
    if (open === -1) return false;
    const closeParen = indexOfClosingParenthesis(this.s, open);
    if (closeParen === -1) return false;
    const close = this.indexOfNextSignificantChar(closeParen, ']');
    if (close === -1) return false;
    this.tokens.push({ kind: 'filter', predicate: compileFilter(this.s.slice(this.pos, close + 1)) });
    this.pos = close + 1;
    return true;
  }

  /** The first non-blank character after `from`. */
  private nextSignificantChar(from: number): string | undefined {
    let i = from + 1;
    while (i < this.s.length && this.s[i] === ' ') i++;
    return this.s[i];
  }

  /** Where the first non-blank character after `from` is, if it is `c`; else -1. */
  private indexOfNextSignificantChar(from: number, c: string): number {
    let i = from + 1;
    while (i < this.s.length && this.s[i] === ' ') i++;
    return this.s[i] === c ? i : -1;
  }
}

/** Jayway's ArraySliceOperation: `from:to`, either side optional, a third part ignored. */
function parseSlice(expression: string): Token {
  const parts = expression.split(':');
  const read = (i: number): number | undefined => {
    const part = parts[i]?.trim();
    if (part === undefined || part === '') return undefined;
    if (!INTEGER.test(part)) fail(`Failed to parse SliceOperation: ${expression}`);
    return Number(part);
  };
  const from = read(0);
  const to = read(1);
  if (from === undefined && to === undefined) fail(`Failed to parse SliceOperation: ${expression}`);
  return { kind: 'slice', from, to };
}

/** Jayway's ArrayIndexOperation: comma-separated integers (Java's split drops trailing empties). */
function parseIndexes(expression: string): Token {
  const parts = expression.split(',');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const indexes = parts.map((part) => {
    const trimmed = part.trim();
    if (!INTEGER.test(trimmed)) fail(`Failed to parse ArrayIndexOperation: ${expression}`);
    return Number(trimmed);
  });
  if (indexes.length === 0) fail(`Failed to parse ArrayIndexOperation: ${expression}`);
  return { kind: 'index', indexes };
}

/** The index of the character after a backslash-escaped run that closes with `c`, or -1. */
export function nextIndexOfUnescaped(s: string, from: number, c: string): number {
  let inEscape = false;
  for (let i = from + 1; i < s.length; i++) {
    if (inEscape) inEscape = false;
    else if (s[i] === '\\') inEscape = true;
    else if (s[i] === c) return i;
  }
  return -1;
}

/** The `)` matching the `(` at `open`, skipping quoted strings and /regex/ literals. */
function indexOfClosingParenthesis(s: string, open: number): number {
  let depth = 1;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === '"' || c === '/') {
      const end = nextIndexOfUnescaped(s, i, c);
      if (end === -1) fail(`Could not find matching close for ${c} when parsing : ${s}`);
      i = end;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Java-style unescaping of a quoted name or string literal. */
export function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}
