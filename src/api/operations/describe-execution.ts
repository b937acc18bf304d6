/** DescribeExecution (standard executions; express ones are InvalidArn, as on AWS). */
import { describeExecution as describe, getExecution } from '../executions.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const describeExecution = operation<{ executionArn: string }>(
  struct('DescribeExecutionInput', { executionArn: shapes.Arn, includedData: shapes.IncludedData }, ['executionArn']),
  async ({ executionArn }, ctx) => describe(await getExecution(ctx, executionArn), ctx.clock.now()),
);
