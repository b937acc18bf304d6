/**
 * The Amazon States Language alone, for tools and browsers: parsing and validating definitions
 * as Step Functions does (AWS's diagnostic codes and messages), the definition's types, its
 * states and transitions, and placing a diagnostic in the definition's text. Nothing here
 * needs Node.js; the console is built on it.
 *
 * ```ts
 * import { parseDefinition, statesOf } from 'stepwise-sfn/asl';
 * const { definition, diagnostics } = parseDefinition(text);
 * ```
 * @module
 */
export { validateDefinition, parseDefinition, isValid, type Diagnostic, type ValidateOptions } from './validate.js';
export type * from './definition.js';
export { STATE_TYPES } from './definition.js';
export { statesOf, transitionsOf, innerWorkflows, resourcesOf, type StateEntry, type Transition, type TransitionKind } from './structure.js';
export {
  JsonPositions,
  escapePointerToken,
  locateSyntaxError,
  locateDiagnostic,
  lineAndColumn,
  conciseMessage,
  type TextRange,
  type PlacedDiagnostic,
} from './json-positions.js';
export { StatesError } from './errors.js';
