/**
 * The TypeScript shape of an Amazon States Language definition, as Step Functions accepts it.
 *
 * These types describe a definition that passed `validateDefinition`; they are deliberately loose
 * where ASL is (payload templates are arbitrary JSON, JSONata fields take either a literal or a
 * `{% expression %}` string), and every field that only exists in one query language is optional,
 * because a state's language is only known once the machine-level default is applied.
 */

export type QueryLanguage = 'JSONPath' | 'JSONata';

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A string holding a JSONata expression: `{% ... %}`. */
export type JsonataExpression = string;

/**
 * A JSONPath payload template: a JSON object whose keys ending in `.$` hold a path or an intrinsic
 * function call, evaluated when the state runs.
 */
export type PayloadTemplate = JsonObject;

/** A JSONata template: any JSON value in which strings of the form `{% ... %}` are expressions. */
export type JsonataTemplate = JsonValue;

/** The variables a state assigns: name → value (JSONPath: `name.$` → path or intrinsic). */
export type AssignTemplate = JsonObject;

export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

export const STATE_TYPES: readonly StateType[] = ['Task', 'Wait', 'Pass', 'Succeed', 'Fail', 'Choice', 'Parallel', 'Map'];

/** The top level of a state machine. */
export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  /** Maximum run time of an execution, in seconds. */
  TimeoutSeconds?: number;
  Version?: '1.0';
  /** The default query language of every state; JSONPath when absent. */
  QueryLanguage?: QueryLanguage;
}

/** A nested workflow: a Parallel branch, a Map's ItemProcessor (or its legacy name, Iterator). */
export interface SubWorkflow {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
}

export interface ItemProcessor extends SubWorkflow {
  ProcessorConfig?: ProcessorConfig;
}

export interface ProcessorConfig {
  Mode?: 'INLINE' | 'DISTRIBUTED';
  /** Required for DISTRIBUTED: how each child workflow runs. */
  ExecutionType?: 'STANDARD' | 'EXPRESS';
}

interface StateBase<T extends StateType> {
  Type: T;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
}

/** Every state but Choice, Succeed and Fail moves on with exactly one of these. */
interface Transition {
  Next?: string;
  End?: boolean;
}

/** The input/output filters of JSONPath states. */
interface JsonPathFilters {
  InputPath?: string | null;
  OutputPath?: string | null;
}

/** The fields of states that produce a result (Pass, Task, Parallel, Map). */
interface ResultHandling {
  /** JSONPath only. */
  ResultPath?: string | null;
  /** JSONata only: the state output, a template evaluated after the state's work. */
  Output?: JsonataTemplate;
  Assign?: AssignTemplate;
}

export interface Retrier {
  ErrorEquals: string[];
  Comment?: string;
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  Comment?: string;
  /** JSONPath only: where the error output goes in the state input. */
  ResultPath?: string | null;
  /** JSONata only. */
  Output?: JsonataTemplate;
  Assign?: AssignTemplate;
}

interface ErrorHandling {
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface PassState extends StateBase<'Pass'>, Transition, JsonPathFilters, ResultHandling {
  /** JSONPath only. */
  Parameters?: PayloadTemplate;
  /** JSONPath only: a static result; never evaluated. */
  Result?: JsonValue;
}

export interface TaskCredentials {
  RoleArn?: string;
  /** JSONPath only: a path or intrinsic selecting the role ARN. */
  'RoleArn.$'?: string;
}

export interface TaskState extends StateBase<'Task'>, Transition, JsonPathFilters, ResultHandling, ErrorHandling {
  Resource: string;
  /** JSONPath only. */
  Parameters?: PayloadTemplate;
  /** JSONata only: an object template or an expression. */
  Arguments?: JsonObject | JsonataExpression;
  /** JSONPath only. */
  ResultSelector?: PayloadTemplate;
  Credentials?: TaskCredentials;
  /** A positive integer, or (JSONata) an expression. */
  TimeoutSeconds?: number | JsonataExpression;
  /** JSONPath only: a reference path to a positive integer. */
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | JsonataExpression;
  /** JSONPath only. */
  HeartbeatSecondsPath?: string;
}

export type ComparisonOperator =
  | 'StringEquals' | 'StringEqualsPath'
  | 'StringLessThan' | 'StringLessThanPath'
  | 'StringGreaterThan' | 'StringGreaterThanPath'
  | 'StringLessThanEquals' | 'StringLessThanEqualsPath'
  | 'StringGreaterThanEquals' | 'StringGreaterThanEqualsPath'
  | 'StringMatches'
  | 'NumericEquals' | 'NumericEqualsPath'
  | 'NumericLessThan' | 'NumericLessThanPath'
  | 'NumericGreaterThan' | 'NumericGreaterThanPath'
  | 'NumericLessThanEquals' | 'NumericLessThanEqualsPath'
  | 'NumericGreaterThanEquals' | 'NumericGreaterThanEqualsPath'
  | 'BooleanEquals' | 'BooleanEqualsPath'
  | 'TimestampEquals' | 'TimestampEqualsPath'
  | 'TimestampLessThan' | 'TimestampLessThanPath'
  | 'TimestampGreaterThan' | 'TimestampGreaterThanPath'
  | 'TimestampLessThanEquals' | 'TimestampLessThanEqualsPath'
  | 'TimestampGreaterThanEquals' | 'TimestampGreaterThanEqualsPath'
  | 'IsNull' | 'IsPresent' | 'IsNumeric' | 'IsString' | 'IsBoolean' | 'IsTimestamp';

/**
 * A JSONPath Boolean expression: a comparison (`Variable` plus exactly one operator) or a
 * combination (`And`, `Or`, `Not`).
 */
export type ChoiceExpression = {
  Variable?: string;
  And?: ChoiceExpression[];
  Or?: ChoiceExpression[];
  Not?: ChoiceExpression;
} & { [Operator in ComparisonOperator]?: JsonPrimitive };

/** A top-level Choice rule. JSONPath rules hold a Boolean expression, JSONata rules a Condition. */
export type ChoiceRule = ChoiceExpression & {
  Next: string;
  Comment?: string;
  /** JSONata only: an expression that evaluates to a Boolean. */
  Condition?: JsonataExpression | boolean;
  /** JSONata only. */
  Output?: JsonataTemplate;
  Assign?: AssignTemplate;
};

export interface ChoiceState extends StateBase<'Choice'>, JsonPathFilters {
  Choices: ChoiceRule[];
  Default?: string;
  /** JSONata only. */
  Output?: JsonataTemplate;
  Assign?: AssignTemplate;
}

export interface WaitState extends StateBase<'Wait'>, Transition, JsonPathFilters {
  /** A non-negative integer, or (JSONata) an expression. */
  Seconds?: number | JsonataExpression;
  /** An RFC 3339 timestamp (`2016-03-14T01:59:00Z`), or (JSONata) an expression. */
  Timestamp?: string;
  /** JSONPath only. */
  SecondsPath?: string;
  /** JSONPath only. */
  TimestampPath?: string;
  /** JSONata only. */
  Output?: JsonataTemplate;
  Assign?: AssignTemplate;
}

export interface SucceedState extends StateBase<'Succeed'>, JsonPathFilters {
  /** JSONata only. */
  Output?: JsonataTemplate;
}

export interface FailState extends StateBase<'Fail'> {
  /** The error name, or (JSONata) an expression. */
  Error?: string;
  Cause?: string;
  /** JSONPath only: a reference path or an intrinsic function call. */
  ErrorPath?: string;
  /** JSONPath only: a reference path or an intrinsic function call. */
  CausePath?: string;
}

export interface ParallelState extends StateBase<'Parallel'>, Transition, JsonPathFilters, ResultHandling, ErrorHandling {
  Branches: SubWorkflow[];
  /** JSONPath only. */
  Parameters?: PayloadTemplate;
  /** JSONata only. */
  Arguments?: JsonObject | JsonataExpression;
  /** JSONPath only. */
  ResultSelector?: PayloadTemplate;
}

export interface ReaderConfig {
  InputType?: 'CSV' | 'JSON' | 'JSONL' | 'MANIFEST' | 'PARQUET';
  CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
  CSVHeaders?: string[];
  CSVDelimiter?: 'COMMA' | 'PIPE' | 'SEMICOLON' | 'SPACE' | 'TAB';
  ManifestType?: 'ATHENA_DATA' | 'CSV' | 'S3_INVENTORY';
  Transformation?: 'NONE' | 'LOAD_AND_FLATTEN';
  /** A positive integer, or (JSONata) an expression. */
  MaxItems?: number | JsonataExpression;
  /** JSONPath only. */
  MaxItemsPath?: string;
}

export interface ItemReader {
  Resource: string;
  /** JSONPath only. */
  Parameters?: PayloadTemplate;
  /** JSONata only. */
  Arguments?: JsonObject | JsonataExpression;
  ReaderConfig?: ReaderConfig;
}

export interface ItemBatcher {
  MaxItemsPerBatch?: number | JsonataExpression;
  /** JSONPath only. */
  MaxItemsPerBatchPath?: string;
  MaxInputBytesPerBatch?: number | JsonataExpression;
  /** JSONPath only. */
  MaxInputBytesPerBatchPath?: string;
  BatchInput?: PayloadTemplate | JsonataTemplate;
}

export interface WriterConfig {
  Transformation?: 'NONE' | 'COMPACT' | 'FLATTEN';
  OutputType?: 'JSON' | 'JSONL';
}

export interface ResultWriter {
  Resource?: string;
  /** JSONPath only: `Bucket`, `Prefix`. */
  Parameters?: PayloadTemplate;
  /** JSONata only. */
  Arguments?: JsonObject | JsonataExpression;
  WriterConfig?: WriterConfig;
}

export interface MapState extends StateBase<'Map'>, Transition, JsonPathFilters, ResultHandling, ErrorHandling {
  ItemProcessor?: ItemProcessor;
  /** The legacy name of ItemProcessor (inline Map only). */
  Iterator?: ItemProcessor;
  /** JSONPath only: a reference path to the items array. */
  ItemsPath?: string;
  /** JSONata only: an array or an expression that evaluates to one. */
  Items?: JsonValue[] | JsonataExpression;
  ItemSelector?: PayloadTemplate | JsonataTemplate;
  /** JSONPath only: the legacy name of ItemSelector. */
  Parameters?: PayloadTemplate;
  /** JSONPath only. */
  ResultSelector?: PayloadTemplate;
  ItemReader?: ItemReader;
  ItemBatcher?: ItemBatcher;
  ResultWriter?: ResultWriter;
  /** A non-negative integer (0: no limit), or (JSONata) an expression. */
  MaxConcurrency?: number | JsonataExpression;
  /** JSONPath only. */
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number | JsonataExpression;
  /** JSONPath only. */
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number | JsonataExpression;
  /** JSONPath only. */
  ToleratedFailureCountPath?: string;
  /** Distributed Map only: names the Map Run's child executions. */
  Label?: string;
}

/** Any state, discriminated on `Type`. */
export type State =
  | PassState
  | TaskState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;
