/**
 * The engine's vocabulary: what goes into a decision (triggers), what comes out (events and
 * commands), and the identity of an execution.
 */
import type { HistoryEvent } from './events.js';
import type { ResourceKind } from './resources.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Who the execution is: the values that fill the `$$.Execution` and `$$.StateMachine` objects. */
export interface ExecutionIdentity {
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly redriveCount: number;
  /** Region and account used when the engine composes ARNs (activities, map runs). */
  readonly region: string;
  readonly accountId: string;
  /** When started through a version or an alias (ExecutionStarted records them, as AWS does). */
  readonly stateMachineVersionArn?: string;
  readonly stateMachineAliasArn?: string;
}

/** Something from the outside world that moves an execution on. */
export type Trigger =
  | { readonly type: 'TaskStarted'; readonly taskId: string; readonly workerName?: string }
  | { readonly type: 'TaskSubmitted'; readonly taskId: string; readonly output: unknown }
  /** The worker is still alive (SendTaskHeartbeat): restarts the HeartbeatSeconds clock. */
  | { readonly type: 'TaskHeartbeat'; readonly taskId: string }
  | { readonly type: 'TaskSucceeded'; readonly taskId: string; readonly output: unknown }
  | { readonly type: 'TaskFailed'; readonly taskId: string; readonly error?: string; readonly cause?: string }
  | { readonly type: 'TaskTimedOut'; readonly taskId: string; readonly error?: string; readonly cause?: string }
  | { readonly type: 'TimerFired'; readonly timerId: string }
  | { readonly type: 'StopRequested'; readonly error?: string; readonly cause?: string }
  /** RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution resumes at the state that ended it. */
  | { readonly type: 'Redrive' }
  | { readonly type: 'ExecutionTimedOut' }
  /**
   * Goes on with the work a sliced decision left queued (Decision.more). Logged like any other
   * trigger, so a rebuilt execution takes the same slices.
   */
  | { readonly type: 'Continue' }
  /**
   * The runtime ends the execution for a reason outside the States language: a decision that
   * exceeded its budgets or crashed its worker, a replay that does not match, an engine version
   * the execution was not started with. Logged, so a replay ends it the same way.
   */
  | { readonly type: 'RuntimeFailure'; readonly error: string; readonly cause: string }
  /**
   * UpdateMapRun: new settings for a RUNNING Map Run. A trigger rather than a side channel, so
   * the change is in the replay log and a rebuilt execution makes the same decisions.
   */
  | ({ readonly type: 'UpdateMapRun'; readonly mapRunArn: string } & MapRunUpdate);

/** The settings UpdateMapRun may change; an absent field stays as it is. */
export interface MapRunUpdate {
  readonly maxConcurrency?: number;
  readonly toleratedFailurePercentage?: number;
  readonly toleratedFailureCount?: number;
}

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** DescribeMapRun's itemCounts and executionCounts (the redrive counters are always 0 here). */
export interface MapRunCounts {
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
  readonly total: number;
  /** Results collected into the Map's output (or its ResultWriter): successes and tolerated failures. */
  readonly resultsWritten: number;
}

/**
 * A Distributed Map's Map Run as DescribeMapRun shows it. The interpreter produces these
 * (Decision.mapRuns) and the Store keeps them (ExecutionWrite.mapRuns); times are ms since the
 * epoch.
 */
export interface MapRunRecord {
  readonly arn: string;
  readonly executionArn: string;
  /** The child workflow's state machine: `<state machine ARN>/<Label or state name>`. */
  readonly stateMachineArn: string;
  readonly status: MapRunStatus;
  readonly startDate: number;
  readonly stopDate?: number;
  /** 0 when the Map gave none (no limit). */
  readonly maxConcurrency: number;
  /** 0 when the Map gave none. */
  readonly toleratedFailurePercentage: number;
  readonly toleratedFailureCount: number;
  readonly itemCounts: MapRunCounts;
  /** Each iteration (or batch of items) is one child workflow execution. */
  readonly executionCounts: MapRunCounts;
  readonly redriveCount: number;
  readonly redriveDate?: number;
}

/**
 * A Distributed Map's child execution, as the driver starts it: its ARN and name (derived from
 * the Map Run and the item's index, so starting it again after a crash finds it), the child
 * "state machine" (`<machine>/<label>`), the ItemProcessor as its definition (JSON text), its
 * type (ProcessorConfig.ExecutionType) and the Map Run it belongs to.
 */
export interface MapChildSpec {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly definition: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly mapRunArn: string;
  readonly index: number;
}

/** Work the driver must perform after it has recorded the events of a decision. */
export type Command =
  | {
      readonly type: 'InvokeTask';
      readonly taskId: string;
      readonly stateName: string;
      readonly resource: ResourceKind;
      readonly input: unknown;
      readonly timeoutSeconds?: number;
      readonly heartbeatSeconds?: number;
      readonly taskToken?: string;
      /** The context object the task sees ($$), for handlers that want it. */
      readonly context: unknown;
      /** For resource kind 'map-child': the child execution to start (its input is `input`). */
      readonly mapChild?: MapChildSpec;
    }
  | { readonly type: 'CancelTask'; readonly taskId: string }
  | { readonly type: 'StartTimer'; readonly timerId: string; readonly dueAt: number; readonly seconds: number; readonly scaled: boolean }
  | { readonly type: 'CancelTimer'; readonly timerId: string };

/**
 * Limits on one decision. A decision that reaches one stops between two states and returns
 * with `more`: the driver commits what was decided and asks for the rest with a Continue
 * trigger, after other executions had their turn. Where it stopped is recorded as the number of
 * steps taken (Decision.steps), which is all a replay needs to stop at the same place.
 */
export interface DecisionBudget {
  /** Most state steps (a state run, or resumed) in this decision. */
  readonly maxSteps?: number;
  /**
   * Asked between steps (at most once per step count); true ends the slice there. The driver
   * decides with a clock; the engine never reads one.
   */
  readonly shouldYield?: () => boolean;
  /**
   * Bytes of state output this decision may produce (the sum of each output's JSON size, as
   * measured for the payload quota) before it yields: keeps one decision's events, and the
   * write that stores them, bounded in memory.
   */
  readonly maxBytes?: number;
  /**
   * History events this decision may record before it yields: what the driver writes per
   * decision (and holds this thread for while it writes) stays bounded.
   */
  readonly maxEvents?: number;
}

export interface Decision {
  readonly events: readonly HistoryEvent[];
  readonly commands: readonly Command[];
  readonly status: ExecutionStatus;
  /** State steps the decision took (what a replay passes as DecisionBudget.maxSteps when `more`). */
  readonly steps: number;
  /** The decision stopped on its budget with work left: a Continue trigger goes on with it. */
  readonly more?: true;
  /** Map Runs this decision started or changed, as they stand after it (absent when none did). */
  readonly mapRuns?: readonly MapRunRecord[];
}
