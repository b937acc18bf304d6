/** UpdateMapRun. Map Runs are not persisted yet: every Map Run ARN is ResourceNotFound. */
import { resourceNotFoundArn } from '../aws-errors.js';
import { expectArn } from '../arns.js';
import { float, int, shapes, struct } from '../input.js';
import { operation } from './operation.js';

export const updateMapRun = operation<{ mapRunArn: string }>(
  struct(
    'UpdateMapRunInput',
    { mapRunArn: shapes.LongArn, maxConcurrency: int({ min: 0 }), toleratedFailurePercentage: float({ min: 0, max: 100 }), toleratedFailureCount: int({ min: 0 }) },
    ['mapRunArn'],
  ),
  async ({ mapRunArn }) => {
    expectArn(mapRunArn, 'mapRun');
    throw resourceNotFoundArn(mapRunArn);
  },
);
