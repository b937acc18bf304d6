import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { events, execution, mapRun, startWrite, stateMachine, storeContract } from '../contract.js';
import { StoreOpenError } from '../errors.js';
import { MemoryStore } from '../memory.js';
import { openStore } from '../open.js';
import type { HistoryEvent } from '../../engine/events.js';
import { StoreConflict, type TimerRecord } from '../types.js';
import { openDatabase } from './database.js';
import { openSqliteStore, SqliteStore } from './index.js';
import { MIGRATIONS } from './migrations.js';

const root = mkdtempSync(join(tmpdir(), 'stepwise-sqlite-'));
let files = 0;
const tempFile = (): string => join(root, `db-${++files}`, 'stepwise.db');
afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('sqlite', () => openSqliteStore(tempFile()));
// Tiny batches exercise the flush-when-full path through the whole contract.
storeContract('sqlite, batches of 3', () => openSqliteStore(tempFile(), { maxBatch: 3, synchronous: 'NORMAL' }));

describe('SQLite store', () => {
  it('keeps everything across a reopen', async () => {
    const file = tempFile();
    let store = await openSqliteStore(file);
    const record = execution('m', 'e1');
    await store.createStateMachine(stateMachine('m'));
    await store.tagResource(stateMachine('m').arn, [{ key: 'k', value: 'v' }]);
    await store.createExecution({ ...record, lastEventId: 3 }, startWrite(record, 3, {
      timersAdded: [{ executionArn: record.arn, timerId: 'w', dueAt: 99 }],
      tasksAdded: [{ token: 'tok', executionArn: record.arn, taskId: 't', activityArn: 'act', input: '{}', status: 'SCHEDULED', createdAt: 5 }],
    }));
    await store.close();

    store = await openSqliteStore(file);
    expect(await store.getStateMachine(stateMachine('m').arn)).toEqual(stateMachine('m'));
    expect(await store.listTags(stateMachine('m').arn)).toEqual([{ key: 'k', value: 'v' }]);
    expect(await store.getExecution(record.arn)).toEqual({ ...record, lastEventId: 3 });
    expect(await store.getEvents(record.arn, { limit: 10 })).toEqual(events(0, 3));
    expect(await store.getTriggers(record.arn)).toEqual([{ time: record.startDate, trigger: { type: 'Start' } }]);
    expect(await store.dueTimers(100, 10)).toEqual([{ executionArn: record.arn, timerId: 'w', dueAt: 99 }]);
    expect(await store.runningExecutions()).toEqual([record.arn]);
    expect((await store.claimActivityTask('act', 'w', 6))!.token).toBe('tok');
    // And the write after the reopen continues the same history.
    await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 3, events: events(3, 1) });
    await store.close();
    store = await openSqliteStore(file);
    expect((await store.getExecution(record.arn))!.lastEventId).toBe(4);
    expect((await store.getTask('tok'))!.status).toBe('STARTED');
    await store.close();
  });

  it('uses WAL, synchronous=FULL by default (NORMAL on request), foreign keys and a busy timeout', async () => {
    const full = await openSqliteStore(tempFile());
    expect(full.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(full.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(full.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(full.db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all()).toEqual(MIGRATIONS.map(({ id, name }) => ({ id, name })));
    expect(MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    await full.close();
    const normal = await openSqliteStore(tempFile(), { synchronous: 'NORMAL', busyTimeoutMs: 100 });
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(normal.db.pragma('busy_timeout', { simple: true })).toBe(100);
    await normal.close();
  });

  it('creates the folder of the file', async () => {
    const file = join(root, 'deep', 'er', 'still', 'stepwise.db');
    const store = await openSqliteStore(file);
    await store.close();
    expect(readFileSync(file).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('commits a burst of writes in one transaction, and a full batch at once', async () => {
    const store = await openSqliteStore(tempFile(), { maxBatch: 100 });
    const records = Array.from({ length: 250 }, (_, i) => execution('m', `e${i}`));
    const created = Promise.all(records.map((r) => store.createExecution({ ...r, lastEventId: 1 }, startWrite(r, 1))));
    // Two full batches went in synchronously; the rest waits for the tick.
    expect(store.commitStats).toEqual({ batches: 2, writes: 200, isolatedRetries: 0 });
    await created;
    expect(store.commitStats).toEqual({ batches: 3, writes: 250, isolatedRetries: 0 });
    await store.close();
  });

  it('answers a write only once it is committed', async () => {
    const file = tempFile();
    const store = await openSqliteStore(file);
    const record = execution('m', 'e');
    const reader = new Database(file, { readonly: true });
    let seenAtResolve: unknown;
    await store.createExecution({ ...record, lastEventId: 1 }, startWrite(record, 1)).then(() => {
      seenAtResolve = reader.prepare('SELECT last_event_id FROM executions WHERE arn = ?').pluck().get(record.arn);
    });
    expect(seenAtResolve).toBe(1);
    reader.close();
    await store.close();
  });

  it('rolls back only a write that fails half-way, committing the rest of its batch', async () => {
    const store = await openSqliteStore(tempFile());
    const a = execution('m', 'a');
    const b = execution('m', 'b');
    await store.createExecution({ ...a, lastEventId: 1 }, startWrite(a, 1));
    await store.createExecution({ ...b, lastEventId: 1 }, startWrite(b, 1));
    const c = execution('m', 'c');
    // A NULL due time fails on the timers insert, after the write's events went in.
    const broken = { executionArn: b.arn, timerId: 'w', dueAt: null } as unknown as TimerRecord;
    const outcomes = await Promise.allSettled([
      store.appendExecution({ executionArn: a.arn, expectedLastEventId: 1, events: events(1, 1) }),
      store.appendExecution({ executionArn: b.arn, expectedLastEventId: 1, events: events(1, 2), timersAdded: [broken] }),
      store.appendExecution({ executionArn: a.arn, expectedLastEventId: 1, events: events(1, 1) }),
      store.createExecution({ ...c, lastEventId: 1 }, startWrite(c, 1)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/NOT NULL constraint failed: timers.due_at/);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflict);
    expect(store.commitStats.isolatedRetries).toBe(1);
    expect(await store.getEvents(b.arn, { limit: 10 })).toEqual(events(0, 1));
    expect((await store.getExecution(b.arn))!.lastEventId).toBe(1);
    expect((await store.getExecution(a.arn))!.lastEventId).toBe(2);
    expect(await store.getExecution(c.arn)).toBeDefined();
    await store.close();
  });

  it('stores a definition shared by many executions once', async () => {
    const store = await openSqliteStore(tempFile());
    const big = JSON.stringify({ StartAt: 'P', Comment: 'x'.repeat(50_000), States: { P: { Type: 'Pass', End: true } } });
    await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const r = execution('m', `e${i}`, { definition: i % 2 ? big : '{"other":1}' });
      return store.createExecution({ ...r, lastEventId: 1 }, startWrite(r, 1));
    }));
    expect(store.db.prepare('SELECT count(*) FROM definitions').pluck().get()).toBe(2);
    expect((await store.getExecution(execution('m', 'e1').arn))!.definition).toBe(big);
    expect((await store.listExecutions({ stateMachineArn: execution('m', 'e').stateMachineArn }, { limit: 100 })).items.map((e) => e.definition.length).sort()).toEqual(
      [...Array(10).fill('{"other":1}'.length), ...Array(10).fill(big.length)].sort(),
    );
    await store.close();
  });

  describe('payloads', () => {
    const fileBytes = (file: string): number => (existsSync(file) ? statSync(file).size : 0) + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    const payload = { pad: 'p'.repeat(200_000), items: [1, 2, 3] };

    /** 2,000 events after the ExecutionStarted, in 20 decisions, each event made by `details(i)`. */
    async function loop(file: string, name: string, details: (i: number) => HistoryEvent['details']): Promise<HistoryEvent[]> {
      const store = await openSqliteStore(file);
      const record = execution('m', name);
      const written: HistoryEvent[] = [...events(0, 1)];
      await store.createExecution({ ...record, lastEventId: 1 }, startWrite(record, 1));
      for (let decision = 0; decision < 20; decision++) {
        const batch = Array.from({ length: 100 }, (_, k): HistoryEvent => {
          const id = written.length + k + 1;
          return { id, previousEventId: id - 1, timestamp: id, type: id % 2 ? 'PassStateExited' : 'PassStateEntered', frame: '', details: details(id) };
        });
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: written.length, events: batch });
        written.push(...batch);
      }
      await store.close();
      return written;
    }

    it('writes a 200 KB payload that 2,000 events carry once: the file stays under 2 MB and reads back exactly', async () => {
      const file = tempFile();
      const written = await loop(file, 'shared', (id) => (id % 2 ? { name: `S${id}`, output: payload } : { name: `S${id}`, input: payload }));
      expect(fileBytes(file)).toBeLessThan(2_000_000);
      const store = await openSqliteStore(file);
      const read = await store.getEvents(execution('m', 'shared').arn, { limit: 1000 });
      expect(read).toEqual(written.slice(0, 1000));
      // One read parses the payload once and shares it, as the interpreter did.
      expect(read[1]!.details!.input).toBe(read[2]!.details!.output);
      expect(await store.getEvents(execution('m', 'shared').arn, { afterId: 1000, limit: 1001 })).toEqual(written.slice(1000));
      expect(store.db.prepare('SELECT count(*) FROM payloads').pluck().get()).toBe(2); // the object and its long string
      await store.close();
    });

    it('stores a counting loop (a new small object around the shared payload at every turn) in under 2 MB', async () => {
      const file = tempFile();
      const written = await loop(file, 'counting', (id) => ({ name: `S${id}`, input: { count: Math.floor(id / 4), data: payload } }));
      expect(fileBytes(file)).toBeLessThan(2_000_000);
      const store = await openSqliteStore(file);
      expect(await store.getEvents(execution('m', 'counting').arn, { limit: 1000, reverse: true })).toEqual(written.slice(-1000).reverse());
      await store.close();
    });

    it('stores equal payloads of different objects once per execution, and each execution has its own', async () => {
      const store = await openSqliteStore(tempFile());
      const copies = (n: number) => Array.from({ length: n }, () => JSON.parse(JSON.stringify(payload)) as typeof payload);
      for (const name of ['a', 'b']) {
        const record = execution('m', name);
        const evs = events(0, 1);
        await store.createExecution({ ...record, lastEventId: 1 }, startWrite(record, 1));
        const more = copies(3).map((input, k): HistoryEvent => ({ id: k + 2, previousEventId: k + 1, timestamp: 1, type: 'PassStateEntered', frame: '', details: { name: 'P', input } }));
        for (const e of more) await store.appendExecution({ executionArn: record.arn, expectedLastEventId: e.previousEventId, events: [e] });
        expect(await store.getEvents(record.arn, { limit: 10 })).toEqual([...evs, ...more]);
      }
      expect(store.db.prepare('SELECT execution_id, count(*) AS n FROM payloads GROUP BY execution_id').all()).toEqual([
        { execution_id: 1, n: 2 },
        { execution_id: 2, n: 2 },
      ]);
      await store.close();
    });
  });

  describe('opening', () => {
    const message = async (location: string): Promise<string> => {
      const error = await openSqliteStore(location).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreOpenError);
      expect((error as StoreOpenError).location).toBe(location);
      return (error as Error).message;
    };

    it('refuses a file that is not an SQLite database, leaving it as it was', async () => {
      const file = join(root, 'notes.txt');
      const text = 'these are my notes, not a database\n'.repeat(200);
      writeFileSync(file, text);
      expect(await message(file)).toBe(`${file} is not an SQLite database (a Stepwise database file was expected)`);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });

    it('refuses the SQLite database of another application', async () => {
      const file = join(root, 'other-app.db');
      const other = new Database(file);
      other.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
      other.close();
      expect(await message(file)).toBe(`${file} is an SQLite database of another application, not a Stepwise database`);
    });

    it('upgrades a database of the first schema, keeping its executions', async () => {
      const file = tempFile();
      const record = execution('m', 'before');
      const old = await openSqliteStore(file);
      await old.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2));
      await old.close();
      // Back to the schema of the first release: migration 1 only.
      const raw = new Database(file);
      raw.exec('DROP INDEX executions_by_parent; DROP INDEX executions_by_map_run; DROP TRIGGER executions_open_on_insert; DROP TRIGGER executions_open_on_update; DROP TRIGGER executions_open_on_delete');
      // Every table and column later migrations added goes: what a fresh migration-1 file lacks.
      const first = new Database(':memory:');
      first.exec(MIGRATIONS[0]!.sql);
      const tablesOf = (db: Database.Database) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      const columnsOf = (db: Database.Database, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
      const firstTables = new Set(tablesOf(first));
      for (const table of tablesOf(raw)) {
        if (table === 'schema_migrations') continue;
        if (!firstTables.has(table)) raw.exec(`DROP TABLE ${table}`);
        else for (const column of columnsOf(raw, table)) if (!columnsOf(first, table).includes(column)) raw.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
      }
      first.close();
      raw.exec('DELETE FROM schema_migrations WHERE id > 1');
      raw.close();
      openDatabase(file, {}, MIGRATIONS.filter((m) => m.id === 1)).close(); // a release that knows only 0001 opens it
      const store = await openSqliteStore(file);
      expect(store.db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all()).toEqual(MIGRATIONS.map((m) => m.id));
      // The open-executions counter starts from the executions already there (one RUNNING).
      expect(await store.countOpenExecutions()).toBe(1);
      const before = await store.getExecution(record.arn);
      expect(before).toEqual({ ...record, lastEventId: 2 });
      // Stored before seeds were: it has none, and replays from its ARN (execution-secrets.ts).
      expect(Object.keys(before!)).not.toContain('seed');
      const run = mapRun(record.arn, 'after');
      await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), mapRuns: [run] });
      expect(await store.listMapRuns(record.arn, { limit: 10 })).toEqual({ items: [run] });
      // Events written whole before payloads were stored apart read as they did.
      expect(await store.getEvents(record.arn, { limit: 10 })).toEqual(events(0, 3));
      const nested = execution('m', 'nested', { parentExecutionArn: record.arn, parentTaskId: 'task-1', seed: 'c3'.repeat(32), engineVersion: 1 });
      await store.createExecution({ ...nested, lastEventId: 2 }, startWrite(nested, 2));
      expect(await store.getExecution(nested.arn)).toEqual({ ...nested, lastEventId: 2 });
      await store.close();
    });

    it('refuses a database with a newer schema', async () => {
      const file = tempFile();
      await (await openSqliteStore(file)).close();
      const raw = new Database(file);
      const latest = MIGRATIONS.length;
      raw.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, 0)').run(latest + 1, 'from the future');
      raw.close();
      expect(await message(file)).toBe(
        `The database ${file} has schema version ${latest + 1}, newer than this release of Stepwise understands (${latest}). Upgrade Stepwise to open it.`,
      );
    });

    it('refuses a location it cannot write', async () => {
      const blocker = join(root, 'a-file');
      writeFileSync(blocker, 'x');
      const inside = join(blocker, 'sub', 'stepwise.db');
      expect(await message(inside)).toBe(`Cannot create the folder for the database ${inside}: a part of the path is a file, not a folder`);
      // A folder where the file should be.
      const folder = join(root, 'db-as-folder');
      await (await openSqliteStore(join(folder, 'x.db'))).close();
      expect(await message(folder)).toMatch(new RegExp(`^Cannot (open|write) the database ${folder.replace(/[/.]/g, '\\$&')}`));
    });

    it('openStore picks the backend from the location', async () => {
      const memory = await openStore(':memory:');
      expect(memory).toBeInstanceOf(MemoryStore);
      await memory.close();
      const file = await openStore(tempFile());
      expect(file).toBeInstanceOf(SqliteStore);
      await file.close();
      // postgres:// and postgresql:// go to PostgreSQL (src/store/postgres/postgres.test.ts): a
      // server that is not there is a StoreOpenError, not an SQLite file of that name.
      for (const url of ['postgres://user@127.0.0.1:1/stepwise', 'postgresql://127.0.0.1:1/db']) {
        const error = await openStore(url).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreOpenError);
        expect((error as Error).message).toMatch(/PostgreSQL/);
      }
      await expect(openStore('')).rejects.toThrow(StoreOpenError);
    });
  });

  it('opens a database of 100,000 executions fast', async () => {
    const file = tempFile();
    const store = await openSqliteStore(file, { synchronous: 'NORMAL' });
    const machine = execution('big', 'x').stateMachineArn;
    const batch: Promise<boolean>[] = [];
    for (let i = 0; i < 100_000; i++) {
      const r = execution('big', `e${i}`, { startDate: 1_000_000 + i, ...(i % 1000 === 0 ? {} : { status: 'SUCCEEDED', stopDate: 2_000_000 }) });
      batch.push(store.createExecution({ ...r, lastEventId: 2 }, startWrite(r, 2)));
      if (batch.length === 5_000) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    await store.close();

    const t0 = performance.now();
    const reopened = await openSqliteStore(file);
    const running = await reopened.runningExecutions();
    const page = await reopened.listExecutions({ stateMachineArn: machine }, { limit: 100 });
    const runningPage = await reopened.listExecutions({ stateMachineArn: machine, status: 'RUNNING' }, { limit: 100 });
    const next = await reopened.nextTimerDue();
    const elapsed = performance.now() - t0;
    expect(running).toHaveLength(100);
    expect(page.items[0]!.name).toBe('e99999');
    expect(runningPage.items).toHaveLength(100);
    expect(next).toBeUndefined();
    expect(elapsed).toBeLessThan(500);
    await reopened.close();
  }, 120_000);
});

describe('crash safety', () => {
  it('a process killed mid-write leaves a consistent prefix of its commits', async () => {
    const dir = mkdtempSync(join(root, 'crash-'));
    const file = join(dir, 'crash.db');
    const script = join(dir, 'writer.ts');
    const storeModule = fileURLToPath(new URL('./index.ts', import.meta.url));
    // The writer keeps 50 executions moving concurrently (so group commit batches them) and
    // reports every acknowledged write on stdout as `<name> <lastEventId>`.
    writeFileSync(
      script,
      `
import { openSqliteStore } from ${JSON.stringify(storeModule)};
const store = await openSqliteStore(${JSON.stringify(file)});
const ev = (id) => ({ id, previousEventId: id - 1, timestamp: Date.now(), type: id === 1 ? 'ExecutionStarted' : 'PassStateEntered', frame: '', details: { input: { id, pad: 'x'.repeat(200) } } });
async function run(worker) {
  for (let round = 0; ; round++) {
    const name = 'w' + worker + '-' + round;
    const arn = 'arn:aws:states:us-east-1:1:execution:m:' + name;
    const record = { arn, stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:m', name, type: 'STANDARD', status: 'RUNNING', input: '{}', startDate: Date.now(), definition: '{"StartAt":"P"}', roleArn: 'r', redriveCount: 0, lastEventId: 2 };
    await store.createExecution(record, { executionArn: arn, expectedLastEventId: 0, events: [ev(1), ev(2)], trigger: { time: 1, trigger: { type: 'Start' } }, timersAdded: [{ executionArn: arn, timerId: 't', dueAt: 5 }] });
    process.stdout.write(name + ' 2\\n');
    let last = 2;
    for (let step = 0; step < 20; step++) {
      await store.appendExecution({ executionArn: arn, expectedLastEventId: last, events: [ev(last + 1), ev(last + 2), ev(last + 3)], trigger: { time: step, trigger: { type: 'TimerFired', timerId: 't' } }, timersRemoved: ['t'], timersAdded: [{ executionArn: arn, timerId: 't', dueAt: step }] });
      last += 3;
      process.stdout.write(name + ' ' + last + '\\n');
    }
  }
}
for (let w = 0; w < 50; w++) run(w).catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const viteNode = fileURLToPath(new URL('../../../node_modules/vite-node/vite-node.mjs', import.meta.url));
    const child = spawn(process.execPath, [viteNode, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Kill it in full flight, well into its work.
        if (out.split('\n').length > 3_000) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited (${code}) before it was killed: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));

    // Every write the writer heard back about is there (the acknowledgement came after the commit).
    const acknowledged = new Map<string, number>();
    for (const line of out.split('\n')) {
      const [name, last] = line.split(' ');
      if (name && last) acknowledged.set(name, Math.max(acknowledged.get(name) ?? 0, Number(last)));
    }
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const store = await openSqliteStore(file);
    const executions = await store.listExecutions({}, { limit: 100_000 });
    expect(executions.items.length).toBeGreaterThanOrEqual(acknowledged.size);
    for (const [name, last] of acknowledged) {
      const record = executions.items.find((e) => e.name === name);
      expect(record, name).toBeDefined();
      expect(record!.lastEventId, name).toBeGreaterThanOrEqual(last);
    }
    // Nothing half-written: each execution's events are dense 1..lastEventId, its triggers and
    // timer match the number of writes that carried them.
    for (const record of executions.items) {
      const history = await store.getEvents(record.arn, { limit: 1_000 });
      expect(history.map((e) => e.id), record.name).toEqual(Array.from({ length: record.lastEventId }, (_, i) => i + 1));
      expect((record.lastEventId - 2) % 3, record.name).toBe(0);
      const writes = 1 + (record.lastEventId - 2) / 3;
      expect(await store.getTriggers(record.arn), record.name).toHaveLength(writes);
      expect(await store.timersOf(record.arn), record.name).toEqual([
        { executionArn: record.arn, timerId: 't', dueAt: writes === 1 ? 5 : writes - 2 },
      ]);
    }
    await store.close();
  }, 60_000);
});
