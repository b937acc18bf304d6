/**
 * Retry and Catch: lists of retriers and catchers, each matching error names. `States.ALL`, the
 * wildcard, must be the only name of the last entry of its list. A catcher's `Next` is checked
 * against the state names by the workflow check, with the other transitions.
 */
import type { StateContext } from './context.js';
import { type Diagnostics, at, atIndex, messages } from './diagnostics.js';
import { checkResultPath, stateUses } from './common.js';
import { checkAssign, checkJsonataTemplate } from './payload.js';
import {
  checkAllowedFields,
  checkEnum,
  checkInteger,
  checkNumber,
  checkRequired,
  checkType,
  has,
  isObject,
  optionalString,
} from './values.js';

const MAX_ATTEMPTS = 99999999;
const MAX_INTERVAL_SECONDS = 99999999;
const MAX_DELAY_SECONDS = 31622401;

const RETRIER_FIELDS: ReadonlySet<string> = new Set([
  'ErrorEquals',
  'Comment',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
]);
const CATCHER_FIELDS: ReadonlySet<string> = new Set(['ErrorEquals', 'Next', 'Comment', 'ResultPath', 'Output', 'Assign']);

export function checkErrorHandling(sc: StateContext): void {
  if (stateUses(sc, 'Retry')) checkRetry(sc, sc.state.Retry, at(sc.location, 'Retry'));
  if (stateUses(sc, 'Catch')) checkCatch(sc, sc.state.Catch, at(sc.location, 'Catch'));
}

function checkRetry(sc: StateContext, retry: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, retry, 'ARRAY', location)) return;
  const retriers = retry as unknown[];
  retriers.forEach((retrier, index) => {
    const here = atIndex(location, index);
    if (!checkType(d, retrier, 'OBJECT', here) || !isObject(retrier)) return;
    checkAllowedFields(d, retrier, RETRIER_FIELDS, here);
    checkRequired(d, retrier, ['ErrorEquals'], here);
    if (has(retrier, 'ErrorEquals')) checkErrorEquals(d, retrier.ErrorEquals, at(here, 'ErrorEquals'), index === retriers.length - 1);
    optionalString(d, retrier, 'Comment', here);
    if (has(retrier, 'IntervalSeconds')) {
      checkInteger(d, retrier.IntervalSeconds, { min: 1, max: MAX_INTERVAL_SECONDS }, at(here, 'IntervalSeconds'));
    }
    if (has(retrier, 'MaxAttempts')) checkInteger(d, retrier.MaxAttempts, { min: 0, max: MAX_ATTEMPTS }, at(here, 'MaxAttempts'));
    if (has(retrier, 'BackoffRate')) checkNumber(d, retrier.BackoffRate, { min: 1, minText: '1.0' }, at(here, 'BackoffRate'));
    if (has(retrier, 'MaxDelaySeconds')) {
      checkInteger(d, retrier.MaxDelaySeconds, { min: 1, max: MAX_DELAY_SECONDS }, at(here, 'MaxDelaySeconds'));
    }
    if (has(retrier, 'JitterStrategy')) checkEnum(d, retrier.JitterStrategy, ['NONE', 'FULL'], at(here, 'JitterStrategy'));
  });
}

function checkCatch(sc: StateContext, catchers: unknown, location: string): void {
  const d = sc.diagnostics;
  if (!checkType(d, catchers, 'ARRAY', location)) return;
  const list = catchers as unknown[];
  list.forEach((catcher, index) => {
    const here = atIndex(location, index);
    if (!checkType(d, catcher, 'OBJECT', here) || !isObject(catcher)) return;
    checkAllowedFields(d, catcher, CATCHER_FIELDS, here);
    reportOtherLanguageFields(sc, catcher, here);
    checkRequired(d, catcher, ['ErrorEquals', 'Next'], here);
    if (has(catcher, 'ErrorEquals')) checkErrorEquals(d, catcher.ErrorEquals, at(here, 'ErrorEquals'), index === list.length - 1);
    if (has(catcher, 'Next')) checkType(d, catcher.Next, 'STRING', at(here, 'Next'));
    optionalString(d, catcher, 'Comment', here);
    // The error output is only visible to the catcher's own Output and Assign.
    const scope = { errorOutput: true };
    if (sc.language === 'JSONPath' && has(catcher, 'ResultPath')) checkResultPath(d, catcher.ResultPath, at(here, 'ResultPath'));
    if (sc.language === 'JSONata' && has(catcher, 'Output')) checkJsonataTemplate(d, catcher.Output, at(here, 'Output'), scope);
    if (has(catcher, 'Assign')) checkAssign(d, catcher.Assign, at(here, 'Assign'), sc.language, scope);
  });
}

/** ResultPath belongs to JSONPath catchers, Output to JSONata ones. */
function reportOtherLanguageFields(sc: StateContext, catcher: Record<string, unknown>, location: string): void {
  const field = sc.language === 'JSONata' ? 'ResultPath' : 'Output';
  const other = sc.language === 'JSONata' ? 'JSONPath' : 'JSONata';
  if (has(catcher, field)) sc.diagnostics.schema(messages.languageField(sc.language, field, other), location);
}

/** A non-empty list of error names; `States.ALL` only alone, in the last retrier or catcher. */
function checkErrorEquals(d: Diagnostics, value: unknown, location: string, last: boolean): void {
  if (!checkType(d, value, 'ARRAY', location)) return;
  const names = value as unknown[];
  if (names.length === 0) {
    d.schema(messages.empty, location);
    return;
  }
  names.forEach((name, index) => checkType(d, name, 'STRING', atIndex(location, index)));
  if (names.includes('States.ALL') && (names.length > 1 || !last)) d.schema(messages.statesAllPosition, location);
}
