/** ListMapRuns: the Map Runs an execution started, in the order they started. */
import { getExecution } from '../executions.js';
import { shapes, struct } from '../input.js';
import { mapRunListItem } from '../map-runs.js';
import { listing, pageRequest } from '../paging.js';
import { compact } from '../wire.js';
import { operation } from './operation.js';

export const listMapRuns = operation<{ executionArn: string; maxResults?: number; nextToken?: string }>(
  struct('ListMapRunsInput', { executionArn: shapes.Arn, maxResults: shapes.PageSize, nextToken: shapes.PageToken }, ['executionArn']),
  async ({ executionArn, maxResults, nextToken }, ctx) => {
    const execution = await getExecution(ctx, executionArn);
    const page = await listing(() => ctx.store.listMapRuns(execution.arn, pageRequest(maxResults, nextToken)));
    return compact({ mapRuns: page.items.map(mapRunListItem), nextToken: page.nextToken });
  },
);
