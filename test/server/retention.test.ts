// Retention: closed executions go --retention-days after they closed, with all their rows, in
// small batches that let other work through. Real SQLite files, a clock the tests move.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeArgs } from '../../src/server/config.js';
import { DAY_MS, RetentionLoop } from '../../src/server/retention.js';
import { startServer } from '../../src/server/start.js';
import { events, execution, startWrite } from '../../src/store/contract.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import type { ExecutionRecord, ExecutionStatus } from '../../src/store/types.js';

const root = mkdtempSync(join(tmpdir(), 'stepwise-retention-'));
let files = 0;
const dbFile = (): string => join(root, `db-${++files}`, 'stepwise.db');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = Date.UTC(2025, 0, 1);

/** Stores `count` executions that ran from `stopDate - 1000` to `stopDate` (RUNNING: no stop). */
async function seed(store: SqliteStore, prefix: string, count: number, status: ExecutionStatus, stopDate: number): Promise<ExecutionRecord[]> {
  const records = Array.from({ length: count }, (_, i) =>
    execution('m', `${prefix}-${i}`, { status, startDate: stopDate - 1000, ...(status === 'RUNNING' ? {} : { stopDate }) }),
  );
  await Promise.all(
    records.map((r) =>
      store.createExecution({ ...r, lastEventId: 3 }, startWrite(r, 3, { timersAdded: [{ executionArn: r.arn, timerId: 't', dueAt: stopDate + 5 * DAY_MS }] })),
    ),
  );
  return records;
}

/** Rows left in every table that belongs to executions, and the executions left. */
function rowCounts(store: SqliteStore): Record<string, number> {
  const tables = ['executions', 'events', 'triggers', 'timers', 'tasks', 'map_runs'];
  return Object.fromEntries(tables.map((t) => [t, store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
}

describe('RetentionLoop over a SQLite file', () => {
  it('purges what closed more than retentionDays ago, 500 executions a transaction, and keeps the rest', async () => {
    const store = await openSqliteStore(dbFile());
    let now = T0;
    await seed(store, 'old', 1_200, 'SUCCEEDED', T0);
    await seed(store, 'old-failed', 30, 'FAILED', T0 + 1_000);
    const recent = await seed(store, 'recent', 20, 'ABORTED', T0 + 50 * DAY_MS);
    const running = await seed(store, 'running', 5, 'RUNNING', T0);
    const batches: number[] = [];
    const loop = new RetentionLoop({
      store: { purgeClosedExecutions: async (before, limit) => { const n = await store.purgeClosedExecutions(before, limit); batches.push(n); return n; }, deadLetters: store.deadLetters },
      retentionDays: 90,
      clock: { now: () => now },
    });

    // Dead letters are kept as long as executions, from when they were given up.
    const letter = (id: string, time: number) => ({ id, source: 'rule' as const, sourceArn: 'arn:aws:events:us-east-1:1:rule/r', targetArn: 't', payload: '{}', error: 'E', cause: 'c', attempts: 1, eventTime: time, time });
    await store.deadLetters.add([letter('old-letter', T0), letter('recent-letter', T0 + 50 * DAY_MS)]);

    // 89 days after they closed: nothing is old enough.
    now = T0 + 89 * DAY_MS;
    expect(await loop.runOnce()).toBe(0);
    expect(rowCounts(store).executions).toBe(1_255);

    now = T0 + 91 * DAY_MS;
    expect(await loop.runOnce()).toBe(1_230);
    expect(batches.slice(1)).toEqual([500, 500, 230, 0]);
    // Every row of the purged executions is gone; the others keep theirs (3 events, 1 trigger, 1 timer each).
    expect(rowCounts(store)).toEqual({ executions: 25, events: 75, triggers: 25, timers: 25, tasks: 0, map_runs: 0 });
    const left = (await store.listExecutions({}, { limit: 100 })).items.map((r) => r.name).sort();
    expect(left).toEqual([...recent, ...running].map((r) => r.name).sort());
    expect((await store.deadLetters.list({}, { limit: 10 })).items.map((l) => l.id)).toEqual(['recent-letter']);

    now = T0 + 141 * DAY_MS;
    expect(await loop.runOnce()).toBe(20);
    expect((await store.listExecutions({}, { limit: 100 })).items.map((r) => r.status)).toEqual(Array(5).fill('RUNNING'));
    await loop.stop();
    await store.close();
  });

  it('lets other writes commit while a backlog is purged', async () => {
    const store = await openSqliteStore(dbFile());
    await seed(store, 'old', 2_000, 'SUCCEEDED', T0);
    const [live] = await seed(store, 'live', 1, 'RUNNING', T0);
    const loop = new RetentionLoop({ store, retentionDays: 1, clock: { now: () => T0 + 2 * DAY_MS }, batchSize: 100 });
    const order: string[] = [];
    const purge = loop.runOnce().then(() => order.push('purge done'));
    // A decision of a running execution, submitted while the purge has 20 batches to go.
    await new Promise((r) => setTimeout(r, 15));
    const write = store.appendExecution({ executionArn: live!.arn, expectedLastEventId: 3, events: events(3, 1) }).then(() => order.push('write committed'));
    await Promise.all([purge, write]);
    expect(order).toEqual(['write committed', 'purge done']);
    expect(rowCounts(store).executions).toBe(1);
    await store.close();
  });

  it('runs by itself shortly after start and then every interval; 0 days keeps everything', async () => {
    const store = await openSqliteStore(dbFile());
    const now = T0 + 100 * DAY_MS;
    await seed(store, 'first', 10, 'TIMED_OUT', T0);
    const loop = new RetentionLoop({ store, retentionDays: 90, clock: { now: () => now }, firstRunMs: 10, intervalMs: 50 });
    loop.start();
    await expect.poll(() => rowCounts(store).executions, { timeout: 2_000 }).toBe(0);
    await seed(store, 'later', 10, 'SUCCEEDED', T0);
    await expect.poll(() => rowCounts(store).executions, { timeout: 2_000 }).toBe(0);
    await loop.stop();

    await seed(store, 'kept', 10, 'SUCCEEDED', T0);
    let calls = 0;
    const forever = new RetentionLoop({ store: { purgeClosedExecutions: async () => ++calls, deadLetters: store.deadLetters }, retentionDays: 0, clock: { now: () => now }, firstRunMs: 1, intervalMs: 1 });
    forever.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(await forever.runOnce()).toBe(0);
    expect(calls).toBe(0);
    await forever.stop();
    expect(rowCounts(store).executions).toBe(10);
    await store.close();
  });
});

describe('stepwise serve --retention-days', () => {
  it('is 90 days by default, read from STEPWISE_RETENTION_DAYS, 0 to keep forever, and refuses anything else', () => {
    expect(parseServeArgs([], {}).retentionDays).toBe(90);
    expect(parseServeArgs([], { STEPWISE_RETENTION_DAYS: '7' }).retentionDays).toBe(7);
    expect(parseServeArgs(['--retention-days', '0'], { STEPWISE_RETENTION_DAYS: '7' }).retentionDays).toBe(0);
    for (const bad of ['-1', '1.5', 'ninety', '', '36501', '1e3']) {
      expect(() => parseServeArgs(['--retention-days', bad], {}), bad).toThrow(ConfigError);
    }
    expect(() => parseServeArgs(['--retention-days', 'x'], {})).toThrow("--retention-days must be a whole number of days from 0 (keep forever) to 36500, not 'x'.");
  });

  it('deletes an execution the server ran once it has been closed longer than the retention', async () => {
    let now = T0;
    const server = await startServer(parseServeArgs(['--port', '0', '--db', dbFile(), '--retention-days', '30'], {}), pino({ level: 'silent' }), {
      clock: { now: () => now },
    });
    const client = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const role = 'arn:aws:iam::111111111111:role/retention';
      const quick = await client.send(new CreateStateMachineCommand({ name: 'quick', roleArn: role, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
      const slow = await client.send(new CreateStateMachineCommand({ name: 'slow', roleArn: role, definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 99999999, End: true } } }) }));
      const done = await client.send(new StartExecutionCommand({ stateMachineArn: quick.stateMachineArn! }));
      const waiting = await client.send(new StartExecutionCommand({ stateMachineArn: slow.stateMachineArn! }));
      await expect.poll(async () => (await client.send(new DescribeExecutionCommand({ executionArn: done.executionArn! }))).status).toBe('SUCCEEDED');

      now = T0 + 29 * DAY_MS;
      expect(await server.retention.runOnce()).toBe(0);
      now = T0 + 31 * DAY_MS;
      expect(await server.retention.runOnce()).toBe(1);
      await expect(client.send(new DescribeExecutionCommand({ executionArn: done.executionArn! }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
      await expect(client.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn! }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
      expect((await client.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn! }))).status).toBe('RUNNING');
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
