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
  | { readonly type: 'ExecutionTimedOut' };

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
    }
  | { readonly type: 'CancelTask'; readonly taskId: string }
  | { readonly type: 'StartTimer'; readonly timerId: string; readonly dueAt: number; readonly seconds: number; readonly scaled: boolean }
  | { readonly type: 'CancelTimer'; readonly timerId: string };

export interface Decision {
  readonly events: readonly HistoryEvent[];
  readonly commands: readonly Command[];
  readonly status: ExecutionStatus;
}
