/**
 * The Task state: builds the request (Parameters / Arguments), records the scheduling events of
 * the resource's kind, blocks on the result, and turns the result into the state's output.
 */
import { StatesError } from '../asl/errors.js';
import type { Frame, StateDef } from './frames.js';
import type { EventDetails, HistoryEventType } from './events.js';
import { classifyResource, type ResourceKind } from './resources.js';
import { BLOCKED, type Outcome, type Step, type StateRunner } from './states.js';
import { jsonataUnexpectedResultType } from '../asl/jsonata.js';
import { jsonByteSize } from './payload-size.js';
import { jsonataBody } from './data-flow.js';

interface EventNames {
  readonly scheduled: HistoryEventType;
  readonly started: HistoryEventType;
  readonly succeeded: HistoryEventType;
  readonly failed: HistoryEventType;
  readonly timedOut: HistoryEventType;
}

const LAMBDA_EVENTS: EventNames = {
  scheduled: 'LambdaFunctionScheduled',
  started: 'LambdaFunctionStarted',
  succeeded: 'LambdaFunctionSucceeded',
  failed: 'LambdaFunctionFailed',
  timedOut: 'LambdaFunctionTimedOut',
};
const ACTIVITY_EVENTS: EventNames = {
  scheduled: 'ActivityScheduled',
  started: 'ActivityStarted',
  succeeded: 'ActivitySucceeded',
  failed: 'ActivityFailed',
  timedOut: 'ActivityTimedOut',
};
const SERVICE_EVENTS: EventNames = {
  scheduled: 'TaskScheduled',
  started: 'TaskStarted',
  succeeded: 'TaskSucceeded',
  failed: 'TaskFailed',
  timedOut: 'TaskTimedOut',
};

function eventNames(resource: ResourceKind): EventNames {
  if (resource.kind === 'lambda') return LAMBDA_EVENTS;
  if (resource.kind === 'activity') return ACTIVITY_EVENTS;
  return SERVICE_EVENTS;
}

/** The resource fields every Task* event of a service integration carries. */
function serviceFields(resource: ResourceKind): EventDetails {
  if (resource.kind === 'service') return { resourceType: resource.service, resource: resource.action };
  return {};
}

export async function runTask(runner: StateRunner, frame: Frame, state: StateDef): Promise<Outcome> {
  const { interp, flow } = runner;
  const jsonata = flow.isJsonata(frame);
  const resourceArn = jsonata ? String(await flow.jsonata(frame, state.Resource, 'Resource')) : String(state.Resource);
  const resource = classifyResource(resourceArn, interp.identity.region);
  // AWS hands out a task token ($$.Task.Token) to callback tasks and to .sync tasks, which
  // complete through the same mechanism.
  const taskToken = resource.kind === 'service' && resource.pattern !== 'request-response' ? interp.random.uuid() : undefined;
  const context = interp.contextObject(frame, taskToken);

  let parameters: unknown;
  let effective: unknown = frame.input;
  let timeoutSeconds: number | undefined;
  let heartbeatSeconds: number | undefined;
  if (jsonata) {
    parameters = state.Arguments === undefined ? frame.input : await flow.jsonata(frame, state.Arguments, 'Arguments', { context });
    timeoutSeconds = await positiveInteger(runner, frame, state.TimeoutSeconds, 'TimeoutSeconds', context);
    heartbeatSeconds = await positiveInteger(runner, frame, state.HeartbeatSeconds, 'HeartbeatSeconds', context);
  } else {
    effective = flow.inputPath(frame);
    parameters = state.Parameters === undefined ? effective : flow.payload(frame, state.Parameters, effective, 'Parameters', context);
    timeoutSeconds = state.TimeoutSecondsPath !== undefined ? pathSeconds(runner, frame, state.TimeoutSecondsPath, effective, 'TimeoutSecondsPath') : state.TimeoutSeconds;
    heartbeatSeconds = state.HeartbeatSecondsPath !== undefined ? pathSeconds(runner, frame, state.HeartbeatSecondsPath, effective, 'HeartbeatSecondsPath') : state.HeartbeatSeconds;
  }
  if (timeoutSeconds === undefined && resource.kind === 'activity') timeoutSeconds = 99999999;

  const names = eventNames(resource);
  const fields = serviceFields(resource);
  if (resource.kind === 'lambda') {
    interp.record(frame, names.scheduled, { resource: resourceArn, input: parameters, ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}) });
  } else if (resource.kind === 'activity') {
    interp.record(frame, names.scheduled, { resource: resourceArn, input: parameters, timeoutInSeconds: timeoutSeconds, ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}) });
  } else {
    interp.record(frame, names.scheduled, {
      ...fields,
      region: interp.identity.region,
      parameters,
      ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
      ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}),
    });
  }
  // Lambda and service tasks start at once; an activity starts when a worker takes it.
  if (resource.kind === 'lambda') interp.record(frame, names.started);
  else if (resource.kind !== 'activity') interp.record(frame, names.started, fields);

  const taskId = interp.nextTaskId();
  let settled = false;
  const settle = () => {
    if (settled) return false;
    settled = true;
    return true;
  };
  if (timeoutSeconds !== undefined) {
    interp.startTimer(`${taskId}:timeout`, timeoutSeconds, frame, () => {
      if (!settle()) return BLOCKED;
      interp.cancelTimer(`${taskId}:heartbeat`);
      interp.abortTask(taskId);
      return failed(new StatesError('States.Timeout', ''), true);
    }, false);
  }

  // HeartbeatSeconds: the task must report in (SendTaskHeartbeat) within this many seconds of
  // starting and of each heartbeat, or it fails with States.HeartbeatTimeout.
  const armHeartbeat = (): void => {
    if (heartbeatSeconds === undefined || settled) return;
    interp.cancelTimer(`${taskId}:heartbeat`);
    interp.startTimer(`${taskId}:heartbeat`, heartbeatSeconds, frame, () => {
      if (!settle()) return BLOCKED;
      interp.cancelTimer(`${taskId}:timeout`);
      interp.abortTask(taskId);
      return failed(new StatesError('States.HeartbeatTimeout', ''), true);
    }, false);
  };
  if (resource.kind !== 'activity') armHeartbeat();

  // A callback or .sync task is submitted before it can end: should its answer arrive before
  // the submission was recorded, record the submission first, as AWS's history always has it.
  const callback = resource.kind === 'service' && resource.pattern !== 'request-response';
  let submitted = false;
  const ensureSubmitted = (): void => {
    if (callback && !submitted) {
      submitted = true;
      interp.record(frame, 'TaskSubmitted', { ...fields, output: {} });
    }
  };

  const failed = (error: StatesError, timedOut: boolean): Step => {
    ensureSubmitted();
    interp.record(frame, timedOut ? names.timedOut : names.failed, {
      ...fields,
      error: error.error,
      ...(error.cause !== undefined && !(timedOut && error.cause === '') ? { cause: error.cause } : {}),
    });
    return runner.recover(frame, error);
  };

  interp.invokeTask(
    frame,
    {
      stateName: frame.stateName,
      resource,
      input: parameters,
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
      ...(taskToken !== undefined ? { taskToken } : {}),
      context,
    },
    taskId,
    {
      onStarted: (workerName) => {
        if (resource.kind !== 'activity') return;
        interp.record(frame, names.started, workerName !== undefined ? { workerName } : {});
        armHeartbeat();
      },
      onHeartbeat: armHeartbeat,
      onSubmitted: (output) => {
        if (submitted) return;
        submitted = true;
        interp.record(frame, 'TaskSubmitted', { ...fields, output });
      },
      onSucceeded: (output) => {
        if (!settle()) return BLOCKED;
        interp.cancelTimer(`${taskId}:timeout`);
        interp.cancelTimer(`${taskId}:heartbeat`);
        ensureSubmitted();
        if (interp.maxPayloadBytes !== Infinity && jsonByteSize(output) > interp.maxPayloadBytes) {
          const label = resource.kind === 'service' ? resource.service : resourceArn;
          return failed(new StatesError('States.DataLimitExceeded', `The state/task '${label}' returned a result with a size exceeding the maximum number of bytes service limit.`), false);
        }
        interp.record(frame, names.succeeded, { ...fields, output });
        return taskResult(runner, frame, output, context);
      },
      onFailed: (error, timedOut) => {
        if (!settle()) return BLOCKED;
        interp.cancelTimer(`${taskId}:timeout`);
        interp.cancelTimer(`${taskId}:heartbeat`);
        return failed(error, timedOut || error.error === 'States.Timeout' || error.error === 'States.HeartbeatTimeout');
      },
    },
  );
  return BLOCKED;
}

/** From a task's (or Parallel's, or Map's) result to the state's output and assignments. */
export function taskResult(runner: StateRunner, frame: Frame, result: unknown, context?: Record<string, unknown>): Step {
  const { flow } = runner;
  const state = frame.state;
  if (flow.isJsonata(frame)) {
    return flow
      .jsonataOutputAndAssign(frame, { result, ...(context ? { context } : {}) }, result)
      .then(({ output, assigned }) => runner.exit(frame, output, assigned));
  }
  const selected = state.ResultSelector === undefined ? result : flow.payload(frame, state.ResultSelector, result, 'ResultSelector', context);
  const assigned = flow.assignJsonPath(frame, selected, state.Assign, context);
  const output = flow.resultAndOutputPath(frame, selected);
  return runner.exit(frame, output, assigned);
}

function pathSeconds(runner: StateRunner, frame: Frame, path: string, input: unknown, field: string): number {
  const value = runner.flow.pathValue(frame, path, input);
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new StatesError('States.Runtime', `The ${field} parameter does not reference a valid positive integer value: ${JSON.stringify(value)}`);
  }
  return value;
}

async function positiveInteger(runner: StateRunner, frame: Frame, value: unknown, field: string, context: Record<string, unknown>): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const resolved = await runner.flow.jsonata(frame, value, field, { context });
  if (typeof resolved !== 'number' || !Number.isInteger(resolved) || resolved <= 0) {
    throw jsonataUnexpectedResultType(jsonataBody(value), field, 'integer', resolved);
  }
  return resolved;
}
