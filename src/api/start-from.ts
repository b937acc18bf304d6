/**
 * Starts an execution on behalf of something inside the server (a schedule, an HTTP trigger, an
 * event rule's target) rather than a client: the checks, quotas and errors of StartExecution,
 * and the execution records what started it (`startedBy`, shown by the console).
 *
 * Triggers that may fire twice for one cause (a schedule's firing retried after a restart, an
 * event delivered again) name the execution after the cause: a STANDARD execution of that name
 * that exists already, whatever its status, is that cause's execution, so the start is answered
 * with it (`existing: true`) instead of ExecutionAlreadyExists. That is what makes their firings
 * exactly-once. EXPRESS executions have no unique name (AWS gives their ARNs a random part), so
 * for them a repeat starts another execution.
 */
import type { StartedBy } from '../store/types.js';
import type { ApiContext } from './context.js';
import { readInput } from './input.js';
import { checkOpenExecutions } from './quotas.js';
import { throttle } from './throttling.js';
import { prepareExecution, startInputShape, type StartInput } from './operations/start-execution.js';

export interface StartedExecution {
  readonly executionArn: string;
  /** Milliseconds since the epoch. */
  readonly startDate: number;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** The execution of that name existed already (a repeated firing): nothing was started. */
  readonly existing: boolean;
}

/**
 * Throws the AwsError StartExecution would answer (StateMachineDoesNotExist, InvalidName,
 * InvalidExecutionInput, ExecutionLimitExceeded, ThrottlingException…).
 */
export async function startExecutionFrom(ctx: ApiContext, request: StartInput, startedBy: StartedBy): Promise<StartedExecution> {
  throttle(ctx, 'StartExecution');
  // The same validation as a client's request (name pattern and length, input size and JSON).
  const input = readInput<StartInput>({ ...request }, startInputShape(ctx, 'StartExecutionInput'));
  const prepared = await prepareExecution(ctx, input);
  const execution = { ...prepared.execution, startedBy };
  if (execution.type === 'STANDARD') {
    const existing = await ctx.store.getExecution(execution.arn);
    if (existing) return { executionArn: existing.arn, startDate: existing.startDate, type: 'STANDARD', existing: true };
    await checkOpenExecutions(ctx);
  }
  if (!(await ctx.runner.start(execution))) {
    const existing = await ctx.store.getExecution(execution.arn);
    if (existing) return { executionArn: existing.arn, startDate: existing.startDate, type: execution.type, existing: true };
  }
  return { executionArn: execution.arn, startDate: execution.startDate, type: execution.type, existing: false };
}
