/**
 * Finds where a JSON pointer (`/States/Foo/Next`) is in a JSON text, so a validation problem
 * can be marked at its line (the console's editor, `stepwise validate --format json|github`). The scan is tolerant: text after a syntax error is not indexed,
 * and a pointer that does not exist resolves to its deepest existing ancestor (a missing
 * `Next` is marked on the state that lacks it).
 */

export interface TextRange {
  readonly from: number;
  readonly to: number;
}

interface Entry {
  /** The property name (with its quotes), for object members. */
  readonly key?: TextRange;
  readonly value: TextRange;
}

export class JsonPositions {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly text: string) {
    try {
      new Scanner(text, this.entries).document();
    } catch {
      // A syntax error: keep what was indexed before it.
    }
  }

  /** The range to mark for a pointer: the member's name when it has one, else its value. */
  locate(pointer: string): TextRange | undefined {
    let path = normalise(pointer);
    for (;;) {
      const entry = this.entries.get(path);
      if (entry) return entry.key ?? firstLine(this.text, entry.value);
      if (path === '') return undefined;
      path = path.slice(0, path.lastIndexOf('/'));
    }
  }
}

/** Validation locations write array items AWS's way (`/Choices[0]/Next`); make them pointers. */
function normalise(pointer: string): string {
  const trimmed = pointer.trim().replace(/\[(\d+)\]/g, '/$1');
  if (trimmed === '' || trimmed === '/') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** A multi-line value is marked on its first line only. */
function firstLine(text: string, range: TextRange): TextRange {
  const newline = text.indexOf('\n', range.from);
  return newline === -1 || newline >= range.to ? range : { from: range.from, to: newline };
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

class Scanner {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  document(): void {
    const from = this.skip();
    const value = this.value('');
    this.entries.set('', { value: { from, to: value } });
  }

  /** Reads a value at the current position; returns where it ends. */
  private value(path: string): number {
    this.skip();
    const c = this.text[this.pos];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') {
      this.string();
      return this.pos;
    }
    const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) throw new SyntaxError(`Unexpected character at ${this.pos}`);
    this.pos += match[0].length;
    return this.pos;
  }

  private object(path: string): number {
    this.pos++;
    this.skip();
    if (this.text[this.pos] === '}') return ++this.pos;
    for (;;) {
      this.skip();
      const keyFrom = this.pos;
      const name = this.string();
      const keyTo = this.pos;
      this.skip();
      if (this.text[this.pos] !== ':') throw new SyntaxError('Expected :');
      this.pos++;
      const valueFrom = this.skip();
      const childPath = `${path}/${escapePointerToken(name)}`;
      const valueTo = this.value(childPath);
      this.entries.set(childPath, { key: { from: keyFrom, to: keyTo }, value: { from: valueFrom, to: valueTo } });
      this.skip();
      const c = this.text[this.pos++];
      if (c === '}') return this.pos;
      if (c !== ',') throw new SyntaxError('Expected , or }');
    }
  }

  private array(path: string): number {
    this.pos++;
    this.skip();
    if (this.text[this.pos] === ']') return ++this.pos;
    for (let index = 0; ; index++) {
      const valueFrom = this.skip();
      const childPath = `${path}/${index}`;
      const valueTo = this.value(childPath);
      this.entries.set(childPath, { value: { from: valueFrom, to: valueTo } });
      this.skip();
      const c = this.text[this.pos++];
      if (c === ']') return this.pos;
      if (c !== ',') throw new SyntaxError('Expected , or ]');
    }
  }

  /** Reads a string literal; returns its decoded value. */
  private string(): string {
    if (this.text[this.pos] !== '"') throw new SyntaxError('Expected a string');
    const start = this.pos;
    this.pos++;
    let simple = true;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') throw new SyntaxError('Unterminated string');
      if (c === '\\') {
        simple = false;
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === '"') break;
    }
    const raw = this.text.slice(start, this.pos);
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  }

  private skip(): number {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
    return this.pos;
  }
}

/**
 * The text position of a Jackson-style location (`line: 3, column: 7`) as ValidateStateMachine
 * Definition reports JSON syntax errors, or of V8's `at position 42`.
 */
export function locateSyntaxError(text: string, message: string): TextRange | undefined {
  const lineColumn = [...message.matchAll(/line:? (\d+),? column:? (\d+)/gi)].pop();
  let offset: number | undefined;
  if (lineColumn) {
    const line = Number(lineColumn[1]);
    const column = Number(lineColumn[2]);
    let start = 0;
    for (let l = 1; l < line; l++) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      start = newline + 1;
    }
    offset = Math.min(text.length, start + Math.max(0, column - 1));
  } else {
    const position = /at position (\d+)/.exec(message);
    if (position) offset = Math.min(text.length, Number(position[1]));
  }
  if (offset === undefined) return undefined;
  const from = Math.max(0, Math.min(offset, text.length - 1));
  return { from, to: Math.min(text.length, from + 1) };
}

/** A diagnostic as validation reports it (the parts that place it). */
export interface PlacedDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly location?: string;
}

/**
 * Where a validation problem is in the definition's text: a JSON syntax error by the line and
 * column its message gives, any other by its JSON pointer; the first character when neither
 * places it.
 */
export function locateDiagnostic(text: string, positions: JsonPositions, d: PlacedDiagnostic): TextRange {
  const range = d.code === 'INVALID_JSON_DESCRIPTION' ? locateSyntaxError(text, `${d.message} ${d.location ?? ''}`) : d.location !== undefined ? positions.locate(d.location) : undefined;
  return range ?? { from: 0, to: Math.min(1, text.length) };
}

/** The 1-based line and column of a text offset. */
export function lineAndColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** A diagnostic's message without what a JSON syntax error's repeats of the text (Jackson's source excerpt). */
export function conciseMessage(d: PlacedDiagnostic): string {
  if (d.code !== 'INVALID_JSON_DESCRIPTION') return d.message;
  return d.message.replace(/\s*at \[Source:[\s\S]*$/, '').replace(/\s*\(start marker at[\s\S]*$/, '');
}
