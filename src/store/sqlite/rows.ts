/**
 * Rows as SQLite returns them, and their records. NULL columns become absent optional fields,
 * so a record read back equals the record written.
 */
import type { HistoryEvent, HistoryEventType } from '../../engine/events.js';
import type {
  ActivityRecord,
  AliasRecord,
  ExecutionRecord,
  ExecutionStatus,
  StartedBy,
  LoggedTrigger,
  MapRunRecord,
  MapRunStatus,
  StateMachineRecord,
  StateMachineType,
  StateMachineVersionRecord,
  TaskRecord,
  TaskStatus,
  TimerRecord,
} from '../types.js';

type Nullable<T> = T | null;

export interface StateMachineRow {
  seq: number;
  arn: string;
  name: string;
  type: string;
  definition: string;
  role_arn: string;
  created_at: number;
  updated_at: Nullable<number>;
  revision_id: string;
  description: Nullable<string>;
  logging_configuration: Nullable<string>;
  tracing_configuration: Nullable<string>;
  encryption_configuration: Nullable<string>;
  next_version: number;
}

export function stateMachineParams(r: StateMachineRecord): unknown[] {
  return [
    r.arn, r.name, r.type, r.definition, r.roleArn, r.createdAt, r.updatedAt ?? null, r.revisionId, r.description ?? null,
    json(r.loggingConfiguration), json(r.tracingConfiguration), json(r.encryptionConfiguration), r.nextVersion,
  ];
}

/** The columns an update writes (UPDATE state_machines SET definition, role_arn, updated_at, revision_id, logging, tracing, encryption). */
export function revisionParams(r: StateMachineRecord): unknown[] {
  return [r.definition, r.roleArn, r.updatedAt ?? null, r.revisionId, json(r.loggingConfiguration), json(r.tracingConfiguration), json(r.encryptionConfiguration)];
}

export function stateMachineOf(row: StateMachineRow): StateMachineRecord {
  return {
    arn: row.arn,
    name: row.name,
    type: row.type as StateMachineType,
    definition: row.definition,
    roleArn: row.role_arn,
    createdAt: row.created_at,
    ...(row.updated_at !== null ? { updatedAt: row.updated_at } : {}),
    revisionId: row.revision_id,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.logging_configuration !== null ? { loggingConfiguration: JSON.parse(row.logging_configuration) } : {}),
    ...(row.tracing_configuration !== null ? { tracingConfiguration: JSON.parse(row.tracing_configuration) } : {}),
    ...(row.encryption_configuration !== null ? { encryptionConfiguration: JSON.parse(row.encryption_configuration) } : {}),
    nextVersion: row.next_version,
  };
}

export interface VersionRow {
  arn: string;
  state_machine_arn: string;
  version: number;
  definition: string;
  role_arn: string;
  type: string;
  description: Nullable<string>;
  created_at: number;
  revision_id: string;
  logging_configuration: Nullable<string>;
  tracing_configuration: Nullable<string>;
}

export function versionParams(r: StateMachineVersionRecord): unknown[] {
  return [
    r.arn, r.stateMachineArn, r.version, r.definition, r.roleArn, r.type, r.description ?? null, r.createdAt, r.revisionId,
    json(r.loggingConfiguration), json(r.tracingConfiguration),
  ];
}

export function versionOf(row: VersionRow): StateMachineVersionRecord {
  return {
    arn: row.arn,
    stateMachineArn: row.state_machine_arn,
    version: row.version,
    definition: row.definition,
    roleArn: row.role_arn,
    type: row.type as StateMachineType,
    ...(row.description !== null ? { description: row.description } : {}),
    createdAt: row.created_at,
    revisionId: row.revision_id,
    ...(row.logging_configuration !== null ? { loggingConfiguration: JSON.parse(row.logging_configuration) } : {}),
    ...(row.tracing_configuration !== null ? { tracingConfiguration: JSON.parse(row.tracing_configuration) } : {}),
  };
}

export interface AliasRow {
  seq: number;
  arn: string;
  state_machine_arn: string;
  name: string;
  description: Nullable<string>;
  routing_configuration: string;
  created_at: number;
  updated_at: Nullable<number>;
}

export function aliasParams(r: AliasRecord): unknown[] {
  return [r.arn, r.stateMachineArn, r.name, r.description ?? null, JSON.stringify(r.routingConfiguration), r.createdAt, r.updatedAt ?? null];
}

export function aliasOf(row: AliasRow): AliasRecord {
  return {
    arn: row.arn,
    stateMachineArn: row.state_machine_arn,
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    routingConfiguration: JSON.parse(row.routing_configuration),
    createdAt: row.created_at,
    ...(row.updated_at !== null ? { updatedAt: row.updated_at } : {}),
  };
}

export interface ActivityRow {
  seq: number;
  arn: string;
  name: string;
  created_at: number;
}

export function activityOf(row: ActivityRow): ActivityRecord {
  return { arn: row.arn, name: row.name, createdAt: row.created_at };
}

export interface ExecutionRow {
  id: number;
  arn: string;
  state_machine_arn: string;
  name: string;
  type: string;
  status: string;
  input: string;
  output: Nullable<string>;
  error: Nullable<string>;
  cause: Nullable<string>;
  start_date: number;
  stop_date: Nullable<number>;
  definition_hash: string;
  role_arn: string;
  version_arn: Nullable<string>;
  alias_arn: Nullable<string>;
  redrive_count: number;
  redrive_date: Nullable<number>;
  test_case: Nullable<string>;
  trace_header: Nullable<string>;
  parent_execution_arn: Nullable<string>;
  parent_task_id: Nullable<string>;
  seed: Nullable<string>;
  engine_version: Nullable<number>;
  started_by: Nullable<string>;
  map_run_arn: Nullable<string>;
  last_event_id: number;
}

/** Columns of INSERT INTO executions, in the order of executionParams. */
export const EXECUTION_COLUMNS =
  'arn, state_machine_arn, name, type, status, input, output, error, cause, start_date, stop_date, definition_hash, role_arn, ' +
  'version_arn, alias_arn, redrive_count, redrive_date, test_case, trace_header, parent_execution_arn, parent_task_id, seed, engine_version, ' +
  'started_by, map_run_arn, last_event_id, trigger_count';

export function executionParams(r: ExecutionRecord, definitionHash: string, lastEventId: number, triggerCount: number): unknown[] {
  return [
    r.arn, r.stateMachineArn, r.name, r.type, r.status, r.input, r.output ?? null, r.error ?? null, r.cause ?? null, r.startDate,
    r.stopDate ?? null, definitionHash, r.roleArn, r.stateMachineVersionArn ?? null, r.stateMachineAliasArn ?? null,
    r.redriveCount, r.redriveDate ?? null, r.testCase ?? null, r.traceHeader ?? null, r.parentExecutionArn ?? null, r.parentTaskId ?? null,
    r.seed ?? null, r.engineVersion ?? null, r.startedBy ? JSON.stringify(r.startedBy) : null, r.mapRunArn ?? null, lastEventId, triggerCount,
  ];
}

export function executionOf(row: ExecutionRow, definition: string): ExecutionRecord {
  return {
    arn: row.arn,
    stateMachineArn: row.state_machine_arn,
    name: row.name,
    type: row.type as StateMachineType,
    status: row.status as ExecutionStatus,
    input: row.input,
    ...(row.output !== null ? { output: row.output } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    ...(row.cause !== null ? { cause: row.cause } : {}),
    startDate: row.start_date,
    ...(row.stop_date !== null ? { stopDate: row.stop_date } : {}),
    definition,
    roleArn: row.role_arn,
    ...(row.version_arn !== null ? { stateMachineVersionArn: row.version_arn } : {}),
    ...(row.alias_arn !== null ? { stateMachineAliasArn: row.alias_arn } : {}),
    redriveCount: row.redrive_count,
    ...(row.redrive_date !== null ? { redriveDate: row.redrive_date } : {}),
    ...(row.test_case !== null ? { testCase: row.test_case } : {}),
    ...(row.trace_header !== null ? { traceHeader: row.trace_header } : {}),
    ...(row.parent_execution_arn !== null ? { parentExecutionArn: row.parent_execution_arn } : {}),
    ...(row.parent_task_id !== null ? { parentTaskId: row.parent_task_id } : {}),
    ...(row.seed !== null ? { seed: row.seed } : {}),
    ...(row.engine_version !== null ? { engineVersion: row.engine_version } : {}),
    ...(row.started_by !== null ? { startedBy: JSON.parse(row.started_by) as StartedBy } : {}),
    ...(row.map_run_arn !== null && row.map_run_arn !== undefined ? { mapRunArn: row.map_run_arn } : {}),
    lastEventId: row.last_event_id,
  };
}

export interface EventRow {
  id: number;
  previous_event_id: number;
  type: string;
  timestamp: number;
  frame: string;
  details: Nullable<string>;
  /** The payloads that fill the placeholders of `details` (payloads.ts), or NULL. */
  refs: Nullable<string>;
}

/** `details`: the row's details with their payloads put back (payloads.ts), when it has refs. */
export function eventOf(row: EventRow, details?: unknown): HistoryEvent {
  const event = {
    id: row.id,
    previousEventId: row.previous_event_id,
    timestamp: row.timestamp,
    type: row.type as HistoryEventType,
    frame: row.frame,
  };
  return row.details === null ? event : { ...event, details: details ?? JSON.parse(row.details) };
}

export interface TriggerRow {
  time: number;
  trigger: string;
}

/** A sliced decision's step count travels inside the trigger's JSON, as `$steps` (no trigger has such a member). */
export function triggerOf(row: TriggerRow): LoggedTrigger {
  const trigger = JSON.parse(row.trigger) as LoggedTrigger['trigger'] & { $steps?: number };
  if (trigger.$steps === undefined) return { time: row.time, trigger };
  const { $steps: steps, ...rest } = trigger;
  return { time: row.time, trigger: rest as LoggedTrigger['trigger'], steps };
}

export function triggerJson(logged: LoggedTrigger): string {
  return JSON.stringify(logged.steps === undefined ? logged.trigger : { ...logged.trigger, $steps: logged.steps });
}

export interface TimerRow {
  execution_arn: string;
  timer_id: string;
  due_at: number;
}

export function timerOf(row: TimerRow): TimerRecord {
  return { executionArn: row.execution_arn, timerId: row.timer_id, dueAt: row.due_at };
}

export interface TaskRow {
  token: string;
  execution_arn: string;
  task_id: string;
  activity_arn: Nullable<string>;
  input: string;
  status: string;
  worker_name: Nullable<string>;
  created_at: number;
  started_at: Nullable<number>;
}

export function taskOf(row: TaskRow): TaskRecord {
  return {
    token: row.token,
    executionArn: row.execution_arn,
    taskId: row.task_id,
    ...(row.activity_arn !== null ? { activityArn: row.activity_arn } : {}),
    input: row.input,
    status: row.status as TaskStatus,
    ...(row.worker_name !== null ? { workerName: row.worker_name } : {}),
    createdAt: row.created_at,
    ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
  };
}

/** Optional JSON-valued configuration as text; absent stays NULL. */
function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export interface MapRunRow {
  seq: number;
  arn: string;
  execution_arn: string;
  state_machine_arn: string;
  status: string;
  start_date: number;
  stop_date: Nullable<number>;
  max_concurrency: number;
  tolerated_failure_percentage: number;
  tolerated_failure_count: number;
  item_counts: string;
  execution_counts: string;
  redrive_count: number;
  redrive_date: Nullable<number>;
}

/** Values for map_runs after execution_id, in the order of the upsert (execution-writes.ts). */
export function mapRunParams(r: MapRunRecord): unknown[] {
  return [
    r.arn, r.stateMachineArn, r.status, r.startDate, r.stopDate ?? null, r.maxConcurrency, r.toleratedFailurePercentage,
    r.toleratedFailureCount, JSON.stringify(r.itemCounts), JSON.stringify(r.executionCounts), r.redriveCount, r.redriveDate ?? null,
  ];
}

export function mapRunOf(row: MapRunRow): MapRunRecord {
  return {
    arn: row.arn,
    executionArn: row.execution_arn,
    stateMachineArn: row.state_machine_arn,
    status: row.status as MapRunStatus,
    startDate: row.start_date,
    ...(row.stop_date !== null ? { stopDate: row.stop_date } : {}),
    maxConcurrency: row.max_concurrency,
    toleratedFailurePercentage: row.tolerated_failure_percentage,
    toleratedFailureCount: row.tolerated_failure_count,
    itemCounts: JSON.parse(row.item_counts),
    executionCounts: JSON.parse(row.execution_counts),
    redriveCount: row.redrive_count,
    ...(row.redrive_date !== null ? { redriveDate: row.redrive_date } : {}),
  };
}
