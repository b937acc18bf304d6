/**
 * The storage contract of the server: records as the API and the durable runner need them, and
 * one Store interface that every backend (memory, SQLite, PostgreSQL) implements. Nothing here
 * knows a backend: the interface is asynchronous so a network database fits it as well as an
 * embedded one, and every write that moves an execution is one atomic `ExecutionWrite`.
 */
import type { HistoryEvent } from '../engine/events.js';
import type { MapRunRecord, Trigger } from '../engine/model.js';
import type { ScheduleStore } from './schedules.js';
import type { EventBusStore } from './event-bus.js';
import type { ClusterStore } from './cluster.js';

/** Map Runs are the engine's records (engine/model.ts), stored as they come. */
export type { MapRunCounts, MapRunRecord, MapRunStatus } from '../engine/model.js';
export type { ScheduleStore } from './schedules.js';
export type { EventBusStore } from './event-bus.js';
export type { ClusterStore, RoutedWork, Routed, ClusterWake } from './cluster.js';

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
   * parent can recognise the child it started already. An execution started through the SDK
   * integration (`aws-sdk:sfn:startExecution`) names its parent without a task: the quotas on
   * nested executions count both.
   */
  readonly parentExecutionArn?: string;
  readonly parentTaskId?: string;
  /**
   * The execution's secret random seed (hex), drawn from node:crypto when it was created: its
   * UUIDs, random numbers and task tokens derive from it (src/runtime/execution-secrets.ts), so
   * a replay regenerates them. Never shown by the API. Absent for executions stored before it
   * was recorded (SQLite migration 4): they keep drawing from their ARN, as they did.
   */
  readonly seed?: string;
  /**
   * ENGINE_VERSION (src/engine/version.ts) of the engine that started the execution, so a
   * rebuild by another engine can be refused. Absent for executions stored before it was.
   */
  readonly engineVersion?: number;
  /** What started it, when not an API call (the console shows it). */
  readonly startedBy?: StartedBy;
  /**
   * For a Distributed Map's child execution: its Map Run (ListExecutions by mapRunArn lists it;
   * DescribeExecution shows it). Its parent is parentExecutionArn; it does not count among the
   * executions its parent started for the nested-execution quotas.
   */
  readonly mapRunArn?: string;
  /** Id of the last history event; writes must name it (optimistic concurrency). */
  readonly lastEventId: number;
}

/**
 * What started an execution other than an API call: a schedule (EventBridge Scheduler), an HTTP
 * trigger of the configuration file, an event rule's target, or (for a Task or an SDK call of a
 * workflow) its parent execution. Stepwise's own: AWS does not record it.
 */
export type StartedBy =
  | { readonly type: 'schedule'; readonly arn: string; readonly scheduledTime: number }
  | { readonly type: 'route'; readonly name: string }
  | { readonly type: 'rule'; readonly arn: string; readonly eventId: string }
  | { readonly type: 'parent'; readonly arn: string };

/** A trigger as the replay log keeps it, with the time it was applied. */
export type LoggedTrigger = {
  readonly time: number;
  readonly trigger: { readonly type: 'Start' } | Trigger;
  /** Steps its decision took when the decision was cut short (a slice): a replay stops there too. */
  readonly steps?: number;
};

/** A durable timer: a Wait, a retry back-off, a timeout or a heartbeat deadline. */
export interface TimerRecord {
  readonly executionArn: string;
  readonly timerId: string;
  readonly dueAt: number;
}

/**
 * ANSWERED (several nodes on one database only): a node accepted a SendTaskSuccess/Failure for
 * the task and routed it to the execution's owner (cluster.ts); the owner's decision closes it.
 */
export type TaskStatus = 'SCHEDULED' | 'STARTED' | 'ANSWERED' | 'CLOSED';

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
  /**
   * Routed work (ClusterStore.routed ids) this decision applies: removed with the write, so it
   * is applied exactly once. A task answer routed so may close its ANSWERED task; any other
   * write that would close an ANSWERED task is refused (StoreConflict): it was decided without
   * the answer, which must be applied first.
   */
  readonly consumed?: readonly number[];
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
  /** A Map Run's child executions. */
  readonly mapRunArn?: string;
  readonly versionArn?: string;
  readonly aliasArn?: string;
  readonly status?: ExecutionStatus;
}

/** Thrown by writes that lost a race (another writer moved the execution on). */
export class StoreConflict extends Error {
  override readonly name = 'StoreConflict';
}

/**
 * Control-plane writes answer with what they did instead of throwing: every check they make (a
 * quota, an existing name, a version an alias routes to) runs inside the transaction that
 * writes, so two racing requests cannot both pass a check that only one of them may pass.
 */
export type CreateOutcome = 'created' | 'exists' | 'limit-exceeded';

export interface CreateStateMachineOptions {
  /** Tags written with the machine (the caller has checked their number). */
  readonly tags?: readonly Tag[];
  /** Publishes the machine's first revision as version 1 in the same transaction. */
  readonly publish?: { readonly description?: string };
  /** Refuses the create ('limit-exceeded') when this many state machines exist already. */
  readonly maxStateMachines?: number;
}

export type CreateStateMachineResult =
  | { readonly outcome: 'created'; readonly version?: StateMachineVersionRecord }
  | { readonly outcome: 'exists' }
  | { readonly outcome: 'limit-exceeded' };

/** What UpdateStateMachine changes; an absent field stays as it is. */
export interface StateMachineChange {
  readonly definition?: string;
  readonly roleArn?: string;
  readonly loggingConfiguration?: unknown;
  readonly tracingConfiguration?: unknown;
  readonly encryptionConfiguration?: unknown;
}

export interface UpdateStateMachineOptions {
  /** Draws the revision id the machine gets when the change changes anything (it keeps its own otherwise). */
  readonly newRevisionId: () => string;
  readonly updatedAt: number;
  /** Publishes the resulting revision in the same transaction (idempotent per revision). */
  readonly publish?: { readonly description?: string };
}

export type UpdateStateMachineResult =
  | { readonly outcome: 'updated'; readonly machine: StateMachineRecord; readonly version?: StateMachineVersionRecord }
  | { readonly outcome: 'no-machine' };

export interface PublishRequest {
  /** Publish only while this is the machine's revision (compare-and-set); any revision when absent. */
  readonly revisionId?: string;
  readonly description?: string;
  readonly createdAt: number;
}

export type PublishResult =
  /** `existing`: the current revision was published before; its version is returned. */
  | { readonly outcome: 'published' | 'existing'; readonly version: StateMachineVersionRecord }
  | { readonly outcome: 'stale-revision'; readonly currentRevisionId: string }
  | { readonly outcome: 'no-machine' };

export type DeleteVersionResult =
  | { readonly outcome: 'deleted' }
  | { readonly outcome: 'no-version' }
  /** Aliases route to the version (their names, in creation order): nothing was deleted. */
  | { readonly outcome: 'referenced'; readonly aliasNames: readonly string[] };

export interface AliasChange {
  readonly description?: string;
  readonly routingConfiguration?: readonly RoutingEntry[];
  readonly updatedAt: number;
}

export type AliasWriteResult =
  | { readonly outcome: 'written'; readonly alias: AliasRecord }
  /** createAlias: an alias of that ARN exists (nothing was written). */
  | { readonly outcome: 'exists'; readonly alias: AliasRecord }
  /** A routed version does not exist, or belongs to another state machine. */
  | { readonly outcome: 'missing-version'; readonly versionArn: string }
  /** updateAlias: there is no alias of that ARN. */
  | { readonly outcome: 'no-alias' };

export type TagResult = 'tagged' | 'too-many-tags' | 'no-resource';

/**
 * A firing or an event that could not be delivered to its target (retries exhausted, or too old
 * for its retry policy): what AWS would send to the target's dead-letter queue. Stepwise keeps
 * them in this list (API and console) whether or not a DeadLetterConfig names a queue.
 */
export interface DeadLetterRecord {
  /** Unique, assigned by the caller (a UUID). */
  readonly id: string;
  readonly source: 'schedule' | 'rule';
  /** The schedule's or the rule's ARN. */
  readonly sourceArn: string;
  /** The target it failed to reach (a state machine ARN, an API destination ARN…). */
  readonly targetArn: string;
  /** A rule target's Id. */
  readonly targetId?: string;
  /** What was to be delivered: the execution input or the event, as JSON text. */
  readonly payload: string;
  readonly error: string;
  readonly cause: string;
  /** Delivery attempts made (0 when it expired before the first). */
  readonly attempts: number;
  /** When the firing was due or the event was put. */
  readonly eventTime: number;
  /** When it was given up. */
  readonly time: number;
}

export interface DeadLetterFilter {
  readonly source?: 'schedule' | 'rule';
  readonly sourceArn?: string;
}

export interface DeadLetterStore {
  add(records: readonly DeadLetterRecord[]): Promise<void>;
  /** Newest first. */
  list(filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterRecord>>;
  /** Removes the ones named (a retried or acknowledged entry); resolves to how many there were. */
  remove(ids: readonly string[]): Promise<number>;
  /** Retention: removes at most `limit` letters given up before `before`; resolves to how many. */
  purge(before: number, limit: number): Promise<number>;
}

export interface Store {
  /**
   * Several processes on one database (PostgreSQL): which node owns which execution, and work
   * routed to the owner. Absent on single-process stores (memory, SQLite: one server per file).
   */
  readonly cluster?: ClusterStore;
  /** Undeliverable schedule firings and events (issue 10). */
  readonly deadLetters: DeadLetterStore;
  /** EventBridge Scheduler's schedule groups and schedules (issue 10, schedules.ts). */
  readonly schedules: ScheduleStore;
  /** EventBridge's rules, targets, connections, API destinations and delivery outbox (issue 10, event-bus.ts). */
  readonly eventBus: EventBusStore;
  // ------------------------------------------------------------------ state machines and friends
  /** Inserts the machine (with its tags and, when asked, version 1) unless its ARN exists or the quota is reached. */
  createStateMachine(record: StateMachineRecord, options?: CreateStateMachineOptions): Promise<CreateStateMachineResult>;
  getStateMachine(arn: string): Promise<StateMachineRecord | undefined>;
  /**
   * Applies a change to the machine as it is at commit time (concurrent updates of different
   * fields both take effect); with `publish`, publishes the revision this update leaves.
   */
  updateStateMachine(arn: string, change: StateMachineChange, options: UpdateStateMachineOptions): Promise<UpdateStateMachineResult>;
  /** Deletes the state machine with its versions, aliases and tags (executions stay). */
  deleteStateMachine(arn: string): Promise<void>;
  listStateMachines(page: PageRequest): Promise<Page<StateMachineRecord>>;

  /**
   * Publishes the machine's current revision as the next version number (numbers only go up,
   * never reused), or returns the version already published from that revision. Versions are
   * immutable: nothing ever rewrites one.
   */
  publishVersion(stateMachineArn: string, request: PublishRequest): Promise<PublishResult>;
  getVersion(arn: string): Promise<StateMachineVersionRecord | undefined>;
  /** Deletes a version with its tags, unless an alias routes to it. */
  deleteVersion(arn: string): Promise<DeleteVersionResult>;
  /** Newest first, as ListStateMachineVersions returns them. */
  listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>>;

  /** Inserts the alias unless its ARN exists, once every version it routes to exists (of its machine). */
  createAlias(record: AliasRecord): Promise<AliasWriteResult>;
  /** Changes an existing alias, once every version it would route to exists (of its machine). */
  updateAlias(arn: string, change: AliasChange): Promise<AliasWriteResult>;
  getAlias(arn: string): Promise<AliasRecord | undefined>;
  deleteAlias(arn: string): Promise<void>;
  listAliases(stateMachineArn: string, page: PageRequest): Promise<Page<AliasRecord>>;

  /** Inserts the activity with its tags unless its ARN exists or the quota is reached. */
  createActivity(record: ActivityRecord, options?: { readonly tags?: readonly Tag[]; readonly maxActivities?: number }): Promise<CreateOutcome>;
  getActivity(arn: string): Promise<ActivityRecord | undefined>;
  deleteActivity(arn: string): Promise<void>;
  listActivities(page: PageRequest): Promise<Page<ActivityRecord>>;

  /**
   * Adds or overwrites tags by key on a state machine or an activity, all or none: 'no-resource'
   * when neither has the ARN, 'too-many-tags' when the resource would hold more than `maxTags`.
   */
  tagResource(arn: string, tags: readonly Tag[], options?: { readonly maxTags?: number }): Promise<TagResult>;
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
  /**
   * Events in id order from `afterId` (exclusive), at most `limit`; `reverse` walks down from
   * `beforeId`. With `maxBytes`, the events stop before the one that would take the length of
   * their details' JSON text (payloads included) beyond it, always returning at least one:
   * history pages are bounded in bytes without reading payloads they will not hold.
   */
  getEvents(
    executionArn: string,
    options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean; maxBytes?: number },
  ): Promise<readonly HistoryEvent[]>;
  /** The replay log, in order. */
  getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]>;
  /** ARNs of executions whose status is RUNNING (to resume after a restart). */
  runningExecutions(): Promise<readonly string[]>;
  /** How many executions are RUNNING: a kept counter, cheap enough to ask on every start. */
  countOpenExecutions(): Promise<number>;
  /**
   * How many stored executions name `parentExecutionArn` as the execution that started them
   * (a Task or an SDK call): a Distributed Map's child executions are not counted.
   */
  countChildExecutions(parentExecutionArn: string): Promise<number>;
  /**
   * Retention: deletes closed executions (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) that stopped
   * before `closedBefore`, with every row that belongs to them (events, replay log, timers,
   * tasks, Map Runs, payloads), at most `limit` in one transaction; resolves to how many it
   * deleted. A backend may delete fewer to keep one transaction short (long histories), so a
   * caller repeats until it resolves 0. RUNNING and PENDING_REDRIVE executions are never deleted.
   */
  purgeClosedExecutions(closedBefore: number, limit: number): Promise<number>;

  // ------------------------------------------------------------------ quarantine
  /**
   * Records that one of the execution's decisions is taking long (the runner clears it when the
   * decision ends). Should the process die meanwhile, the mark survives: see countInterruptedDecisions.
   */
  markDecisionInProgress(executionArn: string): Promise<void>;
  clearDecisionInProgress(executionArn: string): Promise<void>;
  /**
   * At start-up: every execution still marked had a decision in progress when the process
   * stopped. Each counts one more interrupted start; resolves to them with their counts. With
   * `executionArns`, only those are counted (several nodes: the executions of a node that died,
   * just taken over; the other marks belong to decisions live nodes are making).
   */
  countInterruptedDecisions(executionArns?: readonly string[]): Promise<ReadonlyArray<{ readonly executionArn: string; readonly restarts: number }>>;

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
