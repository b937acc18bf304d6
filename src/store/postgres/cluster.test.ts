/**
 * The cluster part of the PostgreSQL store (../cluster.ts) against the real server: two stores
 * on one schema are two nodes. Leases, claims, fenced writes, routed work, answers accepted
 * once, and the timers each node fires. The server is named by STEPWISE_TEST_POSTGRES; these
 * tests fail, never skip, when it cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, execution, startWrite } from '../contract.js';
import { StoreConflict, type ClusterWake, type TaskRecord } from '../types.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { adminPool, TEST_POSTGRES } from './test-server.js';

const URL_ = TEST_POSTGRES;
const ACT = 'arn:aws:states:us-east-1:123456789012:activity:w';

const schemas: string[] = [];
const open: PostgresStore[] = [];
let admin: pg.Pool;

beforeAll(async () => {
  admin = await adminPool();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close().catch(() => undefined)));
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await admin.end();
});

/** `n` stores on one fresh schema, each joined as a node with the given lease. */
async function nodes(n: number, leaseMs = 60_000): Promise<PostgresStore[]> {
  const schema = `stepwise_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  const stores: PostgresStore[] = [];
  for (let i = 0; i < n; i++) {
    const store = await openPostgresStore(URL_, { schema });
    open.push(store);
    await store.cluster.join({ leaseMs, name: `node${i}` });
    stores.push(store);
  }
  return stores;
}

const task = (arn: string, token: string, taskId = 't1'): TaskRecord => ({
  token, executionArn: arn, taskId, activityArn: ACT, input: '{}', status: 'SCHEDULED', createdAt: 1,
});

describe('PostgreSQL cluster store', () => {
  it('fences writes: only the owning node appends; an ended execution is nobody\'s and a claim takes it for a redrive', async () => {
    const [a, b] = await nodes(2);
    const record = execution('m', 'owned');
    expect(await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record))).toBe(true);
    await expect(b.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1) })).rejects.toThrow(/owned by another node/);
    expect(await b.cluster.claim(record.arn)).toBe('other');
    await a.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), update: { status: 'SUCCEEDED', stopDate: 20_000 } });
    // Ended: a claim for running work finds nothing to own; a redrive's claim takes it.
    expect(await b.cluster.claim(record.arn)).toBe('not-running');
    expect(await b.cluster.claim(record.arn, { ended: true })).toBe('owned');
    await b.appendExecution({ executionArn: record.arn, expectedLastEventId: 3, events: events(3, 1), update: { status: 'RUNNING' } });
    await expect(a.appendExecution({ executionArn: record.arn, expectedLastEventId: 4, events: events(4, 1) })).rejects.toBeInstanceOf(StoreConflict);
  });

  it('hands a dead node\'s executions to one claimant each, and its lease cannot be renewed once taken', async () => {
    const [a, b, c] = await nodes(3, 400);
    const arns: string[] = [];
    for (let i = 0; i < 30; i++) {
      const record = execution('m', `orphan-${i}`);
      expect(await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record))).toBe(true);
      arns.push(record.arn);
    }
    // While a's lease lives, nobody else may claim.
    expect(await b.cluster.claimOrphans(100)).toEqual([]);
    // b and c keep renewing; a stops (it died).
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline) {
      await Promise.all([b.cluster.renew(), c.cluster.renew()]);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [byB, byC] = await Promise.all([b.cluster.claimOrphans(7), c.cluster.claimOrphans(100)]);
    const more = await b.cluster.claimOrphans(100);
    const all = [...byB, ...byC, ...more];
    expect(all.sort()).toEqual([...arns].sort());
    expect(new Set(all).size).toBe(30);
    // a comes back: its lease is gone, and it may neither write what it held nor claim.
    expect(await a.cluster.renew()).toBe(false);
    await expect(a.appendExecution({ executionArn: arns[0]!, expectedLastEventId: 2, events: events(2, 1) })).rejects.toBeInstanceOf(StoreConflict);
    await expect(a.cluster.claimOrphans(10)).rejects.toThrow(/lease ran out/);
  });

  it('a node restarted under the same name takes its predecessor\'s executions at once', async () => {
    const [old] = await nodes(1);
    const record = execution('m', 'restarted');
    await old.createExecution({ ...record, lastEventId: 2 }, startWrite(record));
    // The successor opens the same schema under the predecessor's name (node0).
    const schema = schemas.at(-1)!;
    const successor = await openPostgresStore(URL_, { schema });
    open.push(successor);
    await successor.cluster.join({ leaseMs: 60_000, name: 'node0', replacesNamesake: true });
    expect(await successor.cluster.claimOrphans(10)).toEqual([record.arn]);
    expect(await old.cluster.renew()).toBe(false);
    await expect(old.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1) })).rejects.toBeInstanceOf(StoreConflict);
  });

  it('a clean leave releases the node\'s executions at once and tells the others', async () => {
    const [a, b] = await nodes(2);
    const wakes: ClusterWake[] = [];
    b.cluster.onWake((w) => wakes.push(w));
    const record = execution('m', 'released');
    await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record));
    await a.cluster.leave();
    expect(await b.cluster.claimOrphans(10)).toEqual([record.arn]);
    await waitFor(() => wakes.some((w) => w.type === 'released'));
  });

  it('accepts one answer per task across nodes, routes it to the owner, and refuses a decision that closes the task without it', async () => {
    const [a, b] = await nodes(2);
    const wakes: ClusterWake[] = [];
    a.cluster.onWake((w) => wakes.push(w));
    const record = execution('m', 'answered');
    await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2, { tasksAdded: [task(record.arn, 'tok-1')] }));
    const answer = { type: 'TaskSucceeded', taskId: 't1', output: '{"ok":1}' } as const;
    const [first, second] = await Promise.all([b.cluster.acceptAnswer('tok-1', answer, true, 5), a.cluster.acceptAnswer('tok-1', answer, true, 6)]);
    expect([first, second].filter((r) => r !== undefined)).toHaveLength(1);
    const routed = (first ?? second)!;
    expect(routed).toMatchObject({ executionArn: record.arn, work: { type: 'answer', token: 'tok-1' } });
    expect((await a.getTask('tok-1'))!.status).toBe('ANSWERED');
    await waitFor(() => wakes.some((w) => w.type === 'routed'));
    expect((await a.cluster.routed(10)).map((r) => r.id)).toEqual([routed.id]);
    expect(await b.cluster.routed(10)).toEqual([]); // not b's execution

    // The owner's timeout, decided without the answer, must not close the task.
    await expect(a.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), tasksClosed: ['tok-1'] })).rejects.toThrow(/answered on another node/);
    expect((await a.getExecution(record.arn))!.lastEventId).toBe(2); // nothing of it was written
    // The decision that applies the answer closes it and removes the routed work.
    await a.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), tasksClosed: ['tok-1'], consumed: [routed.id] });
    expect((await a.getTask('tok-1'))!.status).toBe('CLOSED');
    expect(await a.cluster.isRouted(routed.id)).toBe(false);
    expect(await b.cluster.acceptAnswer('tok-1', answer, true, 7)).toBeUndefined();
  });

  it('heartbeats are routed without closing the task; work for an ended execution is refused', async () => {
    const [a, b] = await nodes(2);
    const record = execution('m', 'beats');
    await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2, { tasksAdded: [task(record.arn, 'tok-h')] }));
    const beat = { type: 'TaskHeartbeat', taskId: 't1' } as const;
    expect(await b.cluster.acceptAnswer('tok-h', beat, false, 1)).toBeDefined();
    expect(await b.cluster.acceptAnswer('tok-h', beat, false, 2)).toBeDefined();
    expect((await a.getTask('tok-h'))!.status).toBe('SCHEDULED');
    const stop = await b.cluster.route(record.arn, { type: 'trigger', trigger: { type: 'StopRequested' } }, 3);
    expect((await a.cluster.routed(10)).map((r) => r.work.type)).toEqual(['answer', 'answer', 'trigger']);
    await a.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), update: { status: 'ABORTED', stopDate: 4 }, consumed: [stop!.id] });
    expect(await b.cluster.route(record.arn, { type: 'trigger', trigger: { type: 'StopRequested' } }, 5)).toBeUndefined();
    expect(await a.cluster.isRouted(stop!.id)).toBe(false);
  });

  it('each node fires the timers of its own executions only, and wakes pollers of activities scheduled elsewhere', async () => {
    const [a, b] = await nodes(2);
    const wakes: ClusterWake[] = [];
    b.cluster.onWake((w) => wakes.push(w));
    const mine = execution('m', 'timer-a');
    const theirs = execution('m', 'timer-b');
    await a.createExecution({ ...mine, lastEventId: 2 }, startWrite(mine, 2, { timersAdded: [{ executionArn: mine.arn, timerId: 'w', dueAt: 100 }] }));
    await b.createExecution({ ...theirs, lastEventId: 2 }, startWrite(theirs, 2, { timersAdded: [{ executionArn: theirs.arn, timerId: 'w', dueAt: 200 }] }));
    expect((await a.dueTimers(1_000, 10)).map((t) => t.executionArn)).toEqual([mine.arn]);
    expect((await b.dueTimers(1_000, 10)).map((t) => t.executionArn)).toEqual([theirs.arn]);
    expect(await a.nextTimerDue()).toBe(100);
    expect(await b.nextTimerDue()).toBe(200);
    await a.appendExecution({ executionArn: mine.arn, expectedLastEventId: 2, events: events(2, 1), tasksAdded: [task(mine.arn, 'tok-act')] });
    await waitFor(() => wakes.some((w) => w.type === 'activity' && w.activityArn === ACT));
  });
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
