/**
 * Which fields each state type accepts, and in which query language.
 *
 * AWS checks the two separately: a field no state of that type takes is "not supported" whatever
 * the language (measured: `Catch` on a JSONata Pass), while a field the type takes in the other
 * language only gets the QueryLanguage message. The per-type sets were measured against
 * ValidateStateMachineDefinition (8 types × 50 fields).
 */
import type { QueryLanguage, StateType } from '../definition.js';
import { has, type JsonRecord } from './values.js';

/** 'both', or the one language in which the field exists. */
export type FieldLanguage = 'both' | QueryLanguage;

const COMMON: Record<string, FieldLanguage> = { Type: 'both', Comment: 'both', QueryLanguage: 'both' };
const FILTERS: Record<string, FieldLanguage> = { InputPath: 'JSONPath', OutputPath: 'JSONPath' };
const TRANSITION: Record<string, FieldLanguage> = { Next: 'both', End: 'both' };
const OUTPUT: Record<string, FieldLanguage> = { Output: 'JSONata', Assign: 'both' };
const ERROR_HANDLING: Record<string, FieldLanguage> = { Retry: 'both', Catch: 'both' };

const FIELDS: Record<StateType, ReadonlyMap<string, FieldLanguage>> = {
  Pass: table({ ...FILTERS, ...OUTPUT, ...TRANSITION, Result: 'JSONPath', ResultPath: 'JSONPath', Parameters: 'JSONPath' }),
  Task: table({
    ...FILTERS,
    ...OUTPUT,
    ...TRANSITION,
    ...ERROR_HANDLING,
    ResultPath: 'JSONPath',
    Parameters: 'JSONPath',
    Arguments: 'JSONata',
    ResultSelector: 'JSONPath',
    Resource: 'both',
    Credentials: 'both',
    TimeoutSeconds: 'both',
    TimeoutSecondsPath: 'JSONPath',
    HeartbeatSeconds: 'both',
    HeartbeatSecondsPath: 'JSONPath',
  }),
  Wait: table({
    ...FILTERS,
    ...OUTPUT,
    ...TRANSITION,
    Seconds: 'both',
    Timestamp: 'both',
    SecondsPath: 'JSONPath',
    TimestampPath: 'JSONPath',
  }),
  Parallel: table({
    ...FILTERS,
    ...OUTPUT,
    ...TRANSITION,
    ...ERROR_HANDLING,
    ResultPath: 'JSONPath',
    Parameters: 'JSONPath',
    Arguments: 'JSONata',
    ResultSelector: 'JSONPath',
    Branches: 'both',
  }),
  Map: table({
    ...FILTERS,
    ...OUTPUT,
    ...TRANSITION,
    ...ERROR_HANDLING,
    ResultPath: 'JSONPath',
    Parameters: 'JSONPath',
    ResultSelector: 'JSONPath',
    ItemProcessor: 'both',
    Iterator: 'both',
    ItemsPath: 'JSONPath',
    Items: 'JSONata',
    ItemSelector: 'both',
    ItemReader: 'both',
    ItemBatcher: 'both',
    ResultWriter: 'both',
    MaxConcurrency: 'both',
    MaxConcurrencyPath: 'JSONPath',
    ToleratedFailurePercentage: 'both',
    ToleratedFailurePercentagePath: 'JSONPath',
    ToleratedFailureCount: 'both',
    ToleratedFailureCountPath: 'JSONPath',
    Label: 'both',
  }),
  Choice: table({ ...FILTERS, ...OUTPUT, Choices: 'both', Default: 'both' }),
  Succeed: table({ ...FILTERS, Output: 'JSONata' }),
  Fail: table({ Error: 'both', Cause: 'both', ErrorPath: 'JSONPath', CausePath: 'JSONPath' }),
};

function table(fields: Record<string, FieldLanguage>): ReadonlyMap<string, FieldLanguage> {
  return new Map(Object.entries({ ...COMMON, ...fields }));
}

/**
 * The order in which the QueryLanguage messages come out when a state has several fields of the
 * other language (the order AWS returns is not observable; this one is stable).
 */
const JSONPATH_ONLY_ORDER = [
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'Parameters',
  'Result',
  'ItemsPath',
  'MaxConcurrencyPath',
  'ErrorPath',
  'CausePath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
] as const;
const JSONATA_ONLY_ORDER = ['Output', 'Arguments', 'Items'] as const;

/** The language a field of `type` exists in, or undefined when the type does not take it. */
export function fieldLanguage(type: StateType, field: string): FieldLanguage | undefined {
  return FIELDS[type].get(field);
}

export function allowedFields(type: StateType): ReadonlySet<string> {
  return new Set(FIELDS[type].keys());
}

/** The fields of `state` that belong to the language other than `language`, in reporting order. */
export function otherLanguageFields(type: StateType, state: JsonRecord, language: QueryLanguage): string[] {
  const order = language === 'JSONata' ? JSONPATH_ONLY_ORDER : JSONATA_ONLY_ORDER;
  const other: QueryLanguage = language === 'JSONata' ? 'JSONPath' : 'JSONata';
  return order.filter((field) => has(state, field) && FIELDS[type].get(field) === other);
}

/** Whether `field` is present on the state and applies to it (right type, right language). */
export function uses(type: StateType, language: QueryLanguage, state: JsonRecord, field: string): boolean {
  if (!has(state, field)) return false;
  const fieldLang = FIELDS[type].get(field);
  return fieldLang === 'both' || fieldLang === language;
}
