/**
 * Regular expressions written by users (JSONPath `=~` filters, JSONata's `$match`, `$replace`,
 * `$contains`, `$split`), run without catastrophic backtracking.
 *
 * V8's regular expressions backtrack: `^(a+)+$` against 30 `a`s and a `b` takes seconds, and
 * every further `a` doubles it. V8 also has a linear-time engine, and with
 * `--enable-experimental-regexp-engine-on-excessive-backtracks` (set once per process by
 * src/regexp-engine.ts) a match that backtracks too much is finished by that engine instead, at
 * no cost to patterns that do not backtrack. The linear engine does not take every pattern; in
 * Node 20's V8 it refuses (then the backtracking goes on):
 * - the flags `i` and `u` (only `g`, `m`, `s`, `y`);
 * - backreferences and lookaround;
 * - bounded repetitions that would copy their body more than 16 times (`x{1,20}`, `(a+){10}`).
 *
 * This module widens what the linear engine takes and bounds what it cannot:
 * - `i` is rewritten away: every letter becomes the class of the characters it matches without
 *   case (`a` → `[aA]`, `[a-c]` → `[a-cA-C]`), computed with the language's own case rule for
 *   non-Unicode patterns, so the rewritten pattern matches exactly what the original matched.
 * - A pattern the linear engine still cannot take is refused when it has the shape that makes
 *   backtracking exponential: an unbounded repetition inside another (`(a+)+`, `(\w+\s?)*`),
 *   here together with a backreference, a lookaround or a large bounded repetition. AWS would
 *   run such a pattern (Jayway's `=~` is Java's regex, JSONata runs on JavaScript), so this is a
 *   departure, chosen because the alternative is a thread held for hours. Other patterns the
 *   linear engine cannot take (polynomial backtracking, e.g. `(a|aa){1,100}` or a lookahead
 *   with `.*x.*x.*x`) are left to the runtime's wall-clock limit on a decision, which fails the
 *   execution instead of holding the thread.
 *
 * A pattern this module cannot read (it never happens for a valid one, but it is untrusted
 * text) is run as written.
 */

/** What a caller runs: the pattern to compile, or why it is refused. */
export type GuardedPattern = { readonly source: string; readonly flags: string } | { readonly refused: string };

/** V8's linear engine copies a bounded repetition's body; it gives up beyond this many copies. */
const MAX_REPLICATION = 16;
const LINEAR_FLAGS = new Set(['g', 'm', 's', 'y']);
/** Characters a case-insensitive pattern's classes may span before it is run as written instead. */
const MAX_FOLDED_CLASS_CHARACTERS = 1 << 20;

const guarded = new Map<string, GuardedPattern>();
const MAX_CACHED = 10_000;

/** The pattern to run for `source` with `flags` (cached: the same literals come back every evaluation). */
export function guardPattern(source: string, flags: string): GuardedPattern {
  const key = `${flags}/${source}`;
  let result = guarded.get(key);
  if (result === undefined) {
    result = guardUncached(source, flags);
    if (guarded.size >= MAX_CACHED) guarded.clear();
    guarded.set(key, result);
  }
  return result;
}

function guardUncached(source: string, flags: string): GuardedPattern {
  try {
    return guardReadable(source, flags, new PatternReader(source).read());
  } catch {
    // Unreadable, or nested too deeply for this reader's recursion (a RangeError).
    return { source, flags };
  }
}

function guardReadable(source: string, flags: string, tree: Disjunction): GuardedPattern {
  let out = { source, flags };
  if (flags.includes('i') && !flags.includes('u') && !flags.includes('v') && !tree.hasBackreference && classCharacters(tree.alternatives) <= MAX_FOLDED_CLASS_CHARACTERS) {
    out = { source: printDisjunction(tree.alternatives, true), flags: flags.replace('i', '') };
  }
  if (linearEngineTakes(tree, out.flags)) return out;
  if (hasNestedUnboundedRepetition(tree.alternatives, false)) {
    return {
      refused:
        `The regular expression /${source.length > 200 ? `${source.slice(0, 200)}…` : source}/${flags} is refused: it repeats an unbounded repetition (such as (a+)+) and also uses ` +
        'a backreference, a lookaround or a large bounded repetition, so matching it could take exponential time.',
    };
  }
  return out;
}

// ------------------------------------------------------------------ the pattern's structure

/** Characters as UTF-16 code unit ranges, inclusive. */
type Ranges = Array<[number, number]>;

type Term =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: Ranges; readonly escapes: string }
  /** Text copied as written: assertions, `.`, `\d` and the like, backreferences. */
  | { readonly kind: 'raw'; readonly text: string }
  | { readonly kind: 'group'; readonly open: string; readonly lookaround: boolean; readonly body: Term[][] }
  | { readonly kind: 'repeat'; readonly body: Term; readonly min: number; readonly max: number; readonly suffix: string };

interface Disjunction {
  readonly alternatives: Term[][];
  readonly hasBackreference: boolean;
}

/** A pattern this reader does not follow; it is then run as written. */
class Unreadable extends Error {}

/** Reads a non-Unicode JavaScript pattern (with the web-compatibility syntax of Annex B). */
class PatternReader {
  private pos = 0;
  private backreference = false;

  constructor(private readonly s: string) {}

  read(): Disjunction {
    const alternatives = this.disjunction();
    if (this.pos !== this.s.length) throw new Unreadable();
    return { alternatives, hasBackreference: this.backreference };
  }

  private disjunction(): Term[][] {
    const alternatives = [this.alternative()];
    while (this.s[this.pos] === '|') {
      this.pos++;
      alternatives.push(this.alternative());
    }
    return alternatives;
  }

  private alternative(): Term[] {
    const terms: Term[] = [];
    while (this.pos < this.s.length && this.s[this.pos] !== '|' && this.s[this.pos] !== ')') {
      terms.push(this.repetition(this.atom()));
    }
    return terms;
  }

  private repetition(atom: Term): Term {
    const c = this.s[this.pos];
    let min: number;
    let max: number;
    const begin = this.pos;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.pos));
      if (!match) return atom;
      this.pos += match[0].length;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
    } else {
      return atom;
    }
    if (this.s[this.pos] === '?') this.pos++;
    return { kind: 'repeat', body: atom, min, max, suffix: this.s.slice(begin, this.pos) };
  }

  private atom(): Term {
    const c = this.s[this.pos]!;
    switch (c) {
      case '^':
      case '$':
      case '.':
        this.pos++;
        return { kind: 'raw', text: c };
      case '\\':
        return this.atomEscape();
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '*':
      case '+':
      case '?':
        throw new Unreadable(); // nothing to repeat: not a valid pattern
      case '{':
        if (/^\{\d+(,\d*)?\}/.test(this.s.slice(this.pos))) throw new Unreadable();
        this.pos++;
        return { kind: 'char', code: 0x7b };
      default:
        this.pos++;
        return { kind: 'char', code: c.charCodeAt(0) };
    }
  }

  private group(): Term {
    const rest = this.s.slice(this.pos);
    const prefix = /^\((\?:|\?=|\?!|\?<=|\?<!|\?<[\p{L}\p{N}_$]+>)?/u.exec(rest)![0];
    this.pos += prefix.length;
    const body = this.disjunction();
    if (this.s[this.pos] !== ')') throw new Unreadable();
    this.pos++;
    const lookaround = prefix === '(?=' || prefix === '(?!' || prefix === '(?<=' || prefix === '(?<!';
    return { kind: 'group', open: prefix, lookaround, body };
  }

  private atomEscape(): Term {
    const next = this.s[this.pos + 1];
    if (next === undefined) throw new Unreadable();
    if ('bBdDwWsS'.includes(next)) {
      this.pos += 2;
      return { kind: 'raw', text: `\\${next}` };
    }
    if (next >= '1' && next <= '9') {
      // A backreference (Annex B reads it as an octal escape when there are fewer groups).
      const digits = /^\d+/.exec(this.s.slice(this.pos + 1))![0];
      this.pos += 1 + digits.length;
      this.backreference = true;
      return { kind: 'raw', text: `\\${digits}` };
    }
    if (next === 'k' && this.s[this.pos + 2] === '<') {
      const close = this.s.indexOf('>', this.pos);
      if (close < 0) throw new Unreadable();
      const text = this.s.slice(this.pos, close + 1);
      this.pos = close + 1;
      this.backreference = true;
      return { kind: 'raw', text };
    }
    return { kind: 'char', code: this.characterEscape(false) };
  }

  /** A character escape at `\`, in a class or not: the character it stands for. */
  private characterEscape(inClass: boolean): number {
    const next = this.s[this.pos + 1]!;
    const rest = this.s.slice(this.pos + 2);
    this.pos += 2;
    switch (next) {
      case 'f':
        return 0x0c;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'v':
        return 0x0b;
      case 'c': {
        const control = inClass ? /^[A-Za-z0-9_]/.exec(rest) : /^[A-Za-z]/.exec(rest);
        if (!control) throw new Unreadable(); // `\c` alone is a literal backslash: not followed here
        this.pos++;
        return control[0].charCodeAt(0) % 32;
      }
      case 'x': {
        const hex = /^[0-9A-Fa-f]{2}/.exec(rest);
        if (!hex) return 0x78; // `\x` without two hex digits is the letter x
        this.pos += 2;
        return parseInt(hex[0], 16);
      }
      case 'u': {
        const hex = /^[0-9A-Fa-f]{4}/.exec(rest);
        if (!hex) return 0x75;
        this.pos += 4;
        return parseInt(hex[0], 16);
      }
      case '0': {
        // `\0`, or a legacy octal escape such as `\012`.
        const octal = /^[0-7]{0,2}/.exec(rest)![0];
        const value = parseInt(`0${octal}`, 8);
        this.pos += octal.length;
        return value;
      }
      default:
        if (inClass && next >= '1' && next <= '7') {
          const octal = /^[0-7]{0,2}/.exec(rest)![0];
          let digits = next + octal;
          if (parseInt(digits, 8) > 0o377) digits = digits.slice(0, 2);
          this.pos += digits.length - 1;
          return parseInt(digits, 8);
        }
        // An identity escape: `\.`, `\/`, and in non-Unicode patterns any letter (`\p` is `p`).
        return next.charCodeAt(0);
    }
  }

  private characterClass(): Term {
    this.pos++;
    const negated = this.s[this.pos] === '^';
    if (negated) this.pos++;
    const ranges: Ranges = [];
    let escapes = '';
    while (this.s[this.pos] !== ']') {
      if (this.pos >= this.s.length) throw new Unreadable();
      const from = this.classAtom();
      if (this.s[this.pos] === '-' && this.s[this.pos + 1] !== ']' && this.pos + 1 < this.s.length) {
        const save = this.pos;
        this.pos++;
        const to = this.classAtom();
        if (typeof from === 'number' && typeof to === 'number') {
          if (from > to) throw new Unreadable();
          ranges.push([from, to]);
          continue;
        }
        // `[\d-z]`: Annex B reads a class escape beside `-` as a union with a literal `-`.
        this.pos = save + 1;
        ranges.push([0x2d, 0x2d]);
        if (typeof from === 'number') ranges.push([from, from]);
        else escapes += from.escape;
        continue;
      }
      if (typeof from === 'number') ranges.push([from, from]);
      else escapes += from.escape;
    }
    this.pos++;
    return { kind: 'class', negated, ranges, escapes };
  }

  /** One character of a class, or a class escape (`\d`, `\w`, `\s` and their negations). */
  private classAtom(): number | { escape: string } {
    const c = this.s[this.pos]!;
    if (c !== '\\') {
      this.pos++;
      return c.charCodeAt(0);
    }
    const next = this.s[this.pos + 1];
    if (next === undefined) throw new Unreadable();
    if ('dDwWsS'.includes(next)) {
      this.pos += 2;
      return { escape: `\\${next}` };
    }
    if (next === 'b') {
      this.pos += 2;
      return 0x08;
    }
    if (next === '-') {
      this.pos += 2;
      return 0x2d;
    }
    return this.characterEscape(true);
  }
}

// ------------------------------------------------------------------ what the linear engine takes

/** Node 20's V8 (`ExperimentalRegExp::CanBeHandled`), approximated on the safe side. */
function linearEngineTakes(tree: Disjunction, flags: string): boolean {
  for (const flag of flags) if (!LINEAR_FLAGS.has(flag)) return false;
  if (tree.hasBackreference) return false;
  return alternativesTaken(tree.alternatives, 1);
}

function alternativesTaken(alternatives: readonly Term[][], replication: number): boolean {
  return alternatives.every((terms) => terms.every((term) => termTaken(term, replication)));
}

function termTaken(term: Term, replication: number): boolean {
  switch (term.kind) {
    case 'group':
      return !term.lookaround && alternativesTaken(term.body, replication);
    case 'repeat': {
      if (term.min > MAX_REPLICATION || (term.max !== Infinity && term.max > MAX_REPLICATION)) return false;
      const local = term.max === Infinity ? term.min + 1 : term.max;
      const total = replication * Math.max(local, 1);
      return total <= MAX_REPLICATION && termTaken(term.body, total);
    }
    default:
      return true;
  }
}

/** `(a+)+`, `(\w+\s?)*`, `(.*x)*`: an unbounded repetition inside an unbounded repetition. */
function hasNestedUnboundedRepetition(alternatives: readonly Term[][], insideUnbounded: boolean): boolean {
  return alternatives.some((terms) => terms.some((term) => termHasNested(term, insideUnbounded)));
}

function termHasNested(term: Term, insideUnbounded: boolean): boolean {
  if (term.kind === 'group') return hasNestedUnboundedRepetition(term.body, insideUnbounded);
  if (term.kind !== 'repeat') return false;
  if (term.max === Infinity) {
    if (insideUnbounded) return true;
    return termHasNested(term.body, true);
  }
  return termHasNested(term.body, insideUnbounded);
}

// ------------------------------------------------------------------ printing, with `i` folded

/** How many characters the classes of a pattern span, which is the work of folding them. */
function classCharacters(alternatives: readonly Term[][]): number {
  let total = 0;
  const visit = (term: Term): void => {
    if (term.kind === 'class') for (const [from, to] of term.ranges) total += to - from + 1;
    else if (term.kind === 'group') for (const terms of term.body) terms.forEach(visit);
    else if (term.kind === 'repeat') visit(term.body);
  };
  for (const terms of alternatives) terms.forEach(visit);
  return total;
}

function printDisjunction(alternatives: readonly Term[][], fold: boolean): string {
  return alternatives.map((terms) => terms.map((term) => printTerm(term, fold)).join('')).join('|');
}

function printTerm(term: Term, fold: boolean): string {
  switch (term.kind) {
    case 'raw':
      return term.text;
    case 'char': {
      const same = fold ? caseVariants(term.code) : [term.code];
      return same.length === 1 ? escapeCode(term.code) : `[${same.map(escapeCode).join('')}]`;
    }
    case 'class': {
      const ranges = fold ? foldRanges(term.ranges) : term.ranges;
      return `[${term.negated ? '^' : ''}${term.escapes}${ranges.map(([a, b]) => (a === b ? escapeCode(a) : `${escapeCode(a)}-${escapeCode(b)}`)).join('')}]`;
    }
    case 'group':
      return `${term.open}${printDisjunction(term.body, fold)})`;
    case 'repeat':
      return `${printTerm(term.body, fold)}${term.suffix}`;
  }
}

function escapeCode(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Case folding of non-Unicode patterns (ECMAScript's Canonicalize without the `u` flag): a
 * character is upper-cased when that gives exactly one code unit, except that a non-ASCII
 * character never folds onto an ASCII one. Two characters match each other under `i` when they
 * canonicalize alike. Built once, on the first case-insensitive pattern.
 */
let canonical: Uint16Array | undefined;
let variantsByCanonical: Map<number, number[]> | undefined;

function canonicalTable(): Uint16Array {
  if (canonical) return canonical;
  const table = new Uint16Array(0x10000);
  const groups = new Map<number, number[]>();
  for (let ch = 0; ch < 0x10000; ch++) {
    const upper = String.fromCharCode(ch).toUpperCase();
    let cu = upper.length === 1 ? upper.charCodeAt(0) : ch;
    if (ch >= 128 && cu < 128) cu = ch;
    table[ch] = cu;
    if (cu !== ch || groups.has(cu)) {
      const group = groups.get(cu) ?? [cu];
      if (cu !== ch) group.push(ch);
      groups.set(cu, group);
    }
  }
  canonical = table;
  variantsByCanonical = groups;
  return table;
}

/** Every character that matches `code` under `i`, in ascending order (`code` alone when none other). */
function caseVariants(code: number): number[] {
  const table = canonicalTable();
  const group = variantsByCanonical!.get(table[code]!);
  if (!group) return [code];
  return [...new Set(group)].sort((a, b) => a - b);
}

/** A class's ranges closed under case variants, merged. */
function foldRanges(ranges: Ranges): Ranges {
  const table = canonicalTable();
  const codes: number[] = [];
  for (const [from, to] of ranges) {
    for (let ch = from; ch <= to; ch++) {
      codes.push(ch);
      const group = variantsByCanonical!.get(table[ch]!);
      if (group) codes.push(...group);
    }
  }
  codes.sort((a, b) => a - b);
  const merged: Ranges = [];
  for (const code of codes) {
    const last = merged[merged.length - 1];
    if (last && code <= last[1] + 1) last[1] = Math.max(last[1], code);
    else merged.push([code, code]);
  }
  return merged;
}
