/**
 * Recordings: one finished execution in a file that the console can show without a server
 * (`stepwise run --record`, `stepwise view`, or a file dropped on the console).
 *
 * The shape is what the console already reads from the API, so its pages render a recording
 * with the code that renders a live execution: `execution` is DescribeExecution's answer
 * (input and output as JSON text) and `events` are GetExecutionHistory's, with timestamps as
 * epoch seconds as AWS JSON 1.0 sends them.
 *
 * ```json
 * { "stepwiseRecording": 1,
 *   "definition": { "StartAt": "…", "States": { … } },
 *   "execution": { "name", "executionArn", "stateMachineArn", "stateMachineName", "status",
 *                  "input", "output"?, "error"?, "cause"?, "startDate", "stopDate"? },
 *   "events": [ { "id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 1767225600.123,
 *                 "executionStartedEventDetails": { … } }, … ] }
 * ```
 *
 * Pure: no node:* imports, so the console bundles it. A recording is data from anywhere (a
 * file someone sent), so `parseRecording` checks every field the console reads and keeps only
 * those.
 */

import { jsonNestingDepth, MAX_JSON_NESTING } from '../asl/json-nesting.js';

/** The format's version; a reader refuses versions it does not know. */
export const RECORDING_FORMAT = 1;

/**
 * The largest recording read (in UTF-16 code units of its text, about its size in bytes).
 * V8 cannot hold a string of more than about 512 MiB, and a history of AWS's 25,000 events
 * with large payloads stays well below this.
 */
export const MAX_RECORDING_CHARS = 256 * 1024 * 1024;

/**
 * Deepest nesting of JSON, in the recording and in the JSON text of its payloads: Jackson's
 * limit, which AWS parses with, so a real execution's documents are always within it; deeper
 * ones would exhaust the stack of the code that shows them.
 */
export const MAX_RECORDING_NESTING = MAX_JSON_NESTING;

export type RecordedStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
const STATUSES: readonly RecordedStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/** DescribeExecution's fields that a recording keeps (dates in epoch seconds). */
export interface RecordedExecution {
  readonly name: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly status: RecordedStatus;
  /** JSON text. */
  readonly input: string;
  /** JSON text (a SUCCEEDED execution's). */
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: number;
  readonly stopDate?: number;
}

/** A GetExecutionHistory event: `<type>EventDetails` fields vary; timestamp in epoch seconds. */
export interface RecordedEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly type: string;
  readonly timestamp: number;
  readonly [detailsField: string]: unknown;
}

export interface Recording {
  readonly stepwiseRecording: typeof RECORDING_FORMAT;
  /** The state machine's definition (an ASL object). */
  readonly definition: Record<string, unknown>;
  readonly execution: RecordedExecution;
  /** The whole history, in id order (ids 1, 2, 3, …). */
  readonly events: readonly RecordedEvent[];
}

/** What `recordingOf` reads of an `execute()` result (structurally: this module imports no runtime). */
export interface RecordableResult {
  readonly status: Exclude<RecordedStatus, 'RUNNING' | 'PENDING_REDRIVE'>;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** The history in AWS's shape (Date timestamps, payloads as JSON text). */
  readonly history: readonly { readonly timestamp: Date; readonly type: string; readonly id: number; readonly previousEventId: number; readonly [details: string]: unknown }[];
}

/** Who the execution was: `identityFor(options)` of the run gives these. */
export interface RecordedIdentity {
  readonly executionName: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
}

/** The recording of an execution run by `execute()`, finished or not (a failure is worth a look too). */
export function recordingOf(definition: Record<string, unknown>, result: RecordableResult, identity: RecordedIdentity): Recording {
  const events: RecordedEvent[] = result.history.map(({ timestamp, ...rest }) => ({ ...rest, timestamp: timestamp.getTime() / 1000 }));
  const started = events[0];
  if (started?.type !== 'ExecutionStarted') throw new Error('recordingOf: the history does not begin with ExecutionStarted');
  const startedDetails = started.executionStartedEventDetails as { input?: unknown } | undefined;
  const input = typeof startedDetails?.input === 'string' ? startedDetails.input : '{}';
  return {
    stepwiseRecording: RECORDING_FORMAT,
    definition,
    execution: {
      name: identity.executionName,
      executionArn: identity.executionArn,
      stateMachineArn: identity.stateMachineArn,
      stateMachineName: identity.stateMachineName,
      status: result.status,
      input,
      ...(result.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cause !== undefined ? { cause: result.cause } : {}),
      startDate: started.timestamp,
      stopDate: events[events.length - 1]!.timestamp,
    },
    events,
  };
}

/** A recording that cannot be read; the message names the field and what is wrong with it. */
export class InvalidRecordingError extends Error {
  override readonly name = 'InvalidRecordingError';
}

/**
 * Reads a recording's text, checking it the way the console will use it. Timestamps and dates
 * may be epoch seconds or ISO 8601 text (`aws stepfunctions get-execution-history` prints
 * either); they come back as epoch seconds. Fields the console does not read are dropped.
 */
export function parseRecording(text: string): Recording {
  if (typeof text !== 'string') throw new InvalidRecordingError('a recording is JSON text');
  if (text.length > MAX_RECORDING_CHARS) throw new InvalidRecordingError(`the recording is larger than ${MAX_RECORDING_CHARS / 1024 / 1024} MiB`);
  if (jsonNestingDepth(text, MAX_RECORDING_NESTING) > MAX_RECORDING_NESTING) throw new InvalidRecordingError(`the recording nests JSON more than ${MAX_RECORDING_NESTING} levels deep, which is not read`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidRecordingError(`the recording is not JSON: ${(e as Error).message}`);
  }
  const root = object(value, 'the recording');
  if (!('stepwiseRecording' in root)) throw new InvalidRecordingError('this JSON is not a Stepwise recording (it has no "stepwiseRecording" field)');
  if (root.stepwiseRecording !== RECORDING_FORMAT) {
    throw new InvalidRecordingError(`stepwiseRecording is ${preview(root.stepwiseRecording)}: this Stepwise reads version ${RECORDING_FORMAT} only`);
  }
  const definition = readDefinition(root.definition);
  const execution = readExecution(root.execution);
  const events = readEvents(root.events);
  if (execution.stopDate !== undefined && execution.stopDate < execution.startDate) {
    throw new InvalidRecordingError(`execution.stopDate (${execution.stopDate}) is before execution.startDate (${execution.startDate})`);
  }
  return { stepwiseRecording: RECORDING_FORMAT, definition, execution, events };
}

function readDefinition(value: unknown): Record<string, unknown> {
  const definition = object(value, 'definition');
  if (typeof definition.StartAt !== 'string') throw new InvalidRecordingError(`definition.StartAt must be a state name (text), not ${preview(definition.StartAt)}`);
  const states = object(definition.States, 'definition.States');
  for (const [name, state] of Object.entries(states)) {
    const field = `definition.States[${JSON.stringify(name)}]`;
    if (typeof object(state, field).Type !== 'string') throw new InvalidRecordingError(`${field}.Type must be a state type (text)`);
  }
  return definition;
}

function readExecution(value: unknown): RecordedExecution {
  const execution = object(value, 'execution');
  const status = execution.status;
  if (!(STATUSES as readonly unknown[]).includes(status)) throw new InvalidRecordingError(`execution.status must be one of ${STATUSES.join(', ')}, not ${preview(status)}`);
  const arn = (field: string): string => {
    const text = string(execution[field], `execution.${field}`);
    if (!text.startsWith('arn:')) throw new InvalidRecordingError(`execution.${field} must be an ARN (arn:…), not ${preview(text)}`);
    return text;
  };
  const optional = (field: string): string | undefined => (execution[field] === undefined ? undefined : string(execution[field], `execution.${field}`));
  const output = optional('output');
  const error = optional('error');
  const cause = optional('cause');
  const stopDate = execution.stopDate === undefined ? undefined : date(execution.stopDate, 'execution.stopDate');
  return {
    name: string(execution.name, 'execution.name'),
    executionArn: arn('executionArn'),
    stateMachineArn: arn('stateMachineArn'),
    stateMachineName: string(execution.stateMachineName, 'execution.stateMachineName'),
    status: status as RecordedStatus,
    input: payload(execution.input, 'execution.input'),
    ...(output !== undefined ? { output: payload(output, 'execution.output') } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(cause !== undefined ? { cause: payload(cause, 'execution.cause') } : {}),
    startDate: date(execution.startDate, 'execution.startDate'),
    ...(stopDate !== undefined ? { stopDate } : {}),
  };
}

/** Event types are AWS's names: letters only (they become CSS classes and data attributes). */
const EVENT_TYPE = /^[A-Z][A-Za-z]{0,99}$/;
const EVENT_FIELDS = new Set(['id', 'previousEventId', 'type', 'timestamp']);

function readEvents(value: unknown): RecordedEvent[] {
  if (!Array.isArray(value)) throw new InvalidRecordingError(`events must be an array of history events, not ${preview(value)}`);
  if (value.length === 0) throw new InvalidRecordingError('events is empty: a history begins with ExecutionStarted');
  const events: RecordedEvent[] = [];
  for (let i = 0; i < value.length; i++) {
    const where = `events[${i}]`;
    const event = object(value[i], where);
    // The console finds events by id and hands them on in id order: the ids must be AWS's 1, 2, 3, …
    if (event.id !== i + 1) throw new InvalidRecordingError(`${where}.id must be ${i + 1} (events are numbered 1, 2, 3, … in order), not ${preview(event.id)}`);
    const previous = event.previousEventId;
    if (!Number.isInteger(previous) || (previous as number) < 0 || (previous as number) > i) {
      throw new InvalidRecordingError(`${where}.previousEventId must be the id of an earlier event or 0, not ${preview(previous)}`);
    }
    const type = event.type;
    if (typeof type !== 'string' || !EVENT_TYPE.test(type)) throw new InvalidRecordingError(`${where}.type must be an event type such as "TaskStateEntered", not ${preview(type)}`);
    if (i === 0 && type !== 'ExecutionStarted') throw new InvalidRecordingError(`events[0] must be ExecutionStarted, not ${type}`);
    const copy: Record<string, unknown> = { id: i + 1, previousEventId: previous, type, timestamp: date(event.timestamp, `${where}.timestamp`) };
    for (const [field, details] of Object.entries(event)) {
      if (EVENT_FIELDS.has(field)) continue;
      if (!/^[a-z][A-Za-z]*EventDetails$/.test(field)) throw new InvalidRecordingError(`${where} has a field ${JSON.stringify(field)}: events have id, previousEventId, type, timestamp and <type>EventDetails`);
      copy[field] = readDetails(details, `${where}.${field}`);
    }
    events.push(copy as RecordedEvent);
  }
  return events;
}

/**
 * Details are AWS's: text, numbers, booleans, and objects of them (assignedVariables,
 * inputDetails). The console shows text that holds JSON as JSON, so its nesting is checked too.
 */
function readDetails(value: unknown, where: string): Record<string, unknown> {
  const details = object(value, where);
  checkTexts(details, where);
  return details;
}

/** Checks the text inside a value (whose own nesting is within MAX_RECORDING_NESTING already). */
function checkTexts(value: unknown, where: string): void {
  if (typeof value === 'string') payload(value, where);
  else if (Array.isArray(value)) value.forEach((item, i) => checkTexts(item, `${where}[${i}]`));
  else if (typeof value === 'object' && value !== null) for (const [field, member] of Object.entries(value)) checkTexts(member, `${where}.${field}`);
}

/** JSON text (or any text) whose JSON nesting the console can show. */
function payload(value: unknown, where: string): string {
  const text = string(value, where);
  if (jsonNestingDepth(text, MAX_RECORDING_NESTING) > MAX_RECORDING_NESTING) throw new InvalidRecordingError(`${where} nests JSON more than ${MAX_RECORDING_NESTING} levels deep, which is not read`);
  return text;
}

/** Epoch seconds, from a number of them or from an ISO 8601 date. */
function date(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new InvalidRecordingError(`${where} must be a date: epoch seconds or ISO 8601 text, not ${preview(value)}`);
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidRecordingError(`${where} must be a JSON object, not ${preview(value)}`);
  return value as Record<string, unknown>;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new InvalidRecordingError(`${where} must be text, not ${preview(value)}`);
  return value;
}

/** A value as an error message shows it: its kind, and short values themselves. */
function preview(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
