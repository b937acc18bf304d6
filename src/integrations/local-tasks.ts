/**
 * Answering an InvokeTask command in this process: Step Functions Local mocks, task handlers
 * (by state name, then resource ARN) and the no-handler failure. The task dispatcher
 * (runtime/task-dispatcher.ts) decides which applies, for both drivers. Each answer is a
 * Trigger for the interpreter, delivered through `deliver`.
 */
import { StatesError } from '../asl/errors.js';
import type { Command, Trigger } from '../engine/model.js';
import type { MockSession } from './mock-config.js';
import { durationMs, type Duration } from '../runtime/duration.js';

type InvokeTask = Extract<Command, { type: 'InvokeTask' }>;

/** What a task handler receives besides its input. */
export interface TaskHandlerContext {
  readonly stateName: string;
  readonly resource: string;
  /** The context object ($$) of the Task state. */
  readonly context: unknown;
  /** The task token, for `.waitForTaskToken` and `.sync` resources. */
  readonly taskToken?: string;
  /** Aborted when the task times out or the execution ends. */
  readonly signal: AbortSignal;
  /** Reports that the task is alive, restarting its HeartbeatSeconds clock (SendTaskHeartbeat). */
  readonly heartbeat: () => void;
  /**
   * Waits on the run's clock: `'5m'`, `'300s'` or milliseconds. Under virtual time (the testing
   * API) it takes no real time and lets the clock move, so a handler can outlast its state's
   * TimeoutSeconds or HeartbeatSeconds in a test; otherwise it is a real wait. Rejects with
   * the signal's reason when the task is cancelled.
   */
  readonly sleep: (duration: Duration) => Promise<void>;
}

/** How a driver makes a handler of task `taskId` wait `ms` (see TaskHandlerContext.sleep). */
export type HandlerSleep = (taskId: string, ms: number, signal: AbortSignal) => Promise<void>;

/** Real time: a timer, cancelled with the task. */
const realSleep: HandlerSleep = (_taskId, ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs a Task. Resolve with the result; throw (or reject) to fail the task: the error name is
 * the thrown value's `error` or `name` property, the cause its `cause` or `message`.
 */
export type TaskHandler = (input: unknown, context: TaskHandlerContext) => unknown;

/** Whether the resource is answered later, with its task token (callback and .sync tasks). */
export function isCallbackTask(command: InvokeTask): boolean {
  return command.resource.kind === 'service' && command.resource.pattern !== 'request-response';
}

/** The trigger a mocked response stands for (the task's own response when it is performed again). */
export function mockedTrigger(taskId: string, mocks: MockSession, stateName: string): Trigger {
  const outcome = mocks.next(stateName, taskId)!;
  if (outcome.kind === 'return') return { type: 'TaskSucceeded', taskId, output: outcome.value };
  const fields = { ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) };
  return outcome.error === 'States.Timeout' ? { type: 'TaskTimedOut', taskId, ...fields } : { type: 'TaskFailed', taskId, ...fields };
}

export function findHandler(handlers: Record<string, TaskHandler> | undefined, command: InvokeTask): TaskHandler | undefined {
  return handlers?.[command.stateName] ?? handlers?.[command.resource.arn];
}

/** `why`: what else was tried, appended to the cause (e.g. the service had no endpoint or credentials). */
export function noHandlerTrigger(command: InvokeTask, why?: string): Trigger {
  const { resource } = command;
  const nested = resource.kind === 'service' && resource.service === 'states' && resource.action.startsWith('startExecution');
  return {
    type: 'TaskFailed',
    taskId: command.taskId,
    error: 'States.TaskFailed',
    cause:
      `No task handler or mocked response for resource '${resource.arn}' (state '${command.stateName}').` +
      (nested ? ' Give the state machine it starts in `stateMachines` (stepwise run: --state-machine FILE), or run it on stepwise serve.' : '') +
      (why !== undefined ? ` ${why}` : ''),
  };
}

/**
 * Calls a handler and delivers its heartbeats and its result as triggers; nothing is delivered
 * once `controller` is aborted (the task timed out, was cancelled, or the execution ended).
 */
export function runHandler(handler: TaskHandler, command: InvokeTask, controller: AbortController, deliver: (trigger: Trigger) => void, sleep: HandlerSleep = realSleep): Promise<void> {
  const { taskId } = command;
  return Promise.resolve()
    .then(() =>
      handler(command.input, {
        stateName: command.stateName,
        resource: command.resource.arn,
        context: command.context,
        ...(command.taskToken !== undefined ? { taskToken: command.taskToken } : {}),
        signal: controller.signal,
        heartbeat: () => {
          if (!controller.signal.aborted) deliver({ type: 'TaskHeartbeat', taskId });
        },
        sleep: (duration) => sleep(taskId, durationMs(duration), controller.signal),
      }),
    )
    .then(
      (output) => {
        if (!controller.signal.aborted) deliver({ type: 'TaskSucceeded', taskId, output: output === undefined ? null : output });
      },
      (e: unknown) => {
        if (!controller.signal.aborted) deliver({ type: 'TaskFailed', taskId, ...errorOf(e) });
      },
    );
}

/** The error name and cause of whatever a task handler threw. */
export function errorOf(e: unknown): { error?: string; cause?: string } {
  if (e instanceof StatesError) return { ...(e.error !== undefined ? { error: e.error } : {}), ...(e.cause !== undefined ? { cause: e.cause } : {}) };
  if (e !== null && typeof e === 'object') {
    const o = e as { error?: unknown; name?: unknown; cause?: unknown; message?: unknown };
    const error = typeof o.error === 'string' ? o.error : typeof o.name === 'string' ? o.name : 'Error';
    const cause = typeof o.cause === 'string' ? o.cause : typeof o.message === 'string' ? o.message : '';
    return { error, cause };
  }
  return { error: 'Error', cause: String(e) };
}
