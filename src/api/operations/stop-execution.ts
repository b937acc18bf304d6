/**
 * StopExecution: aborts a RUNNING (or PENDING_REDRIVE) execution. Stopping one that already
 * ended changes nothing and answers with its stop date.
 */
import { getExecution } from '../executions.js';
import { shapes, struct } from '../input.js';
import { seconds } from '../wire.js';
import { operation } from './operation.js';

export const stopExecution = operation<{ executionArn: string; error?: string; cause?: string }>(
  struct('StopExecutionInput', { executionArn: shapes.Arn, error: shapes.SensitiveError, cause: shapes.SensitiveCause }, ['executionArn']),
  async ({ executionArn, error, cause }, ctx) => {
    const execution = await getExecution(ctx, executionArn);
    if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
      return { stopDate: seconds(execution.stopDate ?? ctx.clock.now()) };
    }
    const stopDate = await ctx.runner.stop(executionArn, error, cause);
    return { stopDate: seconds(stopDate) };
  },
);
