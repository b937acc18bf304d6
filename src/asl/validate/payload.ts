/**
 * Templates: JSONPath payload templates (`"key.$": "$.path"`), JSONata templates (strings
 * `{% ... %}` anywhere in the value) and `Assign` blocks, which are one or the other depending on
 * the state's query language and whose keys are variable names.
 */
import type { QueryLanguage } from '../definition.js';
import { type Diagnostics, at, messages } from './diagnostics.js';
import { type JsonataScope, jsonataProblems, pathOrIntrinsicError } from './syntax.js';
import { checkType, codePointLength, isJsonataExpression, isObject } from './values.js';
import { walkJson } from './walk.js';

/** How a JSONPath template should be checked beyond its `.$` fields. */
export interface PayloadOptions {
  /** Warn (NO_DOLLAR) about plain fields whose value looks like a path or intrinsic. */
  warnNoDollar?: boolean;
}

/**
 * A JSONPath payload template: every `key.$` must hold a path or an intrinsic function call, and
 * no two keys may collide once the `.$` suffixes are removed.
 */
export function checkPayloadTemplate(d: Diagnostics, template: unknown, location: string, options: PayloadOptions = {}): void {
  walkJson(template, location, {
    object(object, here) {
      const names = new Set<string>();
      for (const key of Object.keys(object)) {
        const name = key.endsWith('.$') ? key.slice(0, -2) : key;
        if (names.has(name)) d.schema(messages.duplicateTemplateField(name), here);
        names.add(name);
      }
    },
    field(_object, key, value, where) {
      if (key.endsWith('.$')) {
        checkDynamicValue(d, key, value, where);
        return false;
      }
      if (options.warnNoDollar && typeof value === 'string' && looksDynamic(value)) {
        d.warning('NO_DOLLAR', messages.noDollar(key), where);
      }
      return true;
    },
  });
}

/** The value of a `key.$` field: a string holding a path or an intrinsic function call. */
export function checkDynamicValue(d: Diagnostics, key: string, value: unknown, location: string): void {
  if (typeof value !== 'string' || pathOrIntrinsicError(value) !== undefined) {
    d.schema(messages.invalidPathOrIntrinsic(key), location);
  }
}

/** A plain string that a `.$` was probably meant for. */
function looksDynamic(value: string): boolean {
  return value === '$' || value.startsWith('$.') || value.startsWith('$$.') || /^States\.[A-Za-z]+\(.*\)$/s.test(value);
}

/** Whether a JSONPath template contains a `.$` field anywhere. */
export function hasDynamicField(template: unknown): boolean {
  let found = false;
  walkJson(template, '', {
    field(_object, key) {
      if (key.endsWith('.$')) found = true;
      return !found;
    },
  });
  return found;
}

/**
 * A JSONata template: any JSON value; each string that is a whole `{% ... %}` expression must
 * parse, and may only read what the field it sits in provides.
 */
export function checkJsonataTemplate(d: Diagnostics, template: unknown, location: string, scope: JsonataScope = {}): void {
  walkJson(template, location, {
    string(value, where) {
      if (isJsonataExpression(value)) checkJsonataExpression(d, value, where, scope);
    },
  });
}

/** One `{% ... %}` expression. */
export function checkJsonataExpression(d: Diagnostics, expression: string, location: string, scope: JsonataScope = {}): void {
  for (const problem of jsonataProblems(expression, scope)) d.error(problem.code, problem.message, location);
}

/**
 * `Assign`: an object whose keys are variable names (in JSONPath, `name.$` takes a path or an
 * intrinsic), and whose values are templates of the state's language.
 */
export function checkAssign(
  d: Diagnostics,
  assign: unknown,
  location: string,
  language: QueryLanguage,
  scope: JsonataScope = {},
): void {
  if (!checkType(d, assign, 'OBJECT', location) || !isObject(assign)) return;
  for (const key of Object.keys(assign)) {
    const dynamic = language === 'JSONPath' && key.endsWith('.$');
    checkVariableName(d, dynamic ? key.slice(0, -2) : key, at(location, key));
  }
  if (language === 'JSONata') {
    checkJsonataTemplate(d, assign, location, scope);
  } else {
    checkPayloadTemplate(d, assign, location);
  }
}

const MAX_VARIABLE_NAME_LENGTH = 80;
// Unicode identifiers (UAX #31), as the AWS documentation describes variable names.
const VARIABLE_NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

export function checkVariableName(d: Diagnostics, name: string, location: string): void {
  if (name === 'states') {
    d.error('RESERVED_VARIABLE_NAME', messages.reservedVariable(name), location);
  } else if (!VARIABLE_NAME.test(name)) {
    d.error('INVALID_VARIABLE_NAME', messages.invalidVariableName(name), location);
  } else if (codePointLength(name) > MAX_VARIABLE_NAME_LENGTH) {
    d.error('INVALID_VARIABLE_NAME', messages.variableNameTooLong(name), location);
  }
}
