/**
 * UpdateMapRun: new MaxConcurrency and failure tolerances for a running Map Run. The execution
 * applies them as a decision of its own (durable and replayed like any other); a Map Run that
 * has ended is left as it is.
 */
import { float, int, shapes, struct } from '../input.js';
import { getMapRun } from '../map-runs.js';
import { operation } from './operation.js';

interface Input {
  mapRunArn: string;
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
}

export const updateMapRun = operation<Input>(
  struct(
    'UpdateMapRunInput',
    { mapRunArn: shapes.LongArn, maxConcurrency: int({ min: 0 }), toleratedFailurePercentage: float({ min: 0, max: 100 }), toleratedFailureCount: int({ min: 0 }) },
    ['mapRunArn'],
  ),
  async ({ mapRunArn, maxConcurrency, toleratedFailurePercentage, toleratedFailureCount }, ctx) => {
    await getMapRun(ctx, mapRunArn);
    await ctx.runner.updateMapRun(mapRunArn, {
      ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
      ...(toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage } : {}),
      ...(toleratedFailureCount !== undefined ? { toleratedFailureCount } : {}),
    });
    return {};
  },
);
