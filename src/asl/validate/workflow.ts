/**
 * A workflow: the state machine itself, a Parallel branch or a Map's ItemProcessor. Checks its
 * own fields, each state, then the graph: every transition names a state of the same workflow,
 * every state can be reached from StartAt, and (top level only, measured) some state ends.
 */
import type { QueryLanguage } from '../definition.js';
import type { MachineContext, SubWorkflowKind, ValidateOptions } from './context.js';
import { type Diagnostic, Diagnostics, ROOT, at, atIndex, messages } from './diagnostics.js';
import { checkQueryLanguage, resolveLanguage, validateState } from './state.js';
import {
  type JsonRecord,
  checkAllowedFields,
  checkEnum,
  checkInteger,
  checkRequired,
  checkType,
  codePointLength,
  has,
  isObject,
  optionalString,
} from './values.js';

type WorkflowKind = 'Root' | SubWorkflowKind;

const WORKFLOW_FIELDS: Record<WorkflowKind, ReadonlySet<string>> = {
  Root: new Set(['Comment', 'StartAt', 'States', 'TimeoutSeconds', 'Version', 'QueryLanguage']),
  ItemProcessor: new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']),
  Iterator: new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']),
  Branch: new Set(['Comment', 'StartAt', 'States']),
};

/** Deeper nesting of Maps and Parallels than this is refused (and not walked further). */
export const MAX_NESTING_DEPTH = 64;
const MAX_STATE_NAME_LENGTH = 80;
const MAX_MACHINE_TIMEOUT_SECONDS = 99999999;

/** Validates a parsed definition; the entry point behind validateDefinition. */
export function validateMachine(definition: unknown, options: ValidateOptions): Diagnostic[] {
  const d = new Diagnostics();
  if (definition === undefined) {
    d.error('MISSING_DESCRIPTION', messages.missingDescription, '');
    return d.list;
  }
  if (!isObject(definition)) {
    d.schema(messages.definitionNotObject, '');
    return d.list;
  }
  const declared = has(definition, 'QueryLanguage') ? definition.QueryLanguage : undefined;
  if (declared !== undefined) checkQueryLanguage(d, declared, at(ROOT, 'QueryLanguage'));
  const language: QueryLanguage = resolveLanguage(declared, 'JSONPath');
  const machine: MachineContext = {
    diagnostics: d,
    options,
    language,
    stateNames: new Set(),
    labels: new Set(),
    validateSubWorkflow: (value, location, kind, depth) => validateWorkflow(machine, value, location, kind, depth),
  };
  validateWorkflow(machine, definition, ROOT, 'Root', 0);
  return d.list;
}

function validateWorkflow(machine: MachineContext, value: unknown, location: string, kind: WorkflowKind, depth: number): void {
  const d = machine.diagnostics;
  if (!checkType(d, value, 'OBJECT', location) || !isObject(value)) return;
  if (depth > MAX_NESTING_DEPTH) {
    d.error('TOO_DEEPLY_NESTED', messages.tooDeeplyNested, location);
    return;
  }
  checkAllowedFields(d, value, WORKFLOW_FIELDS[kind], location);
  checkRequired(d, value, ['States', 'StartAt'], location);
  optionalString(d, value, 'Comment', location);
  if (kind === 'Root') {
    if (has(value, 'TimeoutSeconds')) {
      checkInteger(d, value.TimeoutSeconds, { min: 1, max: MAX_MACHINE_TIMEOUT_SECONDS }, at(location, 'TimeoutSeconds'));
    }
    if (has(value, 'Version')) checkEnum(d, value.Version, ['1.0'], at(location, 'Version'));
  }
  const startAt = optionalString(d, value, 'StartAt', location);
  if (!has(value, 'States')) return;
  const statesLocation = at(location, 'States');
  if (!checkType(d, value.States, 'OBJECT', statesLocation) || !isObject(value.States)) return;
  const states = value.States;
  const names = Object.keys(states);
  if (names.length === 0) d.schema(messages.empty, statesLocation);

  for (const name of names) {
    const stateLocation = at(statesLocation, name);
    checkStateName(machine, name, stateLocation);
    validateState(machine, name, states[name], stateLocation, depth);
    for (const transition of transitionsOf(states[name], stateLocation)) {
      if (!has(states, transition.target)) {
        d.error('MISSING_TRANSITION_TARGET', messages.missingTarget(transition.target), transition.location);
      }
    }
  }
  if (startAt !== undefined && !has(states, startAt)) {
    d.error('MISSING_TRANSITION_TARGET', messages.missingTarget(startAt), at(location, 'StartAt'));
  }
  // Measured: only the top level must have a terminal state, and when it has none the
  // reachability of its states is not reported (a nested workflow may loop forever).
  if (kind === 'Root' && !names.some((name) => isTerminal(states[name]))) {
    d.error('MISSING_END_STATE', messages.noTerminalState, '');
    return;
  }
  if (startAt !== undefined) reportUnreachable(machine, states, startAt, statesLocation);
}

function checkStateName(machine: MachineContext, name: string, location: string): void {
  const d = machine.diagnostics;
  if (name === '') d.error('INVALID_STATE_NAME', messages.stateNameEmpty, location);
  else if (codePointLength(name) > MAX_STATE_NAME_LENGTH) d.error('INVALID_STATE_NAME', messages.stateNameTooLong(name), location);
  // Names are unique across the whole machine, nested workflows included.
  if (machine.stateNames.has(name)) d.error('DUPLICATE_STATE_NAME', messages.duplicateStateName(name), location);
  machine.stateNames.add(name);
}

interface Transition {
  target: string;
  location: string;
}

/** Next, Default, Choices[i].Next and Catch[i].Next, wherever they are strings. */
function transitionsOf(state: unknown, location: string): Transition[] {
  if (!isObject(state)) return [];
  const transitions: Transition[] = [];
  const add = (object: JsonRecord, field: string, where: string) => {
    if (has(object, field) && typeof object[field] === 'string') transitions.push({ target: object[field] as string, location: at(where, field) });
  };
  add(state, 'Next', location);
  add(state, 'Default', location);
  for (const list of ['Choices', 'Catch']) {
    const items = has(state, list) ? state[list] : undefined;
    if (!Array.isArray(items)) continue;
    items.forEach((item, index) => {
      if (isObject(item)) add(item, 'Next', atIndex(at(location, list), index));
    });
  }
  return transitions;
}

function isTerminal(state: unknown): boolean {
  return isObject(state) && (state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true);
}

function reportUnreachable(machine: MachineContext, states: JsonRecord, startAt: string, statesLocation: string): void {
  const reachable = new Set<string>();
  const pending: string[] = [];
  if (has(states, startAt)) {
    reachable.add(startAt);
    pending.push(startAt);
  }
  while (pending.length > 0) {
    const name = pending.pop()!;
    for (const { target } of transitionsOf(states[name], '')) {
      if (has(states, target) && !reachable.has(target)) {
        reachable.add(target);
        pending.push(target);
      }
    }
  }
  for (const name of Object.keys(states)) {
    if (!reachable.has(name)) {
      machine.diagnostics.error('MISSING_TRANSITION_TARGET', messages.unreachable(name), at(statesLocation, name));
    }
  }
}
