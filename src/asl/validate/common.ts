/**
 * Checks of the fields several state types share: paths, numbers that JSONata may compute,
 * payload templates, Arguments, Output and the result fields.
 */
import type { StateContext } from './context.js';
import { type Diagnostics, at, messages } from './diagnostics.js';
import { uses } from './fields.js';
import { checkAssign, checkJsonataExpression, checkJsonataTemplate, checkPayloadTemplate } from './payload.js';
import { type JsonataScope, intrinsicError, isValidReferencePath, pathError } from './syntax.js';
import { type Range, checkInteger, checkNumber, checkType, has, isJsonataExpression } from './values.js';

/** Whether the state has `field` and it applies (right type, right language). */
export function stateUses(sc: StateContext, field: string): boolean {
  return uses(sc.type, sc.language, sc.state, field);
}

/** A path (InputPath, OutputPath): `null`, or any JSONPath, wildcards and filters included. */
export function checkPath(d: Diagnostics, value: unknown, field: string, location: string, nullable: boolean): void {
  if (value === null && nullable) return;
  if (!checkType(d, value, 'STRING', location)) return;
  if (pathError(value as string) !== undefined) d.schema(messages.invalidJsonPath(field), location);
}

/**
 * A reference path (ItemsPath, SecondsPath, Choice Variable, …): a path selecting one node, which
 * may start from the context object (`$$`) or a variable (`$name`).
 */
export function checkReferencePath(d: Diagnostics, value: unknown, location: string): boolean {
  if (!checkType(d, value, 'STRING', location)) return false;
  const text = value as string;
  if (!text.startsWith('$')) {
    d.schema(messages.referencePathNoDollar, location);
    return false;
  }
  if (!isValidReferencePath(text)) {
    d.schema(messages.notReferencePath, location);
    return false;
  }
  return true;
}

/** ResultPath: `null`, or a reference path into the state input (not `$$`, not a variable). */
export function checkResultPath(d: Diagnostics, value: unknown, location: string): void {
  if (value === null) return;
  if (!checkReferencePath(d, value, location)) return;
  const text = value as string;
  if (!(text === '$' || text.startsWith('$.') || text.startsWith('$['))) d.schema(messages.notReferencePath, location);
}

/** ErrorPath, CausePath: a reference path or an intrinsic function call. */
export function checkPathOrIntrinsic(d: Diagnostics, value: unknown, field: string, location: string): void {
  if (!checkType(d, value, 'STRING', location)) return;
  const text = value as string;
  const valid = text.startsWith('States.') ? intrinsicError(text) === undefined : isValidReferencePath(text);
  if (!valid) d.schema(messages.invalidPathOrIntrinsic(field), location);
}

/** A numeric field that a JSONata state may compute with an expression instead. */
export function checkNumberField(
  sc: StateContext,
  container: Record<string, unknown>,
  field: string,
  location: string,
  range: Range,
  integer: boolean,
): void {
  const value = container[field];
  const where = at(location, field);
  if (sc.language === 'JSONata' && isJsonataExpression(value)) {
    checkJsonataExpression(sc.diagnostics, value, where);
    return;
  }
  if (integer) checkInteger(sc.diagnostics, value, range, where);
  else checkNumber(sc.diagnostics, value, range, where);
}

/** A string field that a JSONata state may compute with an expression instead. */
export function checkStringField(sc: StateContext, container: Record<string, unknown>, field: string, location: string): string | undefined {
  const value = container[field];
  const where = at(location, field);
  if (!checkType(sc.diagnostics, value, 'STRING', where)) return undefined;
  if (sc.language === 'JSONata' && isJsonataExpression(value)) {
    checkJsonataExpression(sc.diagnostics, value, where);
    return undefined;
  }
  return value as string;
}

/** A JSONPath payload template field (Parameters, ResultSelector, ItemSelector): an object. */
export function checkTemplateField(d: Diagnostics, value: unknown, location: string): void {
  if (checkType(d, value, 'OBJECT', location)) checkPayloadTemplate(d, value, location, { warnNoDollar: true });
}

/**
 * A state's Parameters: AWS accepts any JSON value there (published AWS sample workflows pass a
 * string or an array), and a template inside an array is applied as in an object.
 */
export function checkParametersField(d: Diagnostics, value: unknown, location: string): void {
  checkPayloadTemplate(d, value, location, { warnNoDollar: true });
}

/** JSONata Arguments (and ItemReader/ResultWriter Arguments): an object template or one expression. */
export function checkArgumentsField(d: Diagnostics, value: unknown, location: string): void {
  if (isJsonataExpression(value)) {
    checkJsonataExpression(d, value, location);
    return;
  }
  if (checkType(d, value, 'OBJECT', location)) checkJsonataTemplate(d, value, location);
}

/**
 * The fields every state type shares: Next/End, InputPath/OutputPath, Output and Assign. Which of
 * them apply was decided by the field tables; each is only checked when it does.
 */
export function checkCommonFields(sc: StateContext, scope: JsonataScope = {}): void {
  const { diagnostics: d, state, location } = sc;
  if (sc.type !== 'Choice' && sc.type !== 'Succeed' && sc.type !== 'Fail') checkTransition(sc);
  for (const field of ['InputPath', 'OutputPath']) {
    if (stateUses(sc, field)) checkPath(d, state[field], field, at(location, field), true);
  }
  if (stateUses(sc, 'Output')) checkJsonataTemplate(d, state.Output, at(location, 'Output'), scope);
  if (stateUses(sc, 'Assign')) checkAssign(d, state.Assign, at(location, 'Assign'), sc.language, scope);
}

/** Exactly one of `Next` (a state name) and `End: true`. */
function checkTransition(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  const hasNext = has(state, 'Next');
  const hasEnd = has(state, 'End');
  if (hasNext) checkType(d, state.Next, 'STRING', at(location, 'Next'));
  if (hasEnd) checkType(d, state.End, 'BOOLEAN', at(location, 'End'));
  if (hasNext && state.End === true) d.schema(messages.onlyOneOf(['Next', 'End']), location);
  else if (!hasNext && state.End !== true && (!hasEnd || typeof state.End === 'boolean')) {
    d.schema(messages.exactlyOneOf(['Next', 'End']), location);
  }
}

/** ResultPath, Parameters, ResultSelector and Arguments, wherever the state type has them. */
export function checkResultFields(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  if (stateUses(sc, 'ResultPath')) checkResultPath(d, state.ResultPath, at(location, 'ResultPath'));
  if (stateUses(sc, 'Parameters')) checkParametersField(d, state.Parameters, at(location, 'Parameters'));
  if (stateUses(sc, 'ResultSelector')) checkTemplateField(d, state.ResultSelector, at(location, 'ResultSelector'));
  if (stateUses(sc, 'Arguments')) checkArgumentsField(d, state.Arguments, at(location, 'Arguments'));
}
