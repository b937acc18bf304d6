/**
 * Map Runs on the wire: DescribeMapRun's output and ListMapRuns' items from the stored records
 * (store/types.ts MapRunRecord), and the lookup the Map Run actions share.
 */
import type { MapRunCounts, MapRunRecord } from '../store/types.js';
import { resourceNotFoundArn } from './aws-errors.js';
import { expectArn } from './arns.js';
import type { ApiContext } from './context.js';
import { compact, seconds } from './wire.js';

/** The Map Run an ARN names; InvalidArn for another kind of ARN, ResourceNotFound for an unknown one. */
export async function getMapRun(ctx: ApiContext, mapRunArn: string): Promise<MapRunRecord> {
  expectArn(mapRunArn, 'mapRun');
  const run = await ctx.store.getMapRun(mapRunArn);
  if (!run) throw resourceNotFoundArn(mapRunArn);
  return run;
}

/** MapRunItemCounts / MapRunExecutionCounts. Map Runs are not redriven on their own here, so the redrive counters are 0. */
function countsOf(counts: MapRunCounts): Record<string, number> {
  return {
    pending: counts.pending,
    running: counts.running,
    succeeded: counts.succeeded,
    failed: counts.failed,
    timedOut: counts.timedOut,
    aborted: counts.aborted,
    total: counts.total,
    resultsWritten: counts.resultsWritten,
    failuresNotRedrivable: 0,
    pendingRedrive: 0,
  };
}

export function describeMapRunOutput(run: MapRunRecord): Record<string, unknown> {
  return compact({
    mapRunArn: run.arn,
    executionArn: run.executionArn,
    status: run.status,
    startDate: seconds(run.startDate),
    stopDate: run.stopDate === undefined ? undefined : seconds(run.stopDate),
    maxConcurrency: run.maxConcurrency,
    toleratedFailurePercentage: run.toleratedFailurePercentage,
    toleratedFailureCount: run.toleratedFailureCount,
    itemCounts: countsOf(run.itemCounts),
    executionCounts: countsOf(run.executionCounts),
    redriveCount: run.redriveCount,
    redriveDate: run.redriveDate === undefined ? undefined : seconds(run.redriveDate),
  });
}

export function mapRunListItem(run: MapRunRecord): Record<string, unknown> {
  return compact({
    executionArn: run.executionArn,
    mapRunArn: run.arn,
    stateMachineArn: run.stateMachineArn,
    startDate: seconds(run.startDate),
    stopDate: run.stopDate === undefined ? undefined : seconds(run.stopDate),
  });
}
