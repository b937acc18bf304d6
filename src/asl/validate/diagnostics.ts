/**
 * Diagnostics as `ValidateStateMachineDefinition` returns them, and the collector every check
 * writes into. Locations follow AWS's format, which looks like a JSON pointer but writes array
 * indices in brackets and does not escape `/` in state names: `/States/C/Choices[0]/Next`,
 * `/States/P/Branches[1]/States/a/b`. A diagnostic AWS reports without a location has `''`.
 */

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  /** Where the problem is, e.g. `/States/Foo/Next`; `''` when AWS gives no location. */
  location: string;
}

/** The codes AWS documents (and a few it returns without documenting them). */
export type DiagnosticCode =
  | 'INVALID_JSON_DESCRIPTION'
  | 'MISSING_DESCRIPTION'
  | 'SCHEMA_VALIDATION_FAILED'
  | 'INVALID_RESOURCE'
  | 'MISSING_END_STATE'
  | 'DUPLICATE_STATE_NAME'
  | 'INVALID_STATE_NAME'
  | 'DUPLICATE_LABEL_NAME'
  | 'INVALID_LABEL_NAME'
  | 'MISSING_TRANSITION_TARGET'
  | 'TOO_DEEPLY_NESTED'
  | 'INVALID_JSONATA_EXPRESSION'
  | 'UNSUPPORTED_JSONATA_EXPRESSION'
  | 'INVALID_VARIABLE_NAME'
  | 'RESERVED_VARIABLE_NAME'
  | 'NO_DOLLAR'
  | 'NO_PATH'
  | 'PASS_RESULT_IS_STATIC';

/** The location of the definition's root object. */
export const ROOT = '/';

/** The location of field `key` inside the object at `base`. */
export function at(base: string, key: string): string {
  return (base === ROOT ? '' : base) + '/' + key;
}

/** The location of element `index` of the array at `base`. */
export function atIndex(base: string, index: number): string {
  return `${base}[${index}]`;
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];

  error(code: DiagnosticCode, message: string, location: string): void {
    this.list.push({ severity: 'ERROR', code, message, location });
  }

  warning(code: DiagnosticCode, message: string, location: string): void {
    this.list.push({ severity: 'WARNING', code, message, location });
  }

  /** The code most rules report under. */
  schema(message: string, location: string): void {
    this.error('SCHEMA_VALIDATION_FAILED', message, location);
  }
}

/**
 * AWS's message texts, in one place so that tests and checks agree on them.
 * - "recorded": seen in responses recorded from AWS (LocalStack snapshots, emulator test suites
 *   that pin AWS's answers);
 * - "reported": quoted from AWS error messages by third parties (lint rules, issue reports);
 * - unmarked: AWS's wording is unknown; the text follows the style of the others.
 */
export const messages = {
  /** recorded */
  definitionNotObject: 'Definition must be a valid JSON object',
  /** AWS's documented meaning of MISSING_DESCRIPTION */
  missingDescription: 'Received a null or empty workflow input.',
  /** Not AWS's: only for values no JSON text can produce (a getter that throws). */
  unreadableDefinition: (reason: string) => `Definition could not be read: ${reason}`,
  /** recorded: `These fields are required: [States, StartAt]` */
  required: (fields: readonly string[]) => `These fields are required: [${fields.join(', ')}]`,
  /** recorded: an unknown field, or a known one on a state type that does not take it */
  notSupported: (field: string) => `Field '${field}' is not supported`,
  /** recorded (STRING) */
  expectedType: (type: JsonType) => `Expected value of type [${type}]`,
  /** recorded for QueryLanguage; reported for JitterStrategy and Version */
  oneOfValues: (values: readonly string[]) => `Value should be one of the following: [${values.join(', ')}]`,
  /** recorded for Type */
  fieldOneOf: (field: string, values: readonly string[]) =>
    `The field '${field}' should have one of these values: [${values.join(', ')}]`,
  /** recorded: `Minimum value is 0` */
  minimum: (bound: string) => `Minimum value is ${bound}`,
  maximum: (bound: string) => `Maximum value is ${bound}`,
  /** reported (ErrorEquals, Choices) */
  empty: 'Value cannot be empty',
  /** reported: more than one of mutually exclusive fields */
  onlyOneOf: (fields: readonly string[]) => `There should only be one of the following fields: [${fields.join(', ')}]`,
  /** reported: none of the fields of which exactly one is required */
  exactlyOneOf: (fields: readonly string[]) =>
    `This object should have only one of the following fields: [${fields.join(', ')}]`,
  /** recorded, for Next, Default, Choices[i].Next, Catch[i].Next and StartAt alike */
  missingTarget: (target: string) => `Missing 'Next' target: ${target}`,
  /** recorded */
  unreachable: (state: string) => `State "${state}" is not reachable.`,
  /** recorded */
  noTerminalState: 'Workflow has no terminal state',
  /** reported (Step Functions Local) */
  duplicateStateName: (name: string) => `Duplicate State name: ${name}`,
  /** reported */
  stateNameTooLong: (name: string) =>
    `Invalid State name: State '${name}' exceeds the 80-character limit allowed by the service`,
  stateNameEmpty: 'Invalid State name: State name must not be empty',
  /** recorded */
  languageField: (language: string, field: string, other: string) =>
    `The QueryLanguage is set to '${language}', but field '${field}' is only supported for the '${other}' QueryLanguage`,
  /** recorded */
  jsonPathInJsonataMachine: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
  /** reported (for `.$` payload fields) */
  invalidJsonPath: (field: string) => `The value for the field '${field}' must be a valid JSONPath`,
  /** reported */
  invalidPathOrIntrinsic: (field: string) =>
    `The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`,
  /** reported */
  notReferencePath: 'Value is not a Reference Path',
  /** reported (Choice Variable) */
  referencePathNoDollar: "Value is not a Reference Path: Reference path didn't start with '$'",
  /** reported */
  statesAllPosition: 'States.ALL must appear alone and at end of list',
  /** reported */
  invalidTimestamp: 'String does not match RFC3339 timestamp',
  /** reported */
  invalidResourceArn: 'Value is not a valid resource ARN',
  /** reported */
  unrecognisedResource: (resource: string) =>
    `The resource provided ${resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`,
  /** recorded (the trailing space is AWS's) */
  expressIntegration: (pattern: string) => `Express state machine does not support '${pattern}' service integration `,
  /** reported */
  expressDistributedMap: "The field 'Mode' with value 'DISTRIBUTED' is not supported inside 'EXPRESS' state machines",
  /** reported */
  requiredButMissing: (field: string) => `The field '${field}' is required but was missing`,
  /** reported (ItemReader) */
  resourceNotAllowed: "The field 'Resource' does not match any of the allowed values",
  /** reported */
  choiceRuleKind: 'The object must have only one of the following fields, [And, Or, Not, Variable, Condition]',
  heartbeatNotBelowTimeout: 'HeartbeatSeconds must be smaller than TimeoutSeconds',
  duplicateTemplateField: (field: string) =>
    `The field '${field}' appears more than once after removing the '.$' suffix`,
  /** reported */
  invalidVariableName: (name: string) => `Invalid variable name '${name}': the variable name contains invalid characters.`,
  variableNameTooLong: (name: string) => `Invalid variable name '${name}': the variable name exceeds 80 characters.`,
  /** reported */
  reservedVariable: (name: string) => `Cannot assign to reserved variable '$${name}'.`,
  invalidLabel: (label: string) => `Invalid label name: '${label}'`,
  duplicateLabel: (label: string) => `Duplicate label name: ${label}`,
  /** AWS's documented meaning of TOO_DEEPLY_NESTED */
  tooDeeplyNested: 'The states are too deeply nested.',
  /** recorded */
  unsupportedContextReference: "Reference to '$$' is not supported.",
  topLevelReference: (reference: string) => `Reference to '${reference}' at the top level is not supported.`,
  /** recorded */
  errorOutputOutsideCatch: "Field '$states.errorOutput' does not exist.",
  noDollar: (field: string) =>
    `The value of the field '${field}' looks like a JSONPath or an intrinsic function, but the field name does not end with '.$'`,
  passResultIsStatic: "The field 'Result' of a Pass state is static: paths and intrinsic functions in it are not evaluated",
} as const;

export type JsonType = 'STRING' | 'INTEGER' | 'NUMBER' | 'BOOLEAN' | 'OBJECT' | 'ARRAY';
