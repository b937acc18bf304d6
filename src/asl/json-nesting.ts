/**
 * How deeply JSON text nests. Jackson, which AWS parses JSON with, refuses documents nested
 * deeper than 1000 levels; so does Stepwise, wherever JSON comes in (API payloads, recordings),
 * which also keeps every later JSON.parse and JSON.stringify of it within the stack.
 */
export const MAX_JSON_NESTING = 1000;

/**
 * The deepest nesting of [ and { outside strings, in any text (JSON or not); counting stops
 * once it passes `stopAbove`, so a hostile document costs no more than needed to refuse it.
 */
export function jsonNestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}
