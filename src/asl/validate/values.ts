/**
 * Type and shape checks shared by every rule. The definition may be anything (validateDefinition
 * takes `unknown`), so nothing here assumes more than `typeof` tells, and objects are only ever
 * read through their own properties: a state named `constructor` must not find Object.prototype's.
 */
import { type Diagnostics, type JsonType, at, messages } from './diagnostics.js';

export type JsonRecord = Record<string, unknown>;

export function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function has(object: JsonRecord, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

export function get(object: JsonRecord, key: string): unknown {
  return has(object, key) ? object[key] : undefined;
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A JSONata field value: the whole string is one `{% ... %}` expression. */
export function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 4 && value.startsWith('{%') && value.endsWith('%}');
}

export function jsonTypeOf(value: unknown): JsonType | 'NULL' | 'OTHER' {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INTEGER' : 'NUMBER';
  if (Array.isArray(value)) return 'ARRAY';
  if (typeof value === 'object') return 'OBJECT';
  return 'OTHER';
}

/** Whether `value` has JSON type `type` (an INTEGER is also a NUMBER). */
export function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'INTEGER':
      return isInteger(value);
    case 'NUMBER':
      return isNumber(value);
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'OBJECT':
      return isObject(value);
    case 'ARRAY':
      return Array.isArray(value);
  }
}

/** Reports a type mismatch; returns whether the value has the type. */
export function checkType(d: Diagnostics, value: unknown, type: JsonType, location: string): boolean {
  if (hasType(value, type)) return true;
  d.schema(messages.expectedType(type), location);
  return false;
}

export interface Range {
  min?: number;
  max?: number;
  /** How the minimum is written in the message (`1.0` for BackoffRate). */
  minText?: string;
}

/** Reports a number outside `range`; the value must already be a number. */
export function checkRange(d: Diagnostics, value: number, range: Range, location: string): boolean {
  if (range.min !== undefined && value < range.min) {
    d.schema(messages.minimum(range.minText ?? String(range.min)), location);
    return false;
  }
  if (range.max !== undefined && value > range.max) {
    d.schema(messages.maximum(String(range.max)), location);
    return false;
  }
  return true;
}

export function checkInteger(d: Diagnostics, value: unknown, range: Range, location: string): boolean {
  return checkType(d, value, 'INTEGER', location) && checkRange(d, value as number, range, location);
}

export function checkNumber(d: Diagnostics, value: unknown, range: Range, location: string): boolean {
  return checkType(d, value, 'NUMBER', location) && checkRange(d, value as number, range, location);
}

/** An enum field, reported in the `Value should be one of the following` style. */
export function checkEnum(d: Diagnostics, value: unknown, values: readonly string[], location: string): boolean {
  if (!checkType(d, value, 'STRING', location)) return false;
  if (values.includes(value as string)) return true;
  d.schema(messages.oneOfValues(values), location);
  return false;
}

/** An enum field, reported in the `The field 'X' should have one of these values` style. */
export function checkFieldEnum(
  d: Diagnostics,
  value: unknown,
  field: string,
  values: readonly string[],
  location: string,
): boolean {
  if (!checkType(d, value, 'STRING', location)) return false;
  if (values.includes(value as string)) return true;
  d.schema(messages.fieldOneOf(field, values), location);
  return false;
}

/** Reports every field of `object` that `allowed` does not list, at the object's location. */
export function checkAllowedFields(d: Diagnostics, object: JsonRecord, allowed: ReadonlySet<string>, location: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) d.schema(messages.notSupported(key), location);
  }
}

/** Reports, in one diagnostic, the `fields` that `object` lacks. */
export function checkRequired(d: Diagnostics, object: JsonRecord, fields: readonly string[], location: string): boolean {
  const missing = fields.filter((field) => !has(object, field));
  if (missing.length === 0) return true;
  d.schema(messages.required(missing), location);
  return false;
}

/**
 * Mutually exclusive fields: more than one present is an error; none present is one too when
 * `required`. Returns the field that is present, if exactly one is.
 */
export function checkExclusive(
  d: Diagnostics,
  object: JsonRecord,
  fields: readonly string[],
  location: string,
  required = false,
): string | undefined {
  const present = fields.filter((field) => has(object, field));
  if (present.length > 1) d.schema(messages.onlyOneOf(fields), location);
  else if (present.length === 0 && required) d.schema(messages.exactlyOneOf(fields), location);
  return present.length === 1 ? present[0] : undefined;
}

/** Reads an optional string field, reporting a non-string value. */
export function optionalString(d: Diagnostics, object: JsonRecord, key: string, location: string): string | undefined {
  if (!has(object, key)) return undefined;
  const value = object[key];
  return checkType(d, value, 'STRING', at(location, key)) ? (value as string) : undefined;
}

/** Counts Unicode code points, as AWS's length limits do. */
export function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    length++;
  }
  return length;
}
