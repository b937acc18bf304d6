/**
 * Step Functions' integration with itself: a Task state whose resource is
 * `arn:aws:states:::states:startExecution` starts an execution of another state machine, and
 * with `.sync` / `.sync:2` waits for it to end. This module holds what the integration says,
 * in the shapes AWS records them (the conformance corpus has real recordings of each):
 *
 * - the request: the task's `StateMachineArn`, `Input` (a JSON value, or JSON text, AWS
 *   serialises a value compactly and turns null into `{}`) and `Name`;
 * - the StartExecution answer, as AWS's Java SDK hands it over: `ExecutionArn`, `StartDate`
 *   (epoch milliseconds) and the SDK's HTTP metadata;
 * - the `.sync` answer: the child's DescribeExecution with PascalCase keys (with `.sync:2`,
 *   `Input` and `Output` as JSON values instead of text); a child that did not succeed fails
 *   the task with `States.TaskFailed` and that object as JSON text for the cause;
 * - API errors as `StepFunctions.<Code>Exception` with the SDK's cause text.
 *
 * The task dispatcher (runtime/task-dispatcher.ts) performs the task with these; each driver
 * starts and follows the child its own way (the durable runner on its store, `execute()` with
 * runInMemory).
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../api/errors.js';
import { redriveStatusOf, compact } from '../api/wire.js';
import type { Trigger } from '../engine/model.js';
import type { IntegrationPattern, ResourceKind } from '../engine/resources.js';
import type { ExecutionRecord } from '../store/types.js';

type ServiceResource = Extract<ResourceKind, { kind: 'service' }>;

/** Whether a Task resource is `states:startExecution` with any integration pattern. */
export function isStartExecution(resource: ResourceKind): resource is ServiceResource {
  return resource.kind === 'service' && resource.service === 'states' && /^startExecution(\.sync(:2)?|\.waitForTaskToken)?$/.test(resource.action);
}

/** Whether the task waits for the child to end (rather than only for it to start). */
export function waitsForChild(pattern: IntegrationPattern): boolean {
  return pattern === 'sync' || pattern === 'sync2';
}

/**
 * The StartExecution request (API member names) for the task's parameters. `Name` defaults to
 * a name derived from the parent and task, so starting the child again after a crash names the
 * same execution instead of a second one.
 */
export function startRequest(parameters: unknown, parentArn: string, taskId: string): Record<string, unknown> {
  const p = parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters) ? (parameters as Record<string, unknown>) : {};
  const input = p.Input === undefined || p.Input === null ? '{}' : typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input);
  return compact({
    stateMachineArn: p.StateMachineArn,
    name: p.Name === undefined ? derivedName(parentArn, taskId) : p.Name,
    input,
    traceHeader: p.TraceHeader,
  });
}

/** A UUID-shaped name, the same for the same parent and task. */
function derivedName(parentArn: string, taskId: string): string {
  const h = createHash('sha256').update(`${parentArn}|${taskId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What the task records for the StartExecution call: the answer and the SDK's metadata. */
export function startResponse(child: Pick<ExecutionRecord, 'arn' | 'startDate'>, requestId: string, now: number): Record<string, unknown> {
  const length = String(Buffer.byteLength(JSON.stringify({ executionArn: child.arn, startDate: child.startDate / 1000 })));
  const date = new Date(now).toUTCString();
  const type = 'application/x-amz-json-1.0';
  return {
    ExecutionArn: child.arn,
    SdkHttpMetadata: {
      AllHttpHeaders: { 'x-amzn-RequestId': [requestId], connection: ['keep-alive'], 'Content-Length': [length], Date: [date], 'Content-Type': [type] },
      HttpHeaders: { connection: 'keep-alive', 'Content-Length': length, 'Content-Type': type, Date: date, 'x-amzn-RequestId': requestId },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StartDate: child.startDate,
  };
}

/** The child's DescribeExecution as a `.sync` task hands it over (keys in AWS's order). */
export function describeForTask(child: ExecutionRecord, pattern: IntegrationPattern, now: number): Record<string, unknown> {
  const asValue = pattern === 'sync2';
  const data = (text: string | undefined) => (text === undefined || !asValue ? text : (JSON.parse(text) as unknown));
  const redrive = redriveStatusOf(child, now);
  return compact({
    Cause: child.cause,
    Error: child.error,
    ExecutionArn: child.arn,
    Input: data(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    Output: data(child.output),
    OutputDetails: child.output !== undefined ? { Included: true } : undefined,
    RedriveCount: child.redriveCount,
    RedriveDate: child.redriveDate,
    RedriveStatus: redrive.status,
    RedriveStatusReason: redrive.reason,
    StartDate: child.startDate,
    StateMachineAliasArn: child.stateMachineAliasArn,
    StateMachineArn: child.stateMachineArn,
    StateMachineVersionArn: child.stateMachineVersionArn,
    Status: child.status,
    StopDate: child.stopDate,
    TraceHeader: child.traceHeader,
  });
}

/** How a `.sync` task ends for a child that has ended. */
export function childEndTrigger(taskId: string, child: ExecutionRecord, pattern: IntegrationPattern, now: number): Trigger {
  const described = describeForTask(child, pattern, now);
  return child.status === 'SUCCEEDED'
    ? { type: 'TaskSucceeded', taskId, output: described }
    : { type: 'TaskFailed', taskId, error: 'States.TaskFailed', cause: JSON.stringify(described) };
}

/**
 * The answer a Distributed Map's child execution gives the Map (a 'map-child' task): its output,
 * or its error and cause as it failed, timed out or was aborted, so the Map's tolerance and Catch
 * see what they would see of a child run inline.
 */
export function mapChildEndTrigger(taskId: string, child: ExecutionRecord): Trigger {
  if (child.status === 'SUCCEEDED') return { type: 'TaskSucceeded', taskId, output: child.output === undefined ? null : JSON.parse(child.output) };
  const error = child.error ?? (child.status === 'TIMED_OUT' ? 'States.Timeout' : child.status === 'ABORTED' ? 'States.Aborted' : 'States.TaskFailed');
  return { type: 'TaskFailed', taskId, error, ...(child.cause !== undefined ? { cause: child.cause } : {}) };
}

/** An API error of the StartExecution call, as the task sees it. */
export function apiFailure(e: AwsError, requestId: string): { error: string; cause: string } {
  const code = e.type;
  return {
    error: `StepFunctions.${code.endsWith('Exception') ? code : `${code}Exception`}`,
    cause: `${e.message} (Service: AWSStepFunctions; Status Code: ${e.statusCode}; Error Code: ${code}; Request ID: ${requestId}; Proxy: null)`,
  };
}
