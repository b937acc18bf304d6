/**
 * ListMapRuns of an execution, read from its history: each MapRunStarted event is a Map Run,
 * which stopped at the next MapRunSucceeded/Failed/Aborted of the same frame. (Map Runs have no
 * records of their own yet, so DescribeMapRun cannot find them.)
 */
import type { HistoryEvent } from '../../engine/events.js';
import { decodePageToken, encodePageToken } from '../../store/page-token.js';
import { InvalidPageToken } from '../../store/errors.js';
import { invalidToken } from '../aws-errors.js';
import type { ApiContext } from '../context.js';
import { getExecution } from '../executions.js';
import { shapes, struct } from '../input.js';
import { DEFAULT_PAGE_SIZE } from '../paging.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

const ENDS = new Set(['MapRunSucceeded', 'MapRunFailed', 'MapRunAborted']);

export const listMapRuns = operation<{ executionArn: string; maxResults?: number; nextToken?: string }>(
  struct('ListMapRunsInput', { executionArn: shapes.Arn, maxResults: shapes.PageSize, nextToken: shapes.PageToken }, ['executionArn']),
  async ({ executionArn, maxResults, nextToken }, ctx) => {
    const execution = await getExecution(ctx, executionArn);
    const scope = `mapRuns:${execution.arn}`;
    let offset = 0;
    if (nextToken !== undefined) {
      try {
        offset = decodePageToken(nextToken, scope, ['number'])[0] as number;
      } catch (error) {
        if (error instanceof InvalidPageToken) throw invalidToken();
        throw error;
      }
    }
    const runs = mapRunsOf(await allEvents(ctx, execution.arn), execution.arn);
    const limit = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
    const page = runs.slice(offset, offset + limit);
    return compact({ mapRuns: page, nextToken: offset + limit < runs.length ? encodePageToken(scope, [offset + limit]) : undefined });
  },
);

async function allEvents(ctx: ApiContext, arn: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  for (let after = 0; ; ) {
    const batch = await ctx.store.getEvents(arn, { afterId: after, limit: 1000 });
    out.push(...batch);
    if (batch.length < 1000) return out;
    after = batch[batch.length - 1]!.id;
  }
}

function mapRunsOf(events: readonly HistoryEvent[], executionArn: string): Record<string, unknown>[] {
  const runs: Record<string, unknown>[] = [];
  events.forEach((event, i) => {
    const mapRunArn = event.type === 'MapRunStarted' ? event.details?.mapRunArn : undefined;
    if (!mapRunArn) return;
    const end = events.slice(i + 1).find((e) => ENDS.has(e.type) && e.frame === event.frame);
    // arn:…:mapRun:<machine>/<label>:<id> runs the child machine arn:…:stateMachine:<machine>/<label>.
    const fields = mapRunArn.split(':');
    const childMachine = `${fields.slice(0, 5).join(':')}:stateMachine:${fields[6] ?? ''}`;
    runs.push(
      compact({
        executionArn,
        mapRunArn,
        stateMachineArn: childMachine,
        startDate: seconds(event.timestamp),
        stopDate: end ? seconds(end.timestamp) : undefined,
      }),
    );
  });
  return runs;
}
