/**
 * Task tokens (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat). The model allows 1–2048
 * characters (ValidationException beyond); whether a token names a task, and whether that task
 * is still open (InvalidToken, TaskDoesNotExist, TaskTimedOut), the runner decides and reports.
 */
import type { TaskOutcome } from './runner.js';
import type { ApiContext } from './context.js';

export async function completeTask(ctx: ApiContext, token: string, outcome: TaskOutcome): Promise<void> {
  await ctx.runner.completeTask(token, outcome);
}
