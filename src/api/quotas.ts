/**
 * The quotas checked when an execution starts, with AWS's error (ExecutionLimitExceeded).
 *
 * Open executions: AWS allows 1,000,000 RUNNING Standard executions per account and region
 * (Express executions do not count). The store keeps the number as a counter, so asking costs
 * one read. The check comes before the start is committed, so starts racing for the last free
 * places can overshoot the quota by as many as are in flight at once: a quota against floods,
 * not an exact allowance.
 *
 * Nested executions: AWS documents no quota on the executions one execution starts, nor on how
 * deep such starts nest; it relies on the open-executions quota and StartExecution's throttling,
 * under which a workflow that starts two copies of itself grows until the account is full. Here
 * an execution may start at most `maxChildExecutions` (default 1,000) executions, through
 * `states:startExecution` tasks or the SDK integration's `startExecution`, and such starts nest
 * at most `maxExecutionDepth` (default 10) below the execution a client started. Why these:
 * - 25,000 history events already hold one execution to about 5,000 child starts (each takes at
 *   least five events); 1,000 leaves the fan-outs Task states are used for (larger ones are
 *   what a Distributed Map is for) and stops a loop that starts children without end early.
 * - Depth 10 is deeper than nesting is used in practice, and stops a self-starting workflow
 *   after 2^11 - 1 = 2,047 executions with two children each (instead of tens of thousands
 *   within a minute). A "continue as new" chain, where each execution starts its successor and
 *   ends, nests too and stops after 10 generations: raise `--max-execution-depth` for those.
 * The start that would exceed either fails with ExecutionLimitExceeded, so the parent's Task
 * fails with `StepFunctions.ExecutionLimitExceededException` (or `Sfn.…` through the SDK
 * integration), which its Retry and Catch can handle. The depth is exact; the count, like the
 * open executions, is read before the start commits, so starts one execution has in flight at
 * the same moment (a Map's concurrent iterations) may pass it together and exceed it by as many.
 */
import { executionLimitExceeded } from './aws-errors.js';
import type { ApiContext } from './context.js';

/** Refuses a new RUNNING Standard execution once the quota of open executions is reached. */
export async function checkOpenExecutions(ctx: ApiContext): Promise<void> {
  if ((await ctx.store.countOpenExecutions()) >= ctx.config.limits.maxOpenExecutions) throw executionLimitExceeded();
}

/** Refuses a start by `parentArn` that would exceed the quotas on nested executions. */
export async function checkNestedStart(ctx: ApiContext, parentArn: string): Promise<void> {
  const { maxChildExecutions, maxExecutionDepth } = ctx.config.limits;
  const started = await ctx.store.countChildExecutions(parentArn);
  if (started >= maxChildExecutions) {
    throw executionLimitExceeded(`The execution '${parentArn}' has started ${started} executions, the most one execution may start.`);
  }
  const depth = await depthOf(ctx, parentArn, maxExecutionDepth);
  if (depth >= maxExecutionDepth) {
    throw executionLimitExceeded(`The execution '${parentArn}' is nested ${depth} deep, and executions may nest at most ${maxExecutionDepth} deep.`);
  }
}

/**
 * How many executions started `executionArn` one inside the other (0 for one a client started),
 * counting no further than `limit`.
 */
async function depthOf(ctx: ApiContext, executionArn: string, limit: number): Promise<number> {
  let depth = 0;
  let parent = (await ctx.store.getExecution(executionArn))?.parentExecutionArn;
  while (parent !== undefined && depth < limit) {
    depth++;
    parent = (await ctx.store.getExecution(parent))?.parentExecutionArn;
  }
  return depth;
}
