/**
 * Reads an execution's history through GetExecutionHistory pages (at most 1,000 events each,
 * chained by opaque nextTokens) and hands the events on in id order, as they become contiguous.
 *
 * A long history is a chain of requests that cannot be asked for in parallel: each page's token
 * comes with the page before. So a finished execution is read from both ends at once: one chain
 * forwards from the first event, one backwards (reverseOrder) from the last, and they stop
 * where they meet. That halves the chain, and keeps the server busy while the browser digests
 * a page. The backward chain starts once the first page says there is more than one; a running
 * execution is read forwards only (its end moves).
 *
 * Each chain asks for its next page as soon as a page arrives, before it is digested. Events
 * from the backward chain wait until the forward one reaches them, and are then handed on in
 * slices with a pause between, so the page stays responsive.
 */
import type { HistoryEvent } from '../api/sfn.js';

export interface HistoryPage {
  readonly events: readonly HistoryEvent[];
  readonly nextToken?: string;
}

/** One GetExecutionHistory request (the page size is the fetcher's business). */
export type FetchHistoryPage = (request: { readonly reverse: boolean; readonly nextToken: string | undefined }) => Promise<HistoryPage>;

export interface LoadOptions {
  /** Where the forward chain starts: a token from an earlier load (undefined: the first event). */
  readonly cursor: string | undefined;
  /**
   * Read from the last event backwards too (for a history that no longer grows). A promise lets
   * the forward chain start before the execution's status is known.
   */
  readonly fromBothEnds: boolean | Promise<boolean>;
  /** Gets the events in id order; each call continues where the last one ended (ids may overlap). */
  readonly onEvents: (events: readonly HistoryEvent[]) => void;
  readonly signal: AbortSignal;
  /** Events handed on at once when the two chains join (default 2,000). */
  readonly sliceSize?: number;
  /** Lets the page breathe between slices (default: a macrotask). */
  readonly pause?: () => Promise<void>;
}

export interface LoadResult {
  /**
   * The token to poll from next time: the one for the page after the forward chain's last full
   * page, or, when its last page was partial, the one that fetched that page (asked again, it
   * returns that page and whatever came after; seen events are to be skipped). After reading
   * from both ends it points into the middle: a later poll (after a redrive) re-reads the
   * second half once.
   */
  readonly cursor: string | undefined;
}

const nextMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function loadHistory(fetchPage: FetchHistoryPage, options: LoadOptions): Promise<LoadResult> {
  const { signal, onEvents } = options;
  let cursor = options.cursor;
  /** The highest id handed on by the forward chain (0: none yet). */
  let forwardEnd = 0;
  /** Pages of the backward chain, newest first, each in descending id order. */
  const backward: (readonly HistoryEvent[])[] = [];
  /** The lowest id the backward chain has read (Infinity: none yet). */
  let backwardStart = Infinity;
  let done = false;
  let firstPageHasMore!: (more: boolean) => void;
  const firstPage = new Promise<boolean>((resolve) => (firstPageHasMore = resolve));
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => {
    done = true;
    finish();
  };
  /** The two chains have met: everything is either handed on or waiting in `backward`. */
  const met = () => forwardEnd >= backwardStart - 1;

  const forwardChain = async (): Promise<void> => {
    let token = cursor;
    let request = fetchPage({ reverse: false, nextToken: token });
    for (;;) {
      const page = await request;
      firstPageHasMore(page.nextToken !== undefined);
      if (signal.aborted || done) return;
      const last = page.events[page.events.length - 1]?.id ?? forwardEnd;
      const more = page.nextToken !== undefined && last < backwardStart - 1;
      if (more) {
        request = fetchPage({ reverse: false, nextToken: page.nextToken });
        request.catch(() => undefined); // awaited next turn; this only keeps an abort from being "unhandled"
      }
      if (page.events.length > 0) onEvents(page.events);
      forwardEnd = Math.max(forwardEnd, last);
      // A full page hands out the token of the next one. The last (partial) page is asked for
      // again when polling, so the cursor stays on the token that fetched it.
      cursor = page.nextToken ?? token;
      if (!more) return stop();
      token = page.nextToken;
    }
  };

  const backwardChain = async (): Promise<void> => {
    // A history of one page is read once.
    if (!(await options.fromBothEnds) || !(await firstPage) || done || signal.aborted) return;
    let request = fetchPage({ reverse: true, nextToken: undefined });
    for (;;) {
      const page = await request;
      if (signal.aborted || done) return;
      if (page.events.length > 0) {
        backward.push(page.events);
        backwardStart = Math.min(backwardStart, page.events[page.events.length - 1]!.id);
      }
      // No token: it has read back to the first event.
      if (page.nextToken === undefined) backwardStart = Math.min(backwardStart, 1);
      if (page.nextToken === undefined || met()) return stop();
      request = fetchPage({ reverse: true, nextToken: page.nextToken });
    }
  };

  // Whichever chain sees them meet ends the load; the other one's page in flight is not waited for.
  const chains = Promise.all([forwardChain(), backwardChain()]);
  await Promise.race([finished, chains]);
  if (signal.aborted) return { cursor };

  // Hand on what the backward chain read beyond the forward one, oldest first, in slices.
  const rest: HistoryEvent[] = [];
  for (let p = backward.length - 1; p >= 0; p--) {
    const events = backward[p]!;
    for (let i = events.length - 1; i >= 0; i--) if (events[i]!.id > forwardEnd) rest.push(events[i]!);
  }
  const sliceSize = options.sliceSize ?? 2000;
  const pause = options.pause ?? nextMacrotask;
  for (let start = 0; start < rest.length; start += sliceSize) {
    if (start > 0) await pause();
    if (signal.aborted) break;
    onEvents(rest.slice(start, start + sliceSize));
  }
  return { cursor };
}
