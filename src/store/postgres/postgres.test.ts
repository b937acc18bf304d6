/**
 * The PostgreSQL store against the real server: the store contract (each test in a schema of its
 * own, dropped afterwards), and what only a shared database can show: two stores (two nodes)
 * racing for the same tasks, the same execution and the same migrations.
 *
 * The server is named by STEPWISE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test).
 * These tests fail, never skip, when it cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, execution, startWrite, stateMachine, storeContract } from '../contract.js';
import { StoreOpenError } from '../errors.js';
import { openStore } from '../open.js';
import { StoreConflict, type TaskRecord } from '../types.js';
import { openPostgresStore, PostgresStore } from './index.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { adminPool, TEST_POSTGRES } from './test-server.js';

const URL_ = TEST_POSTGRES;

const schemas: string[] = [];
const freshSchema = (): string => {
  const name = `stepwise_test_${randomBytes(6).toString('hex')}`;
  schemas.push(name);
  return name;
};

let admin: pg.Pool;
beforeAll(async () => {
  admin = await adminPool();
});
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await admin.end();
});

storeContract('postgres', () => openPostgresStore(URL_, { schema: freshSchema() }));

const ACT = 'arn:aws:states:us-east-1:123456789012:activity:';

/** Two stores on one schema: two nodes sharing the database. */
async function twoNodes(): Promise<[PostgresStore, PostgresStore]> {
  const schema = freshSchema();
  const a = await openPostgresStore(URL_, { schema });
  const b = await openPostgresStore(URL_, { schema });
  return [a, b];
}

describe('PostgreSQL store shared by two nodes', () => {
  it('hands each of 50 activity tasks out once when two stores claim them concurrently', async () => {
    const [a, b] = await twoNodes();
    try {
      const record = execution('m', 'workers');
      const tasks: TaskRecord[] = Array.from({ length: 50 }, (_, i) => ({
        token: `t${i}`, executionArn: record.arn, taskId: `task-${i}`, activityArn: `${ACT}w`, input: `{"i":${i}}`, status: 'SCHEDULED', createdAt: i,
      }));
      expect(await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2, { tasksAdded: tasks }))).toBe(true);
      const claims = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).claimActivityTask(`${ACT}w`, `worker-${i}`, 1_000 + i)));
      const claimed = claims.filter((c): c is TaskRecord => c !== undefined);
      expect(claimed).toHaveLength(50);
      expect(new Set(claimed.map((c) => c.token)).size).toBe(50);
      // Each claim's record is the one stored: the worker that got it, STARTED.
      for (const c of claimed) expect(await b.getTask(c.token)).toEqual(c);
      expect((await a.tasksOf(record.arn)).every((t) => t.status === 'STARTED')).toBe(true);
      expect(await b.claimActivityTask(`${ACT}w`, 'late', 9_999)).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets exactly one of two concurrent appends with the same expectedLastEventId through', async () => {
    const [a, b] = await twoNodes();
    try {
      const record = execution('m', 'contended');
      await a.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2));
      let last = 2;
      for (let round = 0; round < 20; round++) {
        const outcomes = await Promise.allSettled([
          a.appendExecution({ executionArn: record.arn, expectedLastEventId: last, events: events(last, 1), update: { status: 'RUNNING' }, timersAdded: [{ executionArn: record.arn, timerId: 'a', dueAt: round }] }),
          b.appendExecution({ executionArn: record.arn, expectedLastEventId: last, events: events(last, 2), trigger: { time: round, trigger: { type: 'StopRequested' } } }),
        ]);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(StoreConflict);
        last += outcomes[0]!.status === 'fulfilled' ? 1 : 2;
        expect((await b.getExecution(record.arn))!.lastEventId).toBe(last);
      }
      // The history is dense: every event of the winners, none of the losers.
      const history = await a.getEvents(record.arn, { limit: 1_000 });
      expect(history.map((e) => e.id)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      expect(await a.countOpenExecutions()).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps control-plane checks across nodes: version numbers, quotas, aliases against deletes', async () => {
    const [a, b] = await twoNodes();
    const nodes = [a, b];
    try {
      const machine = stateMachine('shared');
      await a.createStateMachine(machine);
      // Each update publishes its new revision: every number once, from whichever node.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => nodes[i % 2]!.updateStateMachine(machine.arn, { definition: `{"v":${i}}` }, { newRevisionId: () => `r${i}`, updatedAt: i, publish: {} })),
      );
      const numbers = results.map((r) => (r.outcome === 'updated' ? r.version!.version : -1)).sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // A quota of 5 machines holds for both nodes together.
      const created = await Promise.all(Array.from({ length: 12 }, (_, i) => nodes[i % 2]!.createStateMachine(stateMachine(`q${i}`), { maxStateMachines: 5 })));
      expect(created.filter((c) => c.outcome === 'created')).toHaveLength(4);
      // And a tag quota of 20 on one resource.
      const tagged = await Promise.all(
        Array.from({ length: 8 }, (_, i) => nodes[i % 2]!.tagResource(machine.arn, Array.from({ length: 5 }, (_, k) => ({ key: `n${i}-${k}`, value: 'v' })), { maxTags: 20 })),
      );
      expect(tagged.filter((t) => t === 'tagged')).toHaveLength(4);
      expect(await b.listTags(machine.arn)).toHaveLength(20);
      // An alias created on one node while the other deletes the version it names: one wins.
      for (let i = 1; i <= 5; i++) {
        const version = `${machine.arn}:${i}`;
        const [alias, deleted] = await Promise.all([
          a.createAlias({ arn: `${machine.arn}:live${i}`, stateMachineArn: machine.arn, name: `live${i}`, routingConfiguration: [{ stateMachineVersionArn: version, weight: 100 }], createdAt: 1 }),
          b.deleteVersion(version),
        ]);
        expect([`${alias.outcome}/${deleted.outcome}`]).toSatisfy(
          ([pair]: string[]) => pair === 'written/referenced' || pair === 'missing-version/deleted',
        );
        if (alias.outcome === 'written') expect(await a.getVersion(version)).toBeDefined();
      }
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('applies the migrations once when several stores open a new schema at the same time', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(URL_, { schema })));
    try {
      const applied = await admin.query<{ id: number }>(`SELECT id FROM ${schema}.schema_migrations ORDER BY id`);
      expect(applied.rows.map((r) => r.id)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.id));
      // And every one of them works on the one schema.
      await Promise.all(stores.map((s, i) => s.createActivity({ arn: `${ACT}a${i}`, name: `a${i}`, createdAt: i })));
      expect((await stores[0]!.listActivities({ limit: 10 })).items).toHaveLength(4);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('keeps everything across a reopen, and counts RUNNING executions across nodes', async () => {
    const schema = freshSchema();
    let store = await openPostgresStore(URL_, { schema });
    const other = await openPostgresStore(URL_, { schema });
    const record = execution('m', 'kept');
    await store.createExecution({ ...record, lastEventId: 3 }, startWrite(record, 3, { timersAdded: [{ executionArn: record.arn, timerId: 'w', dueAt: 99 }] }));
    for (let i = 0; i < 40; i++) {
      const r = execution('m', `n${i}`);
      await (i % 2 ? store : other).createExecution({ ...r, lastEventId: 1 }, startWrite(r, 1));
    }
    expect(await other.countOpenExecutions()).toBe(41);
    await store.close();
    store = await openPostgresStore(URL_, { schema });
    try {
      expect(await store.getExecution(record.arn)).toEqual({ ...record, lastEventId: 3 });
      expect(await store.getEvents(record.arn, { limit: 10 })).toEqual(events(0, 3));
      expect(await store.dueTimers(100, 10)).toEqual([{ executionArn: record.arn, timerId: 'w', dueAt: 99 }]);
      expect(await store.countOpenExecutions()).toBe(41);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });
});

describe('openStore with a PostgreSQL URL', () => {
  const withPath = (path: string, change: (u: URL) => void = () => undefined): string => {
    const u = new URL(URL_);
    u.pathname = path;
    change(u);
    return u.toString();
  };

  it('opens the PostgreSQL store for postgres:// and postgresql:// URLs', async () => {
    for (const scheme of ['postgres:', 'postgresql:']) {
      const store = await openStore(URL_.replace(/^postgres(ql)?:/, scheme));
      try {
        expect(store).toBeInstanceOf(PostgresStore);
        expect(await store.countOpenExecutions()).toBeGreaterThanOrEqual(0);
      } finally {
        await store.close();
      }
    }
    // The default schema `stepwise` stays: other test files may be using it at this moment.
  });

  it('says in a sentence when nothing listens at the host and port', async () => {
    // A port that was free a moment ago: nothing listens there.
    const free = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    });
    const url = withPath('/test', (u) => {
      u.hostname = '127.0.0.1';
      u.port = String(free);
    });
    const error = await openStore(url).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toBe(`Cannot connect to PostgreSQL at 127.0.0.1:${free}: the connection was refused. Is the server running and listening on that address and port?`);
  });

  it('says in a sentence when the host name does not resolve', async () => {
    const error = await openStore('postgres://postgres@no-such-host.invalid:5432/test').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/^Cannot connect to PostgreSQL at no-such-host\.invalid:5432: the host name does not resolve/);
  });

  it('says in a sentence when the database does not exist', async () => {
    const error = await openStore(withPath('/stepwise_no_such_db')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/^The PostgreSQL database "stepwise_no_such_db" does not exist at [^ ]+:\d+\. Create it \(createdb/);
  });

  it('says in a sentence when the server refuses the user, without repeating the password', async () => {
    const url = withPath(new URL(URL_).pathname, (u) => {
      u.username = 'stepwise_no_such_role';
      u.password = 'secret-password';
    });
    const error = await openStore(url).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/^PostgreSQL at [^ ]+:\d+ refused the user "stepwise_no_such_role": .*role "stepwise_no_such_role" does not exist/);
    expect((error as Error).message).not.toContain('secret-password');
    expect((error as StoreOpenError).location).not.toContain('secret-password');
  });
});

describe('text PostgreSQL cannot hold', () => {
  it('stores a cause, a description and a tag with U+0000 (U+FFFD in its place) instead of failing the write', async () => {
    const store = await openPostgresStore(URL_, { schema: freshSchema() });
    try {
      const record = execution('m', 'nul');
      expect(await store.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2))).toBe(true);
      await store.appendExecution({
        executionArn: record.arn,
        expectedLastEventId: 2,
        events: events(2, 1),
        update: { status: 'FAILED', error: 'Task\u0000Failed', cause: 'a\u0000b', stopDate: 20_000 },
      });
      expect(await store.getExecution(record.arn)).toMatchObject({ status: 'FAILED', error: 'Task\uFFFDFailed', cause: 'a\uFFFDb' });
      await store.createStateMachine(stateMachine('nul-machine', { description: 'd\u0000' }), { tags: [{ key: 'k', value: 'v\u0000' }] });
      expect((await store.getStateMachine(stateMachine('nul-machine').arn))!.description).toBe('d\uFFFD');
      expect(await store.listTags(stateMachine('nul-machine').arn)).toEqual([{ key: 'k', value: 'v\uFFFD' }]);
    } finally {
      await store.close();
    }
  });
});
