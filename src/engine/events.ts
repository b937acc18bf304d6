/**
 * History events, in the shape Step Functions' GetExecutionHistory returns them.
 *
 * Internally an event keeps its payloads (input, output, parameters) as values, not JSON
 * strings: the interpreter never mutates a value after it has been recorded, so recording is a
 * reference copy. `toAwsEvent` turns an event into the exact AWS wire shape (payloads as JSON
 * text, `<type>EventDetails` field names) when someone asks for it.
 */
export type HistoryEventType =
  | 'ExecutionStarted' | 'ExecutionSucceeded' | 'ExecutionFailed' | 'ExecutionAborted' | 'ExecutionTimedOut'
  | 'ExecutionRedriven'
  | 'PassStateEntered' | 'PassStateExited'
  | 'ChoiceStateEntered' | 'ChoiceStateExited'
  | 'WaitStateEntered' | 'WaitStateExited' | 'WaitStateAborted'
  | 'SucceedStateEntered' | 'SucceedStateExited'
  | 'FailStateEntered'
  | 'TaskStateEntered' | 'TaskStateExited' | 'TaskStateAborted'
  | 'TaskScheduled' | 'TaskStarted' | 'TaskStartFailed' | 'TaskSubmitted' | 'TaskSubmitFailed'
  | 'TaskSucceeded' | 'TaskFailed' | 'TaskTimedOut'
  | 'LambdaFunctionScheduled' | 'LambdaFunctionStarted' | 'LambdaFunctionStartFailed'
  | 'LambdaFunctionScheduleFailed' | 'LambdaFunctionSucceeded' | 'LambdaFunctionFailed' | 'LambdaFunctionTimedOut'
  | 'ActivityScheduled' | 'ActivityStarted' | 'ActivityScheduleFailed' | 'ActivitySucceeded' | 'ActivityFailed'
  | 'ActivityTimedOut'
  | 'ParallelStateEntered' | 'ParallelStateStarted' | 'ParallelStateSucceeded' | 'ParallelStateFailed'
  | 'ParallelStateAborted' | 'ParallelStateExited'
  | 'MapStateEntered' | 'MapStateStarted' | 'MapStateSucceeded' | 'MapStateFailed' | 'MapStateAborted' | 'MapStateExited'
  | 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed' | 'MapIterationAborted'
  | 'MapRunStarted' | 'MapRunSucceeded' | 'MapRunFailed' | 'MapRunAborted' | 'MapRunRedriven'
  | 'EvaluationFailed';

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly type: HistoryEventType;
  /** The frame (root, Parallel branch, Map iteration) that produced the event; '' is the root. */
  readonly frame: string;
  /** Details as AWS names them, payloads as values (see toAwsEvent). */
  readonly details?: EventDetails;
}

export interface EventDetails {
  name?: string;
  input?: unknown;
  output?: unknown;
  parameters?: unknown;
  error?: string;
  cause?: string;
  resource?: string;
  resourceType?: string;
  region?: string;
  roleArn?: string;
  timeoutInSeconds?: number;
  heartbeatInSeconds?: number;
  index?: number;
  length?: number;
  workerName?: string;
  mapRunArn?: string;
  location?: string;
  state?: string;
  assignedVariables?: Record<string, unknown>;
  redriveCount?: number;
  stateMachineAliasArn?: string;
  stateMachineVersionArn?: string;
  /**
   * Not AWS's: on a Choice state's Exited event, the index of the rule in Choices that matched
   * (-1: Default); on the Exited event of a state whose error a Catcher handled, that
   * Catcher's index. Coverage (src/testing) reads them; toAwsEvent leaves them out.
   */
  choiceRule?: number;
  catcher?: number;
}

/** EventDetails fields that are Stepwise's own and never leave in AWS's shape. */
const INTERNAL_FIELDS: ReadonlySet<string> = new Set(['assignedVariables', 'choiceRule', 'catcher']);

/** Payload fields that AWS transmits as JSON text with a sibling `<field>Details: {truncated}`. */
const PAYLOAD_FIELDS = ['input', 'output', 'parameters'] as const;

/** The name of the details field AWS uses for an event type, e.g. `taskScheduledEventDetails`. */
export function detailsFieldName(type: HistoryEventType): string | null {
  if (/StateEntered$/.test(type)) return 'stateEnteredEventDetails';
  if (/StateExited$/.test(type)) return 'stateExitedEventDetails';
  switch (type) {
    case 'LambdaFunctionStarted':
    case 'ParallelStateStarted':
    case 'ParallelStateSucceeded':
    case 'ParallelStateFailed':
    case 'ParallelStateAborted':
    case 'MapStateSucceeded':
    case 'MapStateFailed':
    case 'MapStateAborted':
    case 'WaitStateAborted':
    case 'TaskStateAborted':
    case 'MapRunSucceeded':
      return null;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
    case 'MapIterationAborted':
      return `${lowerFirst(type)}EventDetails`;
    default:
      return `${lowerFirst(type)}EventDetails`;
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Serialises a payload as AWS does in history and API responses (compact JSON). */
export function toJsonText(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

export interface AwsHistoryEvent {
  timestamp: Date;
  type: HistoryEventType;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** The event exactly as GetExecutionHistory returns it (includeExecutionData = true). */
export function toAwsEvent(event: HistoryEvent, includeExecutionData = true): AwsHistoryEvent {
  const out: AwsHistoryEvent = {
    timestamp: new Date(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  const field = detailsFieldName(event.type);
  if (field && event.details) {
    const details: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(event.details)) {
      if (value === undefined || INTERNAL_FIELDS.has(key)) continue;
      if ((PAYLOAD_FIELDS as readonly string[]).includes(key)) {
        if (!includeExecutionData) continue;
        details[key] = toJsonText(value);
        details[`${key}Details`] = { truncated: false };
      } else {
        details[key] = value;
      }
    }
    if (event.details.assignedVariables) {
      const assigned: Record<string, string> = {};
      for (const [name, value] of Object.entries(event.details.assignedVariables)) assigned[name] = toJsonText(value);
      if (includeExecutionData) details.assignedVariables = assigned;
      details.assignedVariablesDetails = { truncated: false };
    }
    out[field] = details;
  }
  return out;
}
