/**
 * GetExecutionHistory: events in id order (or reversed), at most maxResults (default 100,
 * at most 1000) per page; includeExecutionData=false leaves out inputs, outputs and parameters.
 * The nextToken carries the id of the last event handed out.
 *
 * A page's events are enough to know the execution exists (every execution has an
 * ExecutionStarted): its record, with its whole input and output, is only read when a page comes
 * back empty, to tell an unknown execution (ExecutionDoesNotExist) from an exhausted one. A long
 * history is read in many pages (the console reads 25 for 25,000 events), and the record can be
 * larger than a page.
 */
import { decodePageToken, encodePageToken } from '../../store/page-token.js';
import { InvalidPageToken } from '../../store/errors.js';
import { toAwsEvent } from '../../engine/events.js';
import { invalidToken } from '../aws-errors.js';
import { parseStandardExecutionArn } from '../arns.js';
import { getExecution } from '../executions.js';
import { bool, shapes, struct } from '../input.js';
import { DEFAULT_PAGE_SIZE } from '../paging.js';
import { compact, seconds } from '../wire.js';
import { operation } from './operation.js';

interface Input {
  executionArn: string;
  maxResults?: number;
  reverseOrder?: boolean;
  nextToken?: string;
  includeExecutionData?: boolean;
}

export const getExecutionHistory = operation<Input>(
  struct(
    'GetExecutionHistoryInput',
    { executionArn: shapes.Arn, maxResults: shapes.PageSize, reverseOrder: bool, nextToken: shapes.PageToken, includeExecutionData: bool },
    ['executionArn'],
  ),
  async (input, ctx) => {
    const arn = input.executionArn;
    parseStandardExecutionArn(arn);
    const reverse = input.reverseOrder === true;
    const limit = input.maxResults === undefined || input.maxResults === 0 ? DEFAULT_PAGE_SIZE : input.maxResults;
    const scope = `history:${arn}:${reverse ? 'desc' : 'asc'}`;
    let from: number | undefined;
    if (input.nextToken !== undefined) {
      try {
        from = decodePageToken(input.nextToken, scope, ['number'])[0] as number;
      } catch (error) {
        if (!(error instanceof InvalidPageToken)) throw error;
        await getExecution(ctx, arn); // an unknown execution is the first thing wrong
        throw invalidToken();
      }
    }
    const events = await ctx.store.getEvents(
      arn,
      reverse ? { beforeId: from ?? Number.MAX_SAFE_INTEGER, limit: limit + 1, reverse: true } : { afterId: from ?? 0, limit: limit + 1 },
    );
    if (events.length === 0) await getExecution(ctx, arn);
    const page = events.slice(0, limit);
    const more = events.length > limit;
    const includeData = input.includeExecutionData !== false;
    return compact({
      events: page.map((e) => {
        // The library's shape has a Date; the wire has epoch seconds.
        const event: Record<string, unknown> = toAwsEvent(e, includeData);
        event.timestamp = seconds(e.timestamp);
        return event;
      }),
      nextToken: more ? encodePageToken(scope, [page[page.length - 1]!.id]) : undefined,
    });
  },
);
