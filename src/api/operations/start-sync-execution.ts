/**
 * StartSyncExecution: runs an EXPRESS execution to its end and answers with its outcome
 * (StateMachineTypeNotSupported for STANDARD machines). Nothing is kept. AWS bills in steps of
 * 100 ms and 64 MB; billingDetails reports the same rounding.
 */
import { stateMachineTypeNotSupported } from '../aws-errors.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';
import { prepareExecution, startInputShape, type StartInput } from './start-execution.js';

export const startSyncExecution = operation<StartInput>(
  (ctx) => startInputShape(ctx, 'StartSyncExecutionInput'),
  async (input, ctx, request) => {
    const prepared = await prepareExecution(ctx, input);
    const execution = request.startedBy ? { ...prepared.execution, startedBy: request.startedBy } : prepared.execution;
    if (execution.type !== 'EXPRESS') throw stateMachineTypeNotSupported();
    const done = await ctx.runner.runSync(execution);
    const stopDate = done.stopDate ?? ctx.clock.now();
    const billed = Math.max(100, Math.ceil((stopDate - done.startDate) / 100) * 100);
    // A sync execution ends SUCCEEDED, FAILED or TIMED_OUT; an aborted one reports FAILED.
    const status = done.status === 'SUCCEEDED' || done.status === 'TIMED_OUT' ? done.status : 'FAILED';
    return compact({
      executionArn: done.arn,
      stateMachineArn: done.stateMachineArn,
      name: done.name,
      startDate: seconds(done.startDate),
      stopDate: seconds(stopDate),
      status,
      error: done.error,
      cause: done.cause,
      input: done.input,
      inputDetails: { included: true },
      output: done.output,
      outputDetails: done.output !== undefined ? { included: true } : undefined,
      traceHeader: done.traceHeader,
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billed },
    });
  },
);
