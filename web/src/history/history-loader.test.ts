import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../api/sfn.js';
import { loadHistory, type FetchHistoryPage } from './history-loader.js';

/**
 * GetExecutionHistory's paging, as the server does it: at most `pageSize` events, forwards or
 * (reverseOrder) backwards, a nextToken only when more events follow, tokens that carry the
 * last id handed out. `delay` says how long each answer takes (by direction and request number).
 */
function fakeHistory(total: number, pageSize: number, delay: (reverse: boolean, n: number) => number = () => 0) {
  const events: HistoryEvent[] = [];
  const append = (count: number) => {
    for (let i = 0; i < count; i++) {
      const id = events.length + 1;
      events.push({ id, previousEventId: id - 1, type: 'PassStateEntered', timestamp: id });
    }
  };
  append(total);
  const requests: string[] = [];
  const counts = { forward: 0, backward: 0 };
  const fetchPage: FetchHistoryPage = async ({ reverse, nextToken }) => {
    requests.push(`${reverse ? 'backward' : 'forward'} ${nextToken ?? 'start'}`);
    const n = reverse ? counts.backward++ : counts.forward++;
    const wait = delay(reverse, n);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const from = nextToken === undefined ? undefined : Number(nextToken.slice(nextToken.indexOf(':') + 1));
    if (nextToken !== undefined && !nextToken.startsWith(reverse ? 'backward:' : 'forward:')) throw new Error(`InvalidToken: ${nextToken}`);
    if (!reverse) {
      const start = from ?? 0;
      const page = events.slice(start, start + pageSize);
      const more = start + pageSize < events.length;
      return { events: page, ...(more ? { nextToken: `forward:${page[page.length - 1]!.id}` } : {}) };
    }
    const end = from === undefined ? events.length : from - 1;
    const page = events.slice(Math.max(0, end - pageSize), end).reverse();
    const more = end - pageSize > 0;
    return { events: page, ...(more ? { nextToken: `backward:${page[page.length - 1]!.id}` } : {}) };
  };
  return { fetchPage, requests, append };
}

/** Loads, keeping every batch handed on. */
async function load(fetchPage: FetchHistoryPage, fromBothEnds: boolean, cursor?: string, sliceSize?: number) {
  const batches: number[][] = [];
  let pauses = 0;
  const result = await loadHistory(fetchPage, {
    cursor,
    fromBothEnds,
    signal: new AbortController().signal,
    onEvents: (events) => batches.push(events.map((e) => e.id)),
    ...(sliceSize ? { sliceSize } : {}),
    pause: async () => {
      pauses++;
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  });
  return { ...result, batches, ids: batches.flat(), pauses };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('loadHistory forwards only (a running execution)', () => {
  it('hands on every event once, in order, page by page', async () => {
    const server = fakeHistory(2500, 1000);
    const { ids, batches, cursor } = await load(server.fetchPage, false);
    expect(ids).toEqual(range(1, 2500));
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(server.requests).toEqual(['forward start', 'forward forward:1000', 'forward forward:2000']);
    // The token that fetched the last, partial page: asked again, it returns that page and anything newer.
    expect(cursor).toBe('forward:2000');
  });

  it('polls from its cursor: the last page again and what was added since', async () => {
    const server = fakeHistory(1500, 1000);
    const first = await load(server.fetchPage, false);
    server.append(700);
    const second = await load(server.fetchPage, false, first.cursor);
    expect(second.ids[0]).toBe(1001);
    expect([...new Set([...first.ids, ...second.ids])]).toEqual(range(1, 2200));
    expect(second.cursor).toBe('forward:2000');
  });

  it('keeps the start as cursor when the history fits in one page', async () => {
    const server = fakeHistory(12, 1000);
    const { ids, cursor } = await load(server.fetchPage, false);
    expect(ids).toEqual(range(1, 12));
    expect(cursor).toBeUndefined();
  });
});

describe('loadHistory from both ends (a finished execution)', () => {
  const timings: [string, (reverse: boolean, n: number) => number][] = [
    ['both chains equally fast', () => 2],
    ['the backward chain slower', (reverse) => (reverse ? 6 : 1)],
    ['the forward chain slower', (reverse) => (reverse ? 1 : 6)],
    ['uneven answers', (reverse, n) => ((n * 7 + (reverse ? 3 : 0)) % 5) + 1],
  ];
  for (const [label, delay] of timings) {
    it(`hands on 1..N exactly once and in order, with about half the chain each (${label})`, async () => {
      const server = fakeHistory(24_998, 1000, delay);
      const { ids, batches } = await load(server.fetchPage, true);
      expect(ids).toEqual(range(1, 24_998));
      // Each batch continues where the last one ended.
      for (let b = 1; b < batches.length; b++) expect(batches[b]![0]).toBe(batches[b - 1]!.at(-1)! + 1);
      // 25 pages in all, and at most one page in flight per chain wasted when they meet.
      expect(server.requests.length).toBeGreaterThanOrEqual(25);
      expect(server.requests.length).toBeLessThanOrEqual(27);
      const forward = server.requests.filter((r) => r.startsWith('forward')).length;
      expect(forward).toBeGreaterThan(1);
      expect(forward).toBeLessThan(25);
    });
  }

  it('works when the whole history fits in one page (read once), and when it is a whole number of pages', async () => {
    for (const total of [1, 999, 1000, 1001, 3000]) {
      const server = fakeHistory(total, 1000, (reverse) => (reverse ? 2 : 1));
      expect((await load(server.fetchPage, true)).ids, String(total)).toEqual(range(1, total));
      if (total <= 1000) expect(server.requests, String(total)).toEqual(['forward start']);
    }
  });

  it('hands on the backward chain’s events in slices, pausing between them', async () => {
    // The forward chain is so slow that the backward one reads all the rest after its first page.
    const server = fakeHistory(9_000, 1000, (reverse) => (reverse ? 0 : 50));
    const { ids, batches, pauses } = await load(server.fetchPage, true, undefined, 2000);
    expect(ids).toEqual(range(1, 9_000));
    expect(batches.map((b) => b.length)).toEqual([1000, 2000, 2000, 2000, 2000]);
    expect(pauses).toBe(3);
  });

  it('stops handing on events once aborted', async () => {
    const server = fakeHistory(10_000, 1000, () => 3);
    const controller = new AbortController();
    const seen: number[] = [];
    const loading = loadHistory(server.fetchPage, {
      cursor: undefined,
      fromBothEnds: true,
      signal: controller.signal,
      onEvents: (events) => {
        seen.push(...events.map((e) => e.id));
        controller.abort();
      },
    });
    await loading.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(range(1, 1000));
  });
});
