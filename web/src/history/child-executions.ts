/**
 * Executions started by other executions. A Task state whose resource is
 * `arn:aws:states:::states:startExecution` (request-response, `.sync`, `.sync:2` or
 * `.waitForTaskToken`) starts a child; the parent's history names it only inside JSON text:
 * the StartExecution response in TaskSubmitted's output (and in TaskSucceeded's for
 * request-response), a DescribeExecution-like object in TaskSucceeded's output (`.sync`) or in
 * TaskFailed's cause. A child started with `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` in its
 * input names its parent there, which is how the AWS console knows who started an execution.
 */

export type ChildStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ChildExecution {
  readonly executionArn: string;
  /** The attempt of the Task state that started it (1 is the first; a retry starts another child). */
  readonly attempt: number;
  /**
   * As the parent's history tells it: RUNNING from TaskSubmitted until a `.sync` task ends with
   * the child's status. Undefined when the history cannot tell: request-response and
   * `.waitForTaskToken` tasks do not wait for the child to end.
   */
  status?: ChildStatus;
  /** The event that first named it. */
  readonly eventId: number;
}

const CHILD_STATUSES: readonly string[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * An execution ARN (any partition, region and account): a Standard execution's
 * (`…:execution:<machine>:<name>`) or an Express run's (`…:express:<machine>:<name>:<id>`).
 */
const EXECUTION_ARN = /^arn:[\w-]+:states:[^:]*:[^:]*:(execution:[^:]+:[^:]+|express:[^:]+:[^:]+:[^:]+)$/;

/** Only Standard executions can be described (and so opened in the console); Express runs keep no history. */
export function isStandardExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn) && arn.split(':')[5] === 'execution';
}

/** The key Step Functions reads in a child's input to say which execution started it. */
export const STARTED_BY_KEY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  // Most task outputs are not StartExecution answers: skip the parse unless it could be one.
  if (text === undefined || !text.includes('"ExecutionArn"')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True for the Step Functions integration that starts an execution, in any of its patterns. */
export function isStartExecutionTask(resourceType: string | undefined, resource: string | undefined): boolean {
  return resourceType === 'states' && resource !== undefined && /^startExecution(\.sync(:2)?|\.waitForTaskToken)?$/.test(resource);
}

/** `.sync` and `.sync:2` wait for the child to end, and then report its status. */
export function waitsForChild(resource: string | undefined): boolean {
  return resource !== undefined && /^startExecution\.sync(:2)?$/.test(resource);
}

/**
 * The child execution a task event's JSON text (TaskSubmitted or TaskSucceeded output, TaskFailed
 * cause) names, with its status when the text has one (a `.sync` task's end).
 */
export function childNamedIn(text: string | undefined): { executionArn: string; status?: ChildStatus } | undefined {
  const value = parseObject(text);
  const arn = value?.ExecutionArn;
  if (typeof arn !== 'string' || !EXECUTION_ARN.test(arn)) return undefined;
  const status = value!.Status;
  return typeof status === 'string' && CHILD_STATUSES.includes(status) ? { executionArn: arn, status: status as ChildStatus } : { executionArn: arn };
}

/** The `Name` a startExecution task asked for (TaskScheduled's parameters), to tell concurrent tasks apart. */
export function requestedChildName(parameters: string | undefined): string | undefined {
  if (parameters === undefined || !parameters.includes('"Name"')) return undefined;
  try {
    const value: unknown = JSON.parse(parameters);
    return isObject(value) && typeof value.Name === 'string' ? value.Name : undefined;
  } catch {
    return undefined;
  }
}

/** The execution that started this one, from its input (an object holding a string STARTED_BY_KEY). */
export function startedByExecution(input: string | undefined): string | undefined {
  if (input === undefined || !input.includes(STARTED_BY_KEY)) return undefined;
  try {
    const value: unknown = JSON.parse(input);
    const arn = isObject(value) ? value[STARTED_BY_KEY] : undefined;
    return typeof arn === 'string' && arn !== '' ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** `arn:…:execution:Machine:name` (or `…:express:Machine:name:id`) → `{ machine: 'Machine', name: 'name' }`. */
export function executionParts(arn: string): { machine: string; name: string } {
  const parts = arn.split(':');
  return parts.length >= 8 && (parts[5] === 'execution' || parts[5] === 'express') ? { machine: parts[6]!, name: parts[7]! } : { machine: '', name: arn };
}
