/**
 * Static validation of state machine definitions, as Step Functions' ValidateStateMachineDefinition
 * and CreateStateMachine (InvalidDefinition) do it: every problem at once, with AWS's codes,
 * messages and locations. The rules live in `./validate/`.
 */
import type { StateMachineDefinition } from './definition.js';
import type { ValidateOptions } from './validate/context.js';
import { type Diagnostic, Diagnostics, messages } from './validate/diagnostics.js';
import { parseJsonText } from './validate/json-text.js';
import { validateMachine } from './validate/workflow.js';

export type { Diagnostic } from './validate/diagnostics.js';
export type { ValidateOptions } from './validate/context.js';

/**
 * Every problem of a definition (already parsed from JSON). Never throws, whatever the input:
 * an empty list means Step Functions would accept the definition. Diagnostics of severity
 * WARNING (NO_DOLLAR, PASS_RESULT_IS_STATIC) do not make a definition invalid.
 */
export function validateDefinition(definition: unknown, options: ValidateOptions = {}): Diagnostic[] {
  try {
    return validateMachine(definition, options);
  } catch (error) {
    // A safety net for inputs no JSON text can produce (getters that throw, proxies, …).
    const d = new Diagnostics();
    d.schema(messages.unreadableDefinition(error instanceof Error ? error.message : String(error)), '');
    return d.list;
  }
}

/**
 * Parses and validates a definition's text. A JSON syntax error is an INVALID_JSON_DESCRIPTION
 * diagnostic worded as AWS words it; `definition` is then `null`. The definition is only safe to
 * use when no diagnostic has severity ERROR.
 */
export function parseDefinition(
  text: string,
  options: ValidateOptions = {},
): { definition: StateMachineDefinition; diagnostics: Diagnostic[] } {
  if (typeof text !== 'string' || text === '') {
    const d = new Diagnostics();
    d.error('MISSING_DESCRIPTION', messages.missingDescription, '');
    return { definition: null as unknown as StateMachineDefinition, diagnostics: d.list };
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const d = new Diagnostics();
    d.error('INVALID_JSON_DESCRIPTION', parsed.message, parsed.location);
    return { definition: null as unknown as StateMachineDefinition, diagnostics: d.list };
  }
  // Blank text parses to nothing, which AWS reports like any non-object definition.
  const value = parsed.value === undefined ? null : parsed.value;
  return { definition: value as StateMachineDefinition, diagnostics: validateDefinition(value, options) };
}

/** Whether diagnostics allow the definition (warnings do). */
export function isValid(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.every((diagnostic) => diagnostic.severity !== 'ERROR');
}
