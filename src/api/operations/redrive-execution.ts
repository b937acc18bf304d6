/**
 * RedriveExecution: restarts a FAILED, TIMED_OUT or ABORTED standard execution from where it
 * stopped, within 14 days of its end. A repeated clientToken (the SDK sends one) answers with the
 * first redrive's date, as AWS does for the last 10 tokens within 15 minutes.
 */
import { executionNotRedrivable } from '../aws-errors.js';
import type { ApiContext } from '../context.js';
import { getExecution } from '../executions.js';
import { shapes, struct } from '../input.js';
import { checkOpenExecutions } from '../quotas.js';
import { redriveStatusOf, seconds } from '../wire.js';
import { operation } from './operation.js';

const TOKEN_TTL_MS = 15 * 60 * 1000;
const recentTokens = new WeakMap<ApiContext, Map<string, { date: number; at: number }>>();

export const redriveExecution = operation<{ executionArn: string; clientToken?: string }>(
  struct('RedriveExecutionInput', { executionArn: shapes.Arn, clientToken: shapes.ClientToken }, ['executionArn']),
  async ({ executionArn, clientToken }, ctx) => {
    const now = ctx.clock.now();
    const tokens = recentTokens.get(ctx) ?? new Map<string, { date: number; at: number }>();
    recentTokens.set(ctx, tokens);
    const key = clientToken !== undefined ? `${executionArn}\n${clientToken}` : undefined;
    const seen = key !== undefined ? tokens.get(key) : undefined;
    if (seen && now - seen.at < TOKEN_TTL_MS) return { redriveDate: seconds(seen.date) };

    const execution = await getExecution(ctx, executionArn);
    const status = redriveStatusOf(execution, now);
    if (status.status !== 'REDRIVABLE') throw executionNotRedrivable(status.reason ?? `Execution is ${execution.status} and cannot be redriven`);
    // A redriven execution is open again: it needs a place within the quota.
    await checkOpenExecutions(ctx);
    const redriveDate = await ctx.runner.redrive(executionArn);
    if (key !== undefined) {
      tokens.set(key, { date: redriveDate, at: now });
      if (tokens.size > 1000) tokens.delete(tokens.keys().next().value!);
    }
    return { redriveDate: seconds(redriveDate) };
  },
);
