/**
 * One state: its type, its query language, which fields it may have, then the checks of its type.
 * Transitions (Next, Default, Catch Next) are resolved by the workflow check, which knows the
 * names of the sibling states.
 */
import { type QueryLanguage, STATE_TYPES, type StateType } from '../definition.js';
import { checkChoice } from './choice-state.js';
import { checkCommonFields, checkResultFields } from './common.js';
import type { MachineContext, StateContext } from './context.js';
import { type Diagnostics, at, messages } from './diagnostics.js';
import { checkErrorHandling } from './error-handling.js';
import { allowedFields, otherLanguageFields } from './fields.js';
import { checkMap, checkParallel } from './map.js';
import { checkFail, checkPass, checkWait } from './simple-states.js';
import { checkTask } from './task.js';
import { checkAllowedFields, checkEnum, checkFieldEnum, checkType, has, isObject, optionalString } from './values.js';

export const QUERY_LANGUAGES: readonly QueryLanguage[] = ['JSONPath', 'JSONata'];

/**
 * The language a state or machine resolves to. Measured: only the exact string `JSONPath` means
 * JSONPath; any other value present (`jsonata`, `foo`, 5) means JSONata, and is also reported.
 */
export function resolveLanguage(declared: unknown, inherited: QueryLanguage): QueryLanguage {
  if (declared === undefined) return inherited;
  return declared === 'JSONPath' ? 'JSONPath' : 'JSONata';
}

/** Reports a declared QueryLanguage that is not one of the two names, at the field. */
export function checkQueryLanguage(d: Diagnostics, value: unknown, location: string): void {
  checkEnum(d, value, QUERY_LANGUAGES, location);
}

export function validateState(machine: MachineContext, name: string, value: unknown, location: string, depth: number): void {
  const d = machine.diagnostics;
  if (!checkType(d, value, 'OBJECT', location) || !isObject(value)) return;
  if (!has(value, 'Type')) {
    d.schema(messages.required(['Type']), location);
    return;
  }
  if (!checkFieldEnum(d, value.Type, 'Type', STATE_TYPES, at(location, 'Type'))) return;
  const type = value.Type as StateType;

  const declared = has(value, 'QueryLanguage') ? value.QueryLanguage : undefined;
  // States inside a Map or Parallel default to the machine's language, not to the enclosing state's.
  const language = resolveLanguage(declared, machine.language);
  const downgraded = machine.language === 'JSONata' && declared === 'JSONPath';
  if (downgraded) d.schema(messages.jsonPathInJsonataMachine, location);
  checkAllowedFields(d, value, allowedFields(type), location);
  // The downgrade is the whole answer about languages for that state (measured).
  if (!downgraded) {
    const other = language === 'JSONata' ? 'JSONPath' : 'JSONata';
    for (const field of otherLanguageFields(type, value, language)) d.schema(messages.languageField(language, field, other), location);
  }
  if (declared !== undefined) checkQueryLanguage(d, declared, at(location, 'QueryLanguage'));
  optionalString(d, value, 'Comment', location);

  const sc: StateContext = { machine, diagnostics: d, name, location, state: value, type, language, depth };
  checkCommonFields(sc);
  checkResultFields(sc);
  checkErrorHandling(sc);
  switch (type) {
    case 'Pass':
      checkPass(sc);
      break;
    case 'Task':
      checkTask(sc);
      break;
    case 'Choice':
      checkChoice(sc);
      break;
    case 'Wait':
      checkWait(sc);
      break;
    case 'Fail':
      checkFail(sc);
      break;
    case 'Parallel':
      checkParallel(sc);
      break;
    case 'Map':
      checkMap(sc);
      break;
    case 'Succeed':
      break;
  }
}
