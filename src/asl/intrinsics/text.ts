/** States.StringSplit and the JSON conversions: States.StringToJson, States.JsonToString, States.JsonMerge. */
import { invalidArguments } from './failure.js';
import { javaHashMapMerge, javaToString } from './java.js';

/**
 * java.util.StringTokenizer semantics: every character of the delimiter string is a delimiter,
 * and empty tokens are dropped (",a,,b," gives ["a", "b"]; "" gives []).
 */
export function stringSplit([input, delimiters]: unknown[]): string[] {
  if (typeof input !== 'string' || typeof delimiters !== 'string') throw invalidArguments('States.StringSplit');
  const out: string[] = [];
  let start = 0;
  if (delimiters.length === 1) {
    for (let i = input.indexOf(delimiters); i !== -1; i = input.indexOf(delimiters, start)) {
      if (i > start) out.push(input.slice(start, i));
      start = i + 1;
    }
  } else {
    for (let i = 0; i < input.length; i++) {
      if (!delimiters.includes(input[i]!)) continue;
      if (i > start) out.push(input.slice(start, i));
      start = i + 1;
    }
  }
  if (start < input.length) out.push(input.slice(start));
  return out;
}

/** Blank text parses to null (observed on AWS); anything else must be one JSON document. */
export function stringToJson([text]: unknown[]): unknown {
  if (typeof text !== 'string') throw invalidArguments('States.StringToJson');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw invalidArguments('States.StringToJson');
  }
}

export function jsonToString([value]: unknown[]): string {
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Shallow merge: the second object's top-level values win. Only the shallow mode exists, so a
 * third argument that reads as `true` is rejected; any other value (even the string "false") merges.
 * AWS builds the result in a java.util.HashMap, so its keys come in hash order ({b, a} + {c} gives
 * a, b, c), which shows whenever the object is printed.
 */
export function jsonMerge([left, right, deep]: unknown[]): Record<string, unknown> {
  if (!isPlainObject(left) || !isPlainObject(right) || javaToString(deep) === 'true') {
    throw invalidArguments('States.JsonMerge');
  }
  return javaHashMapMerge(left, right);
}
