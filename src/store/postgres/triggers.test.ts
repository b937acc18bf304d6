// The trigger sub-stores (dead letters, schedules, the event bus) on a real PostgreSQL server:
// their contract suites, each test on a fresh schema, and the checks that must hold when two
// nodes share the database, played by two connection pools on one schema.
//
// The server is STEPWISE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test). These
// tests fail, never skip, when it cannot be reached.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deadLetterContract } from '../contract.js';
import { delivery, eventBusContract, rule, target } from '../event-bus-contract.js';
import { schedule, scheduleGroup, scheduleStoreContract } from '../schedules-contract.js';
import type { Store } from '../types.js';
import { openPostgres, redact, type PostgresDatabase } from './db.js';
import { PostgresDeadLetterStore } from './dead-letters.js';
import { PostgresEventBusStore } from './event-bus.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { PostgresScheduleStore } from './schedules.js';
import { TRIGGERS } from './schema-triggers.js';

const URL = process.env.STEPWISE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Only this module's migration, so these tests do not depend on the core schema's progress. */
const TRIGGERS_ONLY = [{ id: 2, name: 'triggers', sql: TRIGGERS }];

interface TriggerStores {
  readonly db: PostgresDatabase;
  /** Whether closing drops the schema. */
  readonly owner: boolean;
  readonly deadLetters: PostgresDeadLetterStore;
  readonly schedules: PostgresScheduleStore;
  readonly eventBus: PostgresEventBusStore;
  close(): Promise<void>;
}

const freshSchema = (): string => `stepwise_test_${randomBytes(6).toString('hex')}`;

async function connect(schema: string, migrations = TRIGGERS_ONLY): Promise<PostgresDatabase> {
  try {
    return await openPostgres(URL, { schema, maxConnections: 4 }, migrations);
  } catch (e) {
    throw new Error(
      `Cannot use PostgreSQL at ${redact(URL)} (${(e as Error).message}). Start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or set STEPWISE_TEST_POSTGRES to a server that runs.',
      { cause: e },
    );
  }
}

/** The three stores on `schema` (created when missing); closing drops the schema when `owner`. */
async function openStores(schema = freshSchema(), owner = true): Promise<TriggerStores> {
  const db = await connect(schema);
  return {
    db,
    owner,
    deadLetters: new PostgresDeadLetterStore(db),
    schedules: new PostgresScheduleStore(db),
    eventBus: new PostgresEventBusStore(db),
    async close() {
      try {
        if (owner) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

/**
 * The schedule and event bus contracts take a whole Store but use only the part they test and
 * close(); the PostgreSQL core store is another module's, so they get the trigger stores alone.
 */
const asStore = async (): Promise<Store> => (await openStores()) as unknown as Store;

deadLetterContract('postgres', () => openStores());
scheduleStoreContract('postgres', asStore);
eventBusContract('postgres', asStore);

/** Stores a test opened itself, closed after it (those that drop their schema last). */
const opened: TriggerStores[] = [];
afterEach(async () => {
  const all = opened.splice(0).sort((x, y) => Number(x.owner) - Number(y.owner));
  for (const stores of all) await stores.close();
});

/** Two nodes: two pools on one fresh schema. */
async function twoNodes(): Promise<[TriggerStores, TriggerStores]> {
  const schema = freshSchema();
  const first = await openStores(schema, true);
  opened.push(first);
  const second = await openStores(schema, false);
  opened.push(second);
  return [first, second];
}

describe('PostgreSQL trigger stores shared by two nodes', () => {
  it('let only one of many racing firings from two nodes advance a schedule', async () => {
    const [a, b] = await twoNodes();
    await a.schedules.createGroup(scheduleGroup('default'));
    const record = schedule('default', 's', { nextDueAt: 10_000, nextFireAt: 10_000, attempt: 0 });
    await a.schedules.createSchedule(record);
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).schedules.advanceSchedule(record.arn, 10_000, 0, { nextDueAt: 20_000 + i, nextFireAt: 20_000 + i, attempt: 0 })),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes.indexOf(true);
    expect(await b.schedules.getSchedule('default', 's')).toMatchObject({ nextDueAt: 20_000 + winner, nextFireAt: 20_000 + winner });
  });

  it('keep the schedule quota when both nodes create at once, and give a name to one create only', async () => {
    const [a, b] = await twoNodes();
    await a.schedules.createGroup(scheduleGroup('default'));
    const creates = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).schedules.createSchedule(schedule('default', `s${i}`), { maxSchedules: 5 })),
    );
    expect(creates.filter((r) => r.outcome === 'created')).toHaveLength(5);
    expect(creates.filter((r) => r.outcome === 'limit-exceeded')).toHaveLength(7);
    expect((await b.schedules.listSchedules({}, { limit: 100 })).items).toHaveLength(5);

    const same = await Promise.all([a, b, a, b].map((node) => node.schedules.createSchedule(schedule('default', 'race'))));
    expect(same.map((r) => r.outcome).sort()).toEqual(['created', 'exists', 'exists', 'exists']);
  });

  it('keep the group quota when both nodes create groups at once', async () => {
    const [a, b] = await twoNodes();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).schedules.createGroup(scheduleGroup(`g${i}`), { maxGroups: 3 })));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(3);
  });

  it('hand each delivery to one node, and each node sees the other’s rule changes', async () => {
    const [a, b] = await twoNodes();
    await a.eventBus.enqueueDeliveries(Array.from({ length: 200 }, (_, i) => delivery(`d${i}`, i)));
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).eventBus.claimDeliveries(1_000, 15, 60_000)));
    const ids = claims.flat().map((d) => d.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    // Each claim comes back oldest due first.
    for (const batch of claims) expect(batch.map((d) => d.nextAttemptAt)).toEqual([...batch.map((d) => d.nextAttemptAt)].sort((x, y) => x - y));
    const before = await b.eventBus.rulesVersion();
    await a.eventBus.putRule(rule('r'), { maxRules: 10 });
    expect(await b.eventBus.rulesVersion()).not.toBe(before);
    expect((await b.eventBus.getRule('default', 'r'))?.name).toBe('r');
  });

  it('keep the rule quota and the target limit when both nodes write at once', async () => {
    const [a, b] = await twoNodes();
    const puts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).eventBus.putRule(rule(`r${i}`), { maxRules: 4 })));
    expect(puts.filter((p) => p.outcome === 'created')).toHaveLength(4);
    const created = puts.find((p) => p.outcome === 'created');
    const name = created && 'rule' in created ? created.rule.name : '';
    const targets = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).eventBus.putTargets(rule(name).arn, [target(name, `t${i}`)], { maxTargets: 3 })),
    );
    expect(targets.filter((t) => t === 'written')).toHaveLength(3);
    expect((await a.eventBus.listTargets(rule(name).arn, { limit: 100 })).items).toHaveLength(3);
  });

  it('purge each dead letter once when both nodes purge at once', async () => {
    const [a, b] = await twoNodes();
    const letters = Array.from({ length: 50 }, (_, i) => ({
      id: `l${i}`, source: 'rule' as const, sourceArn: rule('r').arn, targetArn: 'arn:t', payload: '{}', error: 'E', cause: 'c', attempts: 1, eventTime: i, time: i,
    }));
    await a.deadLetters.add(letters);
    const purged = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).deadLetters.purge(1_000, 7)));
    const more = (await a.deadLetters.purge(1_000, 100)) + (await b.deadLetters.purge(1_000, 100));
    expect(purged.reduce((x, y) => x + y, 0) + more).toBe(50);
    expect((await b.deadLetters.list({}, { limit: 100 })).items).toEqual([]);
  });
});

describe('PostgreSQL trigger stores keep what they are given', () => {
  it('read back epoch-millisecond times as numbers and JSON texts byte for byte', async () => {
    const stores = await openStores();
    opened.push(stores);
    const now = 1_790_000_000_123; // beyond 32 bits, as every real time is
    const pattern = '{ "source" : ["a"],\n  "detail": {"b": [1.50, "é\\u2028"]}, "source": ["dup"] }';
    const put = await stores.eventBus.putRule(rule('r', { eventPattern: pattern, createdAt: now }), { maxRules: 10 });
    expect(put.outcome).toBe('created');
    expect(await stores.eventBus.getRule('default', 'r')).toEqual(rule('r', { eventPattern: pattern, createdAt: now }));
    const ordered = { ...target('r', 't'), target: { Input: '{"z":1,  "a":2}', Id: 't', Arn: 'arn:x', RetryPolicy: { MaximumRetryAttempts: 0 } } };
    await stores.eventBus.putTargets(rule('r').arn, [ordered], { maxTargets: 5 });
    const [read] = (await stores.eventBus.listTargets(rule('r').arn, { limit: 5 })).items;
    expect(JSON.stringify(read!.target)).toBe(JSON.stringify(ordered.target));

    await stores.eventBus.enqueueDeliveries([delivery('d', now, { eventTime: now - 1, event: '{"b":1, "a":[ ]}' })]);
    expect(await stores.eventBus.nextDeliveryDue()).toBe(now);
    const [claimed] = await stores.eventBus.claimDeliveries(now, 1, 30_000);
    expect(claimed).toMatchObject({ eventTime: now - 1, nextAttemptAt: now, event: '{"b":1, "a":[ ]}' });
    expect(await stores.eventBus.nextDeliveryDue()).toBe(now + 30_000);

    await stores.schedules.createGroup(scheduleGroup('default', { createdAt: now, updatedAt: now }));
    const record = schedule('default', 's', { createdAt: now, updatedAt: now, startDate: now, nextDueAt: now + 60_000, nextFireAt: now + 61_000 });
    await stores.schedules.createSchedule(record);
    expect(await stores.schedules.getSchedule('default', 's')).toEqual(record);
    expect(await stores.schedules.nextFireAt()).toBe(now + 61_000);
    expect(typeof (await stores.schedules.getGroup('default'))!.createdAt).toBe('number');

    await stores.deadLetters.add([{ id: 'x', source: 'schedule', sourceArn: record.arn, targetArn: 'arn:t', payload: '{"k" :1}', error: 'E', cause: 'c', attempts: 0, eventTime: now, time: now }]);
    expect((await stores.deadLetters.list({}, { limit: 1 })).items[0]).toMatchObject({ payload: '{"k" :1}', eventTime: now, time: now });
  });

  it('sorts names byte by byte, whatever the database’s collation', async () => {
    const stores = await openStores();
    opened.push(stores);
    for (const name of ['b', 'B', 'a_', 'a-', '_z']) await stores.eventBus.putRule(rule(name), { maxRules: 10 });
    const names = (await stores.eventBus.listRules('default', undefined, { limit: 10 })).items.map((r) => r.name);
    expect(names).toEqual(['B', '_z', 'a-', 'a_', 'b']);
    // This server's own default may already sort that way (C.UTF-8 does): the columns must say so themselves.
    const { rows } = await stores.db.query<{ column: string; collation: string | null }>(
      `SELECT table_name || '.' || column_name AS column, collation_name AS collation FROM information_schema.columns
       WHERE table_schema = current_schema() AND (table_name, column_name) IN
         (('event_rules', 'name'), ('event_targets', 'id'), ('event_connections', 'name'), ('event_api_destinations', 'name'), ('schedule_groups', 'name'), ('schedules', 'name'))
       ORDER BY 1`,
    );
    expect(rows).toEqual(
      ['event_api_destinations.name', 'event_connections.name', 'event_rules.name', 'event_targets.id', 'schedule_groups.name', 'schedules.name'].map((column) => ({ column, collation: 'C' })),
    );
  });

  it('apply after the core migration in one schema (no table of one is the other’s)', async () => {
    const schema = freshSchema();
    const db = await connect(schema, [...POSTGRES_MIGRATIONS]);
    try {
      const { rows } = await db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.id));
      expect(await new PostgresEventBusStore(db).rulesVersion()).toBe(0);
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    }
  });
});
