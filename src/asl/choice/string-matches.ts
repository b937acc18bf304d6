/**
 * `StringMatches` patterns: `*` matches any run of characters (including none); every other
 * character stands for itself. `\*` is a literal asterisk and `\\` a literal backslash (in the
 * JSON definition these are written `"\\*"` and `"\\\\"`). A backslash before any other
 * character, or at the end, is an ordinary character.
 *
 * The pattern is split once into its literal pieces; matching is then a prefix test, a suffix
 * test and left-to-right `indexOf` searches, which is exact for `*`-only globs and needs no regex.
 */

export type WildcardMatcher = (text: string) => boolean;

const STAR = '*';
const BACKSLASH = '\\';

/** The literal pieces between unescaped `*`s, in order (so n stars give n + 1 pieces). */
export function splitWildcardPattern(pattern: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === BACKSLASH) {
      const next = pattern[i + 1];
      if (next === STAR || next === BACKSLASH) {
        current += next;
        i++;
        continue;
      }
      current += ch;
    } else if (ch === STAR) {
      pieces.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  pieces.push(current);
  return pieces;
}

export function compileWildcardPattern(pattern: string): WildcardMatcher {
  const pieces = splitWildcardPattern(pattern);
  if (pieces.length === 1) {
    const literal = pieces[0]!;
    return (text) => text === literal;
  }
  const head = pieces[0]!;
  const tail = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  const minLength = head.length + tail.length;
  return (text) => {
    if (text.length < minLength || !text.startsWith(head) || !text.endsWith(tail)) return false;
    // Leftmost placement of each middle piece leaves the most room for the ones after it.
    let from = head.length;
    const end = text.length - tail.length;
    for (const piece of middle) {
      const at = text.indexOf(piece, from);
      if (at < 0 || at + piece.length > end) return false;
      from = at + piece.length;
    }
    return true;
  };
}
