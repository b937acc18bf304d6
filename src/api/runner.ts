/**
 * What the API needs from the durable runner (src/runtime/durable-runner.ts). The API validates
 * requests, resolves ARNs and names, and reads records from the Store; everything that moves an
 * execution goes through this interface.
 */
import type { MapRunUpdate } from '../engine/model.js';
import type { ExecutionRecord, TaskRecord } from '../store/types.js';
import type { ExecuteOptions } from '../runtime/memory-driver.js';

/**
 * The fields of a new execution the API decides; the runner fills in status and events. A new
 * execution always has its secret seed (`newExecutionSeed()`, src/runtime/execution-secrets.ts)
 * and the ENGINE_VERSION that starts it; only executions stored before they were lack them.
 */
export type NewExecution = Omit<ExecutionRecord, 'status' | 'lastEventId' | 'output' | 'error' | 'cause' | 'stopDate' | 'redriveDate' | 'seed' | 'engineVersion'> & {
  readonly seed: string;
  readonly engineVersion: number;
};

export type TaskOutcome =
  | { readonly type: 'success'; readonly output: unknown }
  | { readonly type: 'failure'; readonly error?: string; readonly cause?: string }
  | { readonly type: 'heartbeat' };

export interface ExecutionRunner {
  /**
   * How in-memory runs made for the API (TestState) are bounded and where they run: the
   * runner's decision workers and limits. Absent: execute()'s defaults on this thread.
   */
  sandbox?(): Pick<ExecuteOptions, 'decider' | 'maxHistoryEvents' | 'maxDurationMs' | 'integrations'>;
  /**
   * The Task resources of a definition that nothing would answer (an undeclared function, a
   * service with no endpoint or credentials): logged as a warning when a state machine is
   * created or updated, so a missing declaration shows before an execution fails.
   */
  unansweredResources?(definition: unknown): string[];
  /**
   * Starts an execution durably: resolves once ExecutionStarted (and everything the execution
   * did before it first blocked) is committed. Resolves false when the ARN exists already.
   */
  start(execution: NewExecution): Promise<boolean>;
  /**
   * Runs an EXPRESS execution to its end and resolves to its final record (StartSyncExecution).
   * Nothing is persisted.
   */
  runSync(execution: NewExecution): Promise<ExecutionRecord>;
  /** Aborts a RUNNING execution (ExecutionAborted). Resolves to the stop time. */
  stop(executionArn: string, error?: string, cause?: string): Promise<number>;
  /** Redrives a FAILED, TIMED_OUT or ABORTED Standard execution from where it failed. */
  redrive(executionArn: string): Promise<number>;
  /**
   * Answers a task token (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat). Rejects with
   * an AwsError (TaskDoesNotExist, TaskTimedOut, InvalidToken) the API passes on as is.
   */
  completeTask(token: string, outcome: TaskOutcome): Promise<void>;
  /**
   * UpdateMapRun: new settings for a Map Run, applied by its execution as one more decision (a
   * raised MaxConcurrency starts children at once). Rejects with ResourceNotFound for an
   * unknown Map Run; a Map Run that is no longer RUNNING is left as it is.
   */
  updateMapRun(mapRunArn: string, update: MapRunUpdate): Promise<void>;
  /** Records that a worker took an activity task (ActivityStarted); called after Store.claimActivityTask. */
  activityTaskClaimed(task: TaskRecord, workerName?: string): Promise<void>;
  /**
   * Resolves when an activity task may be waiting for `activityArn` (or after `ms`), so
   * GetActivityTask can long-poll without busy-waiting.
   */
  waitForActivityTask(activityArn: string, ms: number, signal?: AbortSignal): Promise<void>;
}
