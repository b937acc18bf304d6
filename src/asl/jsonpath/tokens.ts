/**
 * The compiled form of a JSONPath path, token by token as Jayway JsonPath (the library AWS Step
 * Functions evaluates JSONPath with) models it, so that evaluation follows Jayway's rules and its
 * error messages can be rebuilt from the tokens.
 */

/** A filter's test of one candidate (`@`), with `$` inside the filter bound to `root`. */
export type FilterPredicate = (item: unknown, root: unknown) => boolean;

/** The zero-argument path functions of Jayway (`$.list.length()`). */
export type PathFunctionName = 'length' | 'min' | 'max' | 'avg' | 'stddev' | 'sum' | 'keys' | 'first' | 'last';

export type Token =
  /** `.a`, `['a']`, or `['a','b']` (several names: merged into one object when last). */
  | { readonly kind: 'property'; readonly names: readonly string[] }
  /** `[0]`, `[-1]`, or `[0,2]` (several indexes: indefinite). */
  | { readonly kind: 'index'; readonly indexes: readonly number[] }
  /** `[1:3]`, `[:2]`, `[-2:]`. */
  | { readonly kind: 'slice'; readonly from: number | undefined; readonly to: number | undefined }
  /** `.*` or `[*]`. */
  | { readonly kind: 'wildcard' }
  /** `..`, always followed by another token. */
  | { readonly kind: 'scan' }
  /** `[?(…)]`. */
  | { readonly kind: 'filter'; readonly predicate: FilterPredicate }
  /** `.length()` and friends; only ever the last token. */
  | { readonly kind: 'function'; readonly name: PathFunctionName };

/** What follows the root (`$`, `$$`, `$name`, or `@` inside filters). */
export interface PathBody {
  readonly tokens: readonly Token[];
  /** Jayway's "definite path": selects at most one node, so it yields a value, not a list. */
  readonly definite: boolean;
  /** Per token: whether every token before it is definite (Jayway only throws on such tokens). */
  readonly upstreamDefinite: readonly boolean[];
  /**
   * `$..x.length()`: Jayway applies a function that follows a leading deep scan to the whole list
   * of matches (`length($..x)`), which makes the path definite. `tokens` then excludes the function.
   */
  readonly aggregate?: PathFunctionName;
}

/** Whether Jayway counts a token as selecting at most one node. */
export function isTokenDefinite(token: Token): boolean {
  switch (token.kind) {
    // Jayway (the version AWS runs) treats several names as definite: merged when last, an
    // error ("Multi properties can only be used as path leafs") anywhere else.
    case 'property':
    case 'function':
      return true;
    case 'index':
      return token.indexes.length === 1;
    default:
      return false;
  }
}

/** Jayway's rendering of a token in paths it prints (`['a']`, `[0]`, `[*]`, `..`). */
export function tokenFragment(token: Token): string {
  switch (token.kind) {
    case 'property':
      return `[${token.names.map((name) => `'${name}'`).join(', ')}]`;
    case 'index':
      return `[${token.indexes.join(',')}]`;
    case 'slice':
      return `[${token.from ?? ''}:${token.to ?? ''}]`;
    case 'wildcard':
      return '[*]';
    case 'scan':
      return '..';
    case 'filter':
      return '[?]';
    case 'function':
      return `.${token.name}()`;
  }
}

/** `$` followed by the fragments of `tokens[from, to)`. */
export function renderPath(tokens: readonly Token[], to: number = tokens.length, from = 0): string {
  let out = from === 0 ? '$' : '';
  for (let i = from; i < to; i++) out += tokenFragment(tokens[i]!);
  return out;
}
