/**
 * Turns what jsonata returns into the JSON value Step Functions would hold:
 * - JSONata sequences (arrays carrying `sequence`/`keepSingleton` flags) become plain arrays;
 * - a non-finite number becomes the string JavaScript names it by (`1/0` is "Infinity"), which
 *   is what AWS writes since JSON has no literal for it;
 * - a function (lambda, built-in, regex) has no JSON form and is reported to the caller.
 * Values are copied only where something changes, so a result that is already JSON (the common
 * case: `$states.input.x`) is returned as is and may share structure with the bindings.
 */

/** Thrown (internally) when a result holds a function. */
export const UNSUPPORTED = Symbol('unsupported JSONata result');

export function toJsonResult(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : nonFiniteName(value);
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return arrayToJson(value);
      if (isJsonataFunction(value)) throw UNSUPPORTED;
      return objectToJson(value as Record<string, unknown>);
    case 'undefined':
      return undefined;
    default:
      // functions, and anything else JSON cannot hold
      throw UNSUPPORTED;
  }
}

function nonFiniteName(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

function isJsonataFunction(value: object): boolean {
  const marked = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marked._jsonata_lambda === true || marked._jsonata_function === true;
}

/**
 * Flags jsonata hangs on arrays it builds. Left on a value the engine keeps (a variable, say) they
 * would change how a later expression navigates it, where AWS would hold plain JSON.
 */
const JSONATA_ARRAY_FLAGS = ['sequence', 'keepSingleton', 'outerWrapper', 'tupleStream', 'cons'];

function hasJsonataFlags(array: unknown[]): boolean {
  for (const flag of JSONATA_ARRAY_FLAGS) if (Object.prototype.hasOwnProperty.call(array, flag)) return true;
  return false;
}

function arrayToJson(array: unknown[]): unknown[] {
  let copy: unknown[] | undefined = hasJsonataFlags(array) ? array.slice() : undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    let converted = toJsonResult(item);
    if (converted === undefined) converted = null; // as JSON.stringify writes a hole
    if (converted !== item) (copy ??= array.slice())[i] = converted;
  }
  return copy ?? array;
}

function objectToJson(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const item = object[key];
    const converted = toJsonResult(item);
    if (converted === item) continue;
    copy ??= { ...object };
    if (converted === undefined) delete copy[key];
    else copy[key] = converted;
  }
  return copy ?? object;
}
