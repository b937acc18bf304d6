/**
 * The state types without nested workflows or integrations: Pass, Wait, Succeed and Fail.
 */
import { parseTimestamp } from '../choice.js';
import { checkNumberField, checkPathOrIntrinsic, checkReferencePath, checkStringField, stateUses } from './common.js';
import type { StateContext } from './context.js';
import { at, messages } from './diagnostics.js';
import { checkJsonataExpression, hasDynamicField } from './payload.js';
import { checkExclusive, checkType, isJsonataExpression } from './values.js';

const MAX_WAIT_SECONDS = 99999999;

export function checkPass(sc: StateContext): void {
  if (stateUses(sc, 'Result') && hasDynamicField(sc.state.Result)) {
    sc.diagnostics.warning('PASS_RESULT_IS_STATIC', messages.passResultIsStatic, at(sc.location, 'Result'));
  }
}

/** Exactly one of Seconds, Timestamp and (JSONPath) SecondsPath, TimestampPath. */
export function checkWait(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  const fields = sc.language === 'JSONPath' ? ['SecondsPath', 'Seconds', 'TimestampPath', 'Timestamp'] : ['Seconds', 'Timestamp'];
  checkExclusive(d, state, fields, location, true);
  if (stateUses(sc, 'Seconds')) checkNumberField(sc, state, 'Seconds', location, { min: 0, max: MAX_WAIT_SECONDS }, true);
  if (stateUses(sc, 'Timestamp')) checkTimestamp(sc, state.Timestamp, at(location, 'Timestamp'));
  for (const field of ['SecondsPath', 'TimestampPath']) {
    if (stateUses(sc, field)) checkReferencePath(d, state[field], at(location, field));
  }
}

function checkTimestamp(sc: StateContext, value: unknown, location: string): void {
  if (!checkType(sc.diagnostics, value, 'STRING', location)) return;
  if (sc.language === 'JSONata' && isJsonataExpression(value)) {
    checkJsonataExpression(sc.diagnostics, value, location);
  } else if (parseTimestamp(value as string) === undefined) {
    sc.diagnostics.schema(messages.invalidTimestamp, location);
  }
}

/**
 * Error and Cause, each either literal (a string; JSONata may compute it) or (JSONPath) taken from
 * a path or an intrinsic. AWS accepts any error name here, `States.` ones included.
 */
export function checkFail(sc: StateContext): void {
  const { diagnostics: d, state, location } = sc;
  for (const [literal, path] of [
    ['Error', 'ErrorPath'],
    ['Cause', 'CausePath'],
  ] as const) {
    if (sc.language === 'JSONPath') checkExclusive(d, state, [literal, path], location);
    if (stateUses(sc, literal)) checkStringField(sc, state, literal, location);
    if (stateUses(sc, path)) checkPathOrIntrinsic(d, state[path], path, at(location, path));
  }
}
