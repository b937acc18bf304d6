/**
 * JSON literals inside filters (`[?(@.size in ['S','M'])]`). Jayway hands them to json-smart in
 * its permissive mode, which takes single-quoted strings and bare keys; this reads the same.
 */
import { fail } from './syntax-error.js';
import { unescape } from './parse-path.js';
import { setOwn } from './evaluate.js';

export function parseLenientJson(text: string): unknown {
  const reader = new LenientJsonReader(text);
  const value = reader.readValue();
  reader.skipBlanks();
  if (!reader.atEnd()) fail(`Invalid JSON literal in filter: ${text}`);
  return value;
}

class LenientJsonReader {
  private pos = 0;

  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  skipBlanks(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  readValue(): unknown {
    this.skipBlanks();
    const c = this.s[this.pos];
    if (c === '[') return this.readArray();
    if (c === '{') return this.readObject();
    if (c === "'" || c === '"') return this.readString(c);
    const word = this.readWord();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(word)) return Number(word);
    return fail(`Invalid JSON literal in filter: ${this.s}`);
  }

  private readArray(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipBlanks();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.readValue());
      this.skipBlanks();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') fail(`Invalid JSON literal in filter: ${this.s}`);
    }
  }

  private readObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipBlanks();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipBlanks();
      const c = this.s[this.pos];
      const key = c === "'" || c === '"' ? this.readString(c) : this.readWord();
      if (key === '') fail(`Invalid JSON literal in filter: ${this.s}`);
      this.skipBlanks();
      if (this.s[this.pos++] !== ':') fail(`Invalid JSON literal in filter: ${this.s}`);
      setOwn(out, key, this.readValue());
      this.skipBlanks();
      const next = this.s[this.pos++];
      if (next === '}') return out;
      if (next !== ',') fail(`Invalid JSON literal in filter: ${this.s}`);
    }
  }

  private readString(quote: string): string {
    let i = this.pos + 1;
    let inEscape = false;
    for (; i < this.s.length; i++) {
      if (inEscape) inEscape = false;
      else if (this.s[i] === '\\') inEscape = true;
      else if (this.s[i] === quote) break;
    }
    if (i >= this.s.length) fail(`Invalid JSON literal in filter: ${this.s}`);
    const text = unescape(this.s.slice(this.pos + 1, i));
    this.pos = i + 1;
    return text;
  }

  /** A bare token: a number, a keyword or an unquoted key. */
  private readWord(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !/[\s,:[\]{}]/.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }
}
