/**
 * DescribeMapRun. Map Runs are not persisted yet (their counters live only inside the running
 * execution), so every Map Run ARN is ResourceNotFound for now.
 */
import { resourceNotFoundArn } from '../aws-errors.js';
import { expectArn } from '../arns.js';
import { shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const describeMapRun = operation<{ mapRunArn: string }>(
  struct('DescribeMapRunInput', { mapRunArn: shapes.LongArn }, ['mapRunArn']),
  async ({ mapRunArn }) => {
    expectArn(mapRunArn, 'mapRun');
    throw resourceNotFoundArn(mapRunArn);
  },
);
