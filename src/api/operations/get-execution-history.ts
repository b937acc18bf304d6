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
 *
 * A page is also bounded in bytes (limits.maxHistoryPageBytes): it ends before the event that
 * would take the response beyond the budget, with a nextToken, and always holds at least one
 * event. AWS documents no response size limit for GetExecutionHistory (only that a page may hold
 * fewer events than maxResults), so the budget is our choice. Without it, 1,000 events carrying
 * a 64 KiB input made a 66 MB response.
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

/** `{"events":[],"nextToken":"…"}` around the events, with room for the token. */
const ENVELOPE_BYTES = 256;

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
    const budget = ctx.config.limits.maxHistoryPageBytes;
    const after = (id: number | undefined) => (reverse ? { beforeId: id ?? Number.MAX_SAFE_INTEGER, reverse: true } : { afterId: id ?? 0 });
    // The store stops at the budget too, by its own measure (the stored JSON, payloads included),
    // so a page of large events does not read payloads it cannot hold. Without execution data
    // that measure counts payloads the response leaves out: such pages may hold fewer events
    // than would fit, never more bytes.
    const events = await ctx.store.getEvents(arn, { ...after(from), limit: limit + 1, maxBytes: budget });
    if (events.length === 0) await getExecution(ctx, arn);
    const includeData = input.includeExecutionData !== false;
    const page: Record<string, unknown>[] = [];
    let bytes = ENVELOPE_BYTES;
    for (let i = 0; i < events.length && i < limit; i++) {
      const e = events[i]!;
      // The library's shape has a Date; the wire has epoch seconds.
      const event: Record<string, unknown> = toAwsEvent(e, includeData);
      event.timestamp = seconds(e.timestamp);
      const size = Buffer.byteLength(JSON.stringify(event)) + 1; // and its comma
      if (page.length > 0 && bytes + size > budget) break;
      page.push(event);
      bytes += size;
    }
    const lastId = page.length ? events[page.length - 1]!.id : undefined;
    let more = page.length < events.length;
    // Every event read fitted: the store may still have stopped at its budget, so look one further.
    if (!more && lastId !== undefined) more = (await ctx.store.getEvents(arn, { ...after(lastId), limit: 1, maxBytes: 0 })).length > 0;
    return compact({ events: page, nextToken: more ? encodePageToken(scope, [lastId!]) : undefined });
  },
);
