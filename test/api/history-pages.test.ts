// GetExecutionHistory pages are bounded in bytes: a history of large events comes in pages
// under the budget, each with a nextToken, and @aws-sdk/client-sfn's paginator puts every event
// back together in order. A real `stepwise serve` (SQLite file and :memory:), a real client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  paginateGetExecutionHistory,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeArgs } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const root = mkdtempSync(join(tmpdir(), 'stepwise-history-pages-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ROLE = 'arn:aws:iam::111111111111:role/history';
const MiB = 1024 * 1024;

/** A counting loop (Pass → Choice → Pass …) that carries `data` through every state, `turns` times. */
const COUNTING_LOOP = JSON.stringify({
  StartAt: 'Count',
  States: {
    Count: { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.count, 1)', 'data.$': '$.data' }, Next: 'More?' },
    'More?': { Type: 'Choice', Choices: [{ Variable: '$.count', NumericLessThan: 60, Next: 'Count' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ server: RunningServer; client: SFNClient }> {
  const server = await startServer(parseServeArgs(['--port', '0', ...args], env), pino({ level: 'silent' }));
  const client = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  return { server, client };
}

async function run(client: SFNClient, definition: string, input: unknown): Promise<string> {
  const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: `m${Math.random().toString(36).slice(2)}`, roleArn: ROLE, definition }));
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  await expect.poll(async () => (await client.send(new DescribeExecutionCommand({ executionArn }))).status, { timeout: 30_000, interval: 50 }).toBe('SUCCEEDED');
  return executionArn!;
}

/** Every page as the wire carries it: its size in bytes and its events. */
async function rawPages(url: string, body: Record<string, unknown>): Promise<{ bytes: number; events: { id: number }[] }[]> {
  const pages: { bytes: number; events: { id: number }[] }[] = [];
  let nextToken: string | undefined;
  do {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSStepFunctions.GetExecutionHistory', 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ ...body, ...(nextToken ? { nextToken } : {}) }),
    });
    const buffer = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    const page = JSON.parse(buffer.toString('utf8')) as { events: { id: number }[]; nextToken?: string };
    pages.push({ bytes: buffer.length, events: page.events });
    nextToken = page.nextToken;
  } while (nextToken && pages.length < 10_000);
  return pages;
}

async function allEvents(client: SFNClient, executionArn: string, options: { reverseOrder?: boolean; includeExecutionData?: boolean } = {}): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client, pageSize: 1000 }, { executionArn, ...options })) events.push(...(page.events ?? []));
  return events;
}

describe.each([
  ['an SQLite file', () => ['--db', join(root, `db-${Math.random().toString(36).slice(2)}`, 'stepwise.db')]],
  [':memory:', () => ['--db', ':memory:']],
])('GetExecutionHistory pages bounded in bytes, on %s', (_name, db) => {
  it('answers a history of 64 KiB events in pages under 1 MiB that the SDK paginator reassembles in order', async () => {
    const { server, client } = await serve(db());
    try {
      const data = 'd'.repeat(64 * 1024);
      const executionArn = await run(client, COUNTING_LOOP, { count: 0, data });
      const events = await allEvents(client, executionArn);
      // ExecutionStarted, 4 events per turn (the last Choice goes to Done), Succeed's 2, ExecutionSucceeded.
      expect(events).toHaveLength(1 + 60 * 4 + 2 + 1);
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
      const passExits = events.filter((e) => e.type === 'PassStateExited').map((e) => JSON.parse(e.stateExitedEventDetails!.output!));
      expect(passExits).toEqual(Array.from({ length: 60 }, (_, i) => ({ count: i + 1, data })));

      const pages = await rawPages(server.url, { executionArn, maxResults: 1000 });
      expect(pages.length).toBeGreaterThan(10);
      for (const page of pages) {
        expect(page.bytes).toBeLessThanOrEqual(MiB);
        expect(page.events.length).toBeGreaterThan(0);
      }
      expect(pages.flatMap((p) => p.events.map((e) => e.id))).toEqual(events.map((e) => e.id));

      const reversed = await allEvents(client, executionArn, { reverseOrder: true });
      expect(reversed.map((e) => e.id)).toEqual(events.map((e) => e.id).reverse());
      expect(reversed).toEqual([...events].reverse());
      // Without the data: every event, in no more pages.
      const bare = await rawPages(server.url, { executionArn, maxResults: 1000, includeExecutionData: false });
      expect(bare.flatMap((p) => p.events.map((e) => e.id))).toEqual(events.map((e) => e.id));
      expect(bare.length).toBeLessThanOrEqual(pages.length);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('still answers one event per page when each is larger than --max-history-page-bytes', async () => {
    const { server, client } = await serve(db(), { STEPWISE_MAX_HISTORY_PAGE_BYTES: '1024' });
    try {
      const input = { text: 'é'.repeat(3_000) };
      const executionArn = await run(client, JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } }), input);
      const pages = await rawPages(server.url, { executionArn });
      expect(pages.map((p) => p.events.length)).toEqual([1, 1, 1, 1, 1, 1]);
      const events = await allEvents(client, executionArn);
      expect(events.map((e) => e.type)).toEqual([
        'ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded',
      ]);
      expect(JSON.parse(events[5]!.executionSucceededEventDetails!.output!)).toEqual(input);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('stepwise serve --max-history-page-bytes', () => {
  it('is 1 MiB by default, read from STEPWISE_MAX_HISTORY_PAGE_BYTES, and refuses anything but a whole number from 1024', () => {
    expect(parseServeArgs([], {}).maxHistoryPageBytes).toBe(MiB);
    expect(parseServeArgs([], { STEPWISE_MAX_HISTORY_PAGE_BYTES: '65536' }).maxHistoryPageBytes).toBe(65_536);
    expect(parseServeArgs(['--max-history-page-bytes', '2048'], { STEPWISE_MAX_HISTORY_PAGE_BYTES: '65536' }).maxHistoryPageBytes).toBe(2048);
    for (const bad of ['1023', '-1', '1.5', 'lots', '1e6']) {
      expect(() => parseServeArgs(['--max-history-page-bytes', bad], {}), bad).toThrow(ConfigError);
    }
  });
});
