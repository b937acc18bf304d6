/** DescribeMapRun: a Distributed Map's Map Run, its settings and its item and child execution counts. */
import { shapes, struct } from '../input.js';
import { describeMapRunOutput, getMapRun } from '../map-runs.js';
import { operation } from './operation.js';

export const describeMapRun = operation<{ mapRunArn: string }>(
  struct('DescribeMapRunInput', { mapRunArn: shapes.LongArn }, ['mapRunArn']),
  async ({ mapRunArn }, ctx) => describeMapRunOutput(await getMapRun(ctx, mapRunArn)),
);
