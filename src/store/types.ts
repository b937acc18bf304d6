/**
 * The storage contract of the server: records as the API and the durable runner need them, and
 * one Store interface that every backend (memory, SQLite, PostgreSQL) implements. Nothing here
 * knows a backend: the interface is asynchronous so a network database fits it as well as an
 * embedded one, and every write that moves an execution is one atomic `ExecutionWrite`.
 */
import type { HistoryEvent } from '../engine/events.js';
import type { MapRunRecord, Trigger } from '../engine/model.js';

/** Map Runs are the engine's records (engine/model.ts), stored as they come. */
export type { MapRunCounts, MapRunRecord, MapRunStatus } from '../engine/model.js';

export type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** Times are milliseconds since the epoch throughout. */
export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly type: StateMachineType;
  readonly definition: string;
  readonly roleArn: string;
  readonly createdAt: number;
  readonly updatedAt?: number;
  readonly revisionId: string;
  readonly description?: string;
  readonly loggingConfiguration?: unknown;
  readonly tracingConfiguration?: unknown;
  readonly encryptionConfiguration?: unknown;
  /** The number the next published version gets (versions count from 1 and are never reused). */
  readonly nextVersion: number;
}

export interface StateMachineVersionRecord {
  /** `<state machine ARN>:<version>` */
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly version: number;
  readonly definition: string;
  readonly roleArn: string;
  readonly type: StateMachineType;
  readonly description?: string;
  readonly createdAt: number;
  readonly revisionId: string;
  readonly loggingConfiguration?: unknown;
  readonly tracingConfiguration?: unknown;
}

export interface RoutingEntry {
  readonly stateMachineVersionArn: string;
  readonly weight: number;
}

export interface AliasRecord {
  /** `<state machine ARN>:<alias name>` */
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly description?: string;
  readonly routingConfiguration: readonly RoutingEntry[];
  readonly createdAt: number;
  readonly updatedAt?: number;
}

export interface ActivityRecord {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface ExecutionRecord {
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly type: StateMachineType;
  readonly status: ExecutionStatus;
  /** Execution input as JSON text. */
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: number;
  readonly stopDate?: number;
  /** The definition the execution runs (state machines change; executions keep theirs). */
  readonly definition: string;
  readonly roleArn: string;
  readonly stateMachineVersionArn?: string;
  readonly stateMachineAliasArn?: string;
  readonly redriveCount: number;
  readonly redriveDate?: number;
  /** A Step Functions Local mock test case (`<arn>#TestCase`), when started with one. */
  readonly testCase?: string;
  readonly traceHeader?: string;
  /**
   * For an execution a Task state started (`arn:aws:states:::states:startExecution…`): the
   * execution and task that started it, so its end can answer a `.sync` task, and a restarted
   * parent can recognise the child it started already.
   */
  readonly parentExecutionArn?: string;
  readonly parentTaskId?: string;
  /** Id of the last history event; writes must name it (optimistic concurrency). */
  readonly lastEventId: number;
}

/** A trigger as the replay log keeps it, with the time it was applied. */
export type LoggedTrigger =
  | { readonly time: number; readonly trigger: { readonly type: 'Start' } }
  | { readonly time: number; readonly trigger: Trigger };

/** A durable timer: a Wait, a retry back-off, a timeout or a heartbeat deadline. */
export interface TimerRecord {
  readonly executionArn: string;
  readonly timerId: string;
  readonly dueAt: number;
}

export type TaskStatus = 'SCHEDULED' | 'STARTED' | 'CLOSED';

/**
 * A task waiting for the outside world: an activity task (polled by GetActivityTask) or a task
 * token (`.waitForTaskToken`, answered by SendTaskSuccess/Failure/Heartbeat).
 */
export interface TaskRecord {
  readonly token: string;
  readonly executionArn: string;
  /** The interpreter's task id (model.ts Command InvokeTask.taskId). */
  readonly taskId: string;
  /** For activity tasks: the activity ARN workers poll. */
  readonly activityArn?: string;
  /** The task's input as JSON text. */
  readonly input: string;
  readonly status: TaskStatus;
  readonly workerName?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
}

/** Everything one decision changes, committed atomically. */
export interface ExecutionWrite {
  readonly executionArn: string;
  /** The execution's lastEventId the writer saw; the write fails with StoreConflict otherwise. */
  readonly expectedLastEventId: number;
  readonly events: readonly HistoryEvent[];
  readonly trigger?: LoggedTrigger;
  /** Changes to the execution row (status, output, stop date, redrive fields…). */
  readonly update?: Partial<Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause' | 'stopDate' | 'redriveCount' | 'redriveDate'>>;
  readonly timersAdded?: readonly TimerRecord[];
  readonly timersRemoved?: readonly string[];
  readonly tasksAdded?: readonly TaskRecord[];
  /** Tokens of tasks that are settled (completed, failed, timed out or cancelled). */
  readonly tasksClosed?: readonly string[];
  /**
   * Map Runs the decision started or changed, each replacing the stored record of its ARN. They
   * belong to the write's execution (their executionArn must name it).
   */
  readonly mapRuns?: readonly MapRunRecord[];
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  readonly nextToken?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly nextToken?: string;
}

export interface ExecutionFilter {
  readonly stateMachineArn?: string;
  readonly versionArn?: string;
  readonly aliasArn?: string;
  readonly status?: ExecutionStatus;
}

/** Thrown by writes that lost a race (another writer moved the execution on). */
export class StoreConflict extends Error {
  override readonly name = 'StoreConflict';
}

export interface Store {
  // ------------------------------------------------------------------ state machines and friends
  /** Inserts; resolves false when the ARN exists already. */
  createStateMachine(record: StateMachineRecord): Promise<boolean>;
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined>;
  /** Replaces the record (same ARN). */
  putStateMachine(record: StateMachineRecord): Promise<void>;
  /** Deletes the state machine with its versions, aliases and tags (executions stay). */
  deleteStateMachine(arn: string): Promise<void>;
  listStateMachines(page: PageRequest): Promise<Page<StateMachineRecord>>;

  putVersion(record: StateMachineVersionRecord): Promise<void>;
  getVersion(arn: string): Promise<StateMachineVersionRecord | undefined>;
  deleteVersion(arn: string): Promise<void>;
  /** Newest first, as ListStateMachineVersions returns them. */
  listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>>;

  putAlias(record: AliasRecord): Promise<void>;
  getAlias(arn: string): Promise<AliasRecord | undefined>;
  deleteAlias(arn: string): Promise<void>;
  listAliases(stateMachineArn: string, page: PageRequest): Promise<Page<AliasRecord>>;

  createActivity(record: ActivityRecord): Promise<boolean>;
  getActivity(arn: string): Promise<ActivityRecord | undefined>;
  deleteActivity(arn: string): Promise<void>;
  listActivities(page: PageRequest): Promise<Page<ActivityRecord>>;

  /** Adds or overwrites tags by key. */
  tagResource(arn: string, tags: readonly Tag[]): Promise<void>;
  untagResource(arn: string, keys: readonly string[]): Promise<void>;
  listTags(arn: string): Promise<readonly Tag[]>;

  // ------------------------------------------------------------------ executions
  /** Inserts the execution with its first decision; resolves false when the ARN exists. */
  createExecution(record: ExecutionRecord, first: ExecutionWrite): Promise<boolean>;
  getExecution(arn: string): Promise<ExecutionRecord | undefined>;
  /** Newest first (by start date). */
  listExecutions(filter: ExecutionFilter, page: PageRequest): Promise<Page<ExecutionRecord>>;
  /** Commits one decision atomically; rejects with StoreConflict on a stale expectedLastEventId. */
  appendExecution(write: ExecutionWrite): Promise<void>;
  /** Events in id order from `afterId` (exclusive), at most `limit`; `reverse` walks down from `beforeId`. */
  getEvents(executionArn: string, options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean }): Promise<readonly HistoryEvent[]>;
  /** The replay log, in order. */
  getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]>;
  /** ARNs of executions whose status is RUNNING (to resume after a restart). */
  runningExecutions(): Promise<readonly string[]>;

  // ------------------------------------------------------------------ map runs
  getMapRun(arn: string): Promise<MapRunRecord | undefined>;
  /** The Map Runs of an execution in the order they started. */
  listMapRuns(executionArn: string, page: PageRequest): Promise<Page<MapRunRecord>>;

  // ------------------------------------------------------------------ timers and tasks
  /** Timers due at or before `now`, oldest first. */
  dueTimers(now: number, limit: number): Promise<readonly TimerRecord[]>;
  /** The earliest pending timer's due time, if any (so a runner can sleep until then). */
  nextTimerDue(): Promise<number | undefined>;
  timersOf(executionArn: string): Promise<readonly TimerRecord[]>;
  getTask(token: string): Promise<TaskRecord | undefined>;
  tasksOf(executionArn: string): Promise<readonly TaskRecord[]>;
  /**
   * Atomically hands the oldest SCHEDULED task of an activity to a worker (status STARTED);
   * undefined when there is none. A task is never handed out twice.
   */
  claimActivityTask(activityArn: string, workerName: string | undefined, now: number): Promise<TaskRecord | undefined>;

  close(): Promise<void>;
}
