/**
 * What a path or expression can see while a state runs: the state's effective input (`$`),
 * the context object (`$$`) and the variables in scope (`$name`, JSONPath and JSONata alike).
 */
export interface Scope {
  /** The value `$` refers to. */
  readonly input: unknown;
  /** The context object, `$$` in JSONPath and `$states.context` in JSONata. */
  readonly context: unknown;
  /** Variables visible to the state, looked up by name (without the `$`). */
  readonly variables: VariableLookup;
}

export interface VariableLookup {
  has(name: string): boolean;
  get(name: string): unknown;
}

export const noVariables: VariableLookup = {
  has: () => false,
  get: () => undefined,
};

/** A deep JSON clone that is faster than structuredClone for plain JSON data. */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}

/** The outcome of looking a path up: JSONPath distinguishes "no value" from a value of null. */
export type PathResult = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** Looks a path (`$.a`, `$$.Execution.Id`, `$var.field`) up in the current scope. */
export type PathQuery = (path: string) => PathResult;
