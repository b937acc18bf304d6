/**
 * The durable Store on SQLite (better-sqlite3): one file in WAL mode, synchronous=FULL unless
 * asked otherwise. Reads run directly; every mutation goes through group commit, so a burst of
 * writes shares one transaction and one fsync, and each caller is answered once its write is
 * committed.
 *
 * better-sqlite3 is synchronous: a transaction runs to its end without yielding, so a claim or a
 * conflict check inside one is atomic within this process; BEGIN IMMEDIATE makes it atomic
 * against other processes sharing the file as well.
 */
import type Database from 'better-sqlite3';
import type { HistoryEvent } from '../../engine/events.js';
import { decodePageToken, encodePageToken, executionScope, pageLimit, type PageKey } from '../page-token.js';
import type {
  ActivityRecord,
  AliasRecord,
  ExecutionFilter,
  ExecutionRecord,
  ExecutionWrite,
  LoggedTrigger,
  MapRunRecord,
  Page,
  PageRequest,
  StateMachineRecord,
  StateMachineVersionRecord,
  Store,
  Tag,
  TaskRecord,
  TimerRecord,
} from '../types.js';
import { openDatabase, type SqliteOptions } from './database.js';
import { applyUpdate } from '../write-checks.js';
import { ExecutionWriter, prepareWrite } from './execution-writes.js';
import { GroupCommit } from './group-commit.js';
import {
  activityOf,
  aliasOf,
  aliasParams,
  eventOf,
  executionOf,
  mapRunOf,
  stateMachineOf,
  stateMachineParams,
  taskOf,
  timerOf,
  triggerOf,
  versionOf,
  versionParams,
  type ActivityRow,
  type AliasRow,
  type EventRow,
  type ExecutionRow,
  type MapRunRow,
  type StateMachineRow,
  type TaskRow,
  type TimerRow,
  type TriggerRow,
  type VersionRow,
} from './rows.js';

export type { SqliteOptions } from './database.js';

/** Opens (creating if needed) the SQLite store at `path`; rejects with StoreOpenError. */
export async function openSqliteStore(path: string, options: SqliteOptions = {}): Promise<SqliteStore> {
  return new SqliteStore(openDatabase(path, options), options);
}

const EXECUTION_ID = '(SELECT id FROM executions WHERE arn = ?)';
const MAP_RUN_COLUMNS = 'm.*, e.arn AS execution_arn';
const TASK_COLUMNS = 't.token, e.arn AS execution_arn, t.task_id, t.activity_arn, t.input, t.status, t.worker_name, t.created_at, t.started_at';
const MAX_ID = Number.MAX_SAFE_INTEGER;

export class SqliteStore implements Store {
  private readonly commits: GroupCommit;
  private readonly writer: ExecutionWriter;
  private readonly q: ReturnType<typeof statements>;
  private readonly listQueries = new Map<string, Database.Statement>();
  /** Definition texts by hash, shared by the records read: executions repeat a few definitions. */
  private readonly definitions = new Map<string, string>();
  private closed = false;

  constructor(
    /** The open connection; exposed for diagnostics and tests. */
    readonly db: Database.Database,
    options: SqliteOptions = {},
  ) {
    this.commits = new GroupCommit(db, Math.max(1, options.maxBatch ?? 1000), options.commitWindowMs ?? 2);
    this.writer = new ExecutionWriter(db);
    this.q = statements(db);
  }

  // ------------------------------------------------------------------ state machines and friends

  createStateMachine(record: StateMachineRecord): Promise<boolean> {
    const params = stateMachineParams(record);
    return this.commits.submit(() => this.q.insertStateMachine.run(params).changes > 0);
  }

  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    const row = this.q.getStateMachine.get(arn) as StateMachineRow | undefined;
    return row && stateMachineOf(row);
  }

  async putStateMachine(record: StateMachineRecord): Promise<void> {
    const params = stateMachineParams(record);
    await this.commits.submit(() => this.q.upsertStateMachine.run(params));
  }

  async deleteStateMachine(arn: string): Promise<void> {
    await this.commits.submit(() => {
      this.q.deleteVersionTagsOf.run(arn);
      this.q.deleteAliasTagsOf.run(arn);
      this.q.deleteVersionsOf.run(arn);
      this.q.deleteAliasesOf.run(arn);
      this.q.deleteTags.run(arn);
      this.q.deleteStateMachine.run(arn);
    });
  }

  async listStateMachines(page: PageRequest): Promise<Page<StateMachineRecord>> {
    return this.pageBySeq('state-machines', page, (after, n) => this.q.listStateMachines.all(after, n) as StateMachineRow[], stateMachineOf);
  }

  async putVersion(record: StateMachineVersionRecord): Promise<void> {
    const params = versionParams(record);
    await this.commits.submit(() => this.q.upsertVersion.run(params));
  }

  async getVersion(arn: string): Promise<StateMachineVersionRecord | undefined> {
    const row = this.q.getVersion.get(arn) as VersionRow | undefined;
    return row && versionOf(row);
  }

  async deleteVersion(arn: string): Promise<void> {
    await this.commits.submit(() => {
      this.q.deleteVersion.run(arn);
      this.q.deleteTags.run(arn);
    });
  }

  async listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>> {
    const scope = `versions\n${stateMachineArn}`;
    const below = page.nextToken === undefined ? MAX_ID : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const rows = this.q.listVersions.all(stateMachineArn, below, n + 1) as VersionRow[];
    return pageOf(rows, n, (last) => encodePageToken(scope, [last.version]), versionOf);
  }

  async putAlias(record: AliasRecord): Promise<void> {
    const params = aliasParams(record);
    await this.commits.submit(() => this.q.upsertAlias.run(params));
  }

  async getAlias(arn: string): Promise<AliasRecord | undefined> {
    const row = this.q.getAlias.get(arn) as AliasRow | undefined;
    return row && aliasOf(row);
  }

  async deleteAlias(arn: string): Promise<void> {
    await this.commits.submit(() => {
      this.q.deleteAlias.run(arn);
      this.q.deleteTags.run(arn);
    });
  }

  async listAliases(stateMachineArn: string, page: PageRequest): Promise<Page<AliasRecord>> {
    return this.pageBySeq(`aliases\n${stateMachineArn}`, page, (after, n) => this.q.listAliases.all(stateMachineArn, after, n) as AliasRow[], aliasOf);
  }

  createActivity(record: ActivityRecord): Promise<boolean> {
    return this.commits.submit(() => this.q.insertActivity.run(record.arn, record.name, record.createdAt).changes > 0);
  }

  async getActivity(arn: string): Promise<ActivityRecord | undefined> {
    const row = this.q.getActivity.get(arn) as ActivityRow | undefined;
    return row && activityOf(row);
  }

  async deleteActivity(arn: string): Promise<void> {
    await this.commits.submit(() => {
      this.q.deleteActivity.run(arn);
      this.q.deleteTags.run(arn);
    });
  }

  async listActivities(page: PageRequest): Promise<Page<ActivityRecord>> {
    return this.pageBySeq('activities', page, (after, n) => this.q.listActivities.all(after, n) as ActivityRow[], activityOf);
  }

  async tagResource(arn: string, tags: readonly Tag[]): Promise<void> {
    const pairs = tags.map((t) => [t.key, t.value] as const);
    await this.commits.submit(() => {
      for (const [key, value] of pairs) this.q.upsertTag.run(arn, key, value);
    });
  }

  async untagResource(arn: string, keys: readonly string[]): Promise<void> {
    const list = [...keys];
    await this.commits.submit(() => {
      for (const key of list) this.q.deleteTag.run(arn, key);
    });
  }

  async listTags(arn: string): Promise<readonly Tag[]> {
    return this.q.listTags.all(arn) as Tag[];
  }

  // ------------------------------------------------------------------ executions

  createExecution(record: ExecutionRecord, first: ExecutionWrite): Promise<boolean> {
    let prepared;
    try {
      prepared = prepareWrite({ ...first, executionArn: record.arn });
    } catch (e) {
      return Promise.reject(e);
    }
    const hash = this.writer.hashOf(record.definition);
    const write = prepared;
    const row = applyUpdate(record, first.update);
    return this.commits.submit(() => this.writer.create(row, hash, write));
  }

  async getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    const row = this.q.getExecution.get(arn) as ExecutionRow | undefined;
    return row && this.executionOf(row);
  }

  async listExecutions(filter: ExecutionFilter, page: PageRequest): Promise<Page<ExecutionRecord>> {
    const scope = executionScope(filter);
    const cursor: PageKey | undefined = page.nextToken === undefined ? undefined : decodePageToken(page.nextToken, scope, ['number', 'number']);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      where.push(sql);
      params.push(value);
    };
    if (filter.stateMachineArn !== undefined) add('state_machine_arn = ?', filter.stateMachineArn);
    if (filter.versionArn !== undefined) add('version_arn = ?', filter.versionArn);
    if (filter.aliasArn !== undefined) add('alias_arn = ?', filter.aliasArn);
    // With a version or alias, their index narrows best; `+status` keeps the planner from
    // preferring the status index (it would walk every RUNNING execution).
    const narrow = filter.versionArn !== undefined || filter.aliasArn !== undefined;
    if (filter.status !== undefined) add(narrow ? '+status = ?' : 'status = ?', filter.status);
    if (cursor) {
      where.push('(start_date, id) < (?, ?)');
      params.push(cursor[0], cursor[1]);
    }
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_date DESC, id DESC LIMIT ?`;
    let statement = this.listQueries.get(sql);
    if (!statement) this.listQueries.set(sql, (statement = this.db.prepare(sql)));
    const n = pageLimit(page.limit);
    const rows = statement.all(...params, n + 1) as ExecutionRow[];
    return pageOf(rows, n, (last) => encodePageToken(scope, [last.start_date, last.id]), (row) => this.executionOf(row));
  }

  appendExecution(write: ExecutionWrite): Promise<void> {
    let prepared;
    try {
      prepared = prepareWrite(write);
    } catch (e) {
      return Promise.reject(e);
    }
    const ready = prepared;
    return this.commits.submit(() => this.writer.append(ready));
  }

  async getEvents(
    executionArn: string,
    options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean },
  ): Promise<readonly HistoryEvent[]> {
    const statement = options.reverse ? this.q.eventsDown : this.q.eventsUp;
    const rows = statement.all(executionArn, options.afterId ?? 0, options.beforeId ?? MAX_ID, pageLimit(options.limit)) as EventRow[];
    return rows.map(eventOf);
  }

  async getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]> {
    return (this.q.triggers.all(executionArn) as TriggerRow[]).map(triggerOf);
  }

  async runningExecutions(): Promise<readonly string[]> {
    return this.q.running.all() as string[];
  }

  // ------------------------------------------------------------------ map runs

  async getMapRun(arn: string): Promise<MapRunRecord | undefined> {
    const row = this.q.getMapRun.get(arn) as MapRunRow | undefined;
    return row && mapRunOf(row);
  }

  async listMapRuns(executionArn: string, page: PageRequest): Promise<Page<MapRunRecord>> {
    return this.pageBySeq(`map-runs\n${executionArn}`, page, (after, n) => this.q.listMapRuns.all(executionArn, after, n) as MapRunRow[], mapRunOf);
  }

  // ------------------------------------------------------------------ timers and tasks

  async dueTimers(now: number, limit: number): Promise<readonly TimerRecord[]> {
    return (this.q.dueTimers.all(now, pageLimit(limit)) as TimerRow[]).map(timerOf);
  }

  async nextTimerDue(): Promise<number | undefined> {
    return (this.q.nextTimerDue.get() as number | null) ?? undefined;
  }

  async timersOf(executionArn: string): Promise<readonly TimerRecord[]> {
    return (this.q.timersOf.all(executionArn) as TimerRow[]).map(timerOf);
  }

  async getTask(token: string): Promise<TaskRecord | undefined> {
    const row = this.q.getTask.get(token) as TaskRow | undefined;
    return row && taskOf(row);
  }

  async tasksOf(executionArn: string): Promise<readonly TaskRecord[]> {
    return (this.q.tasksOf.all(executionArn) as TaskRow[]).map(taskOf);
  }

  claimActivityTask(activityArn: string, workerName: string | undefined, now: number): Promise<TaskRecord | undefined> {
    // Inside the batch transaction: the select and the update cannot interleave with another
    // claim, and the worker only hears of the task once its STARTED status is durable.
    return this.commits.submit(() => {
      const seq = this.q.oldestScheduled.get(activityArn) as number | undefined;
      if (seq === undefined) return undefined;
      this.q.startTask.run(workerName ?? null, now, seq);
      return taskOf(this.q.taskBySeq.get(seq) as TaskRow);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.commits.close();
    this.db.close();
  }

  /** Group-commit counters: transactions committed and the writes they carried. */
  get commitStats(): { readonly batches: number; readonly writes: number; readonly isolatedRetries: number } {
    return { ...this.commits.stats };
  }

  // ------------------------------------------------------------------ internals

  private executionOf(row: ExecutionRow): ExecutionRecord {
    let definition = this.definitions.get(row.definition_hash);
    if (definition === undefined) {
      definition = this.q.definition.get(row.definition_hash) as string;
      if (this.definitions.size >= 256) this.definitions.clear();
      this.definitions.set(row.definition_hash, definition);
    }
    return executionOf(row, definition);
  }

  private pageBySeq<R extends { seq: number }, T>(scope: string, page: PageRequest, rowsAfter: (seq: number, n: number) => R[], out: (row: R) => T): Page<T> {
    const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    return pageOf(rowsAfter(after, n + 1), n, (last) => encodePageToken(scope, [last.seq]), out);
  }
}

/** `rows` holds up to n + 1 rows: the extra one only says that there is another page. */
function pageOf<R, T>(rows: readonly R[], n: number, tokenOf: (last: R) => string, out: (row: R) => T): Page<T> {
  const items = rows.slice(0, n).map(out);
  return rows.length > n ? { items, nextToken: tokenOf(rows[n - 1]!) } : { items };
}

function statements(db: Database.Database) {
  const p = (sql: string): Database.Statement => db.prepare(sql);
  return {
    insertStateMachine: p(
      `INSERT INTO state_machines (arn, name, type, definition, role_arn, created_at, updated_at, revision_id, description,
         logging_configuration, tracing_configuration, encryption_configuration, next_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO NOTHING`,
    ),
    // An upsert keeps the row's seq, so a replaced state machine keeps its place in listings.
    upsertStateMachine: p(
      `INSERT INTO state_machines (arn, name, type, definition, role_arn, created_at, updated_at, revision_id, description,
         logging_configuration, tracing_configuration, encryption_configuration, next_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET name = excluded.name, type = excluded.type, definition = excluded.definition,
         role_arn = excluded.role_arn, created_at = excluded.created_at, updated_at = excluded.updated_at,
         revision_id = excluded.revision_id, description = excluded.description,
         logging_configuration = excluded.logging_configuration, tracing_configuration = excluded.tracing_configuration,
         encryption_configuration = excluded.encryption_configuration, next_version = excluded.next_version`,
    ),
    getStateMachine: p('SELECT * FROM state_machines WHERE arn = ?'),
    deleteStateMachine: p('DELETE FROM state_machines WHERE arn = ?'),
    listStateMachines: p('SELECT * FROM state_machines WHERE seq > ? ORDER BY seq LIMIT ?'),
    deleteVersionTagsOf: p('DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM state_machine_versions WHERE state_machine_arn = ?)'),
    deleteAliasTagsOf: p('DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM aliases WHERE state_machine_arn = ?)'),
    deleteVersionsOf: p('DELETE FROM state_machine_versions WHERE state_machine_arn = ?'),
    deleteAliasesOf: p('DELETE FROM aliases WHERE state_machine_arn = ?'),

    upsertVersion: p(
      `INSERT OR REPLACE INTO state_machine_versions (arn, state_machine_arn, version, definition, role_arn, type, description,
         created_at, revision_id, logging_configuration, tracing_configuration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getVersion: p('SELECT * FROM state_machine_versions WHERE arn = ?'),
    deleteVersion: p('DELETE FROM state_machine_versions WHERE arn = ?'),
    listVersions: p('SELECT * FROM state_machine_versions WHERE state_machine_arn = ? AND version < ? ORDER BY version DESC LIMIT ?'),

    upsertAlias: p(
      `INSERT INTO aliases (arn, state_machine_arn, name, description, routing_configuration, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET state_machine_arn = excluded.state_machine_arn, name = excluded.name,
         description = excluded.description, routing_configuration = excluded.routing_configuration,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    getAlias: p('SELECT * FROM aliases WHERE arn = ?'),
    deleteAlias: p('DELETE FROM aliases WHERE arn = ?'),
    listAliases: p('SELECT * FROM aliases WHERE state_machine_arn = ? AND seq > ? ORDER BY seq LIMIT ?'),

    insertActivity: p('INSERT INTO activities (arn, name, created_at) VALUES (?, ?, ?) ON CONFLICT (arn) DO NOTHING'),
    getActivity: p('SELECT * FROM activities WHERE arn = ?'),
    deleteActivity: p('DELETE FROM activities WHERE arn = ?'),
    listActivities: p('SELECT * FROM activities WHERE seq > ? ORDER BY seq LIMIT ?'),

    upsertTag: p('INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?) ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value'),
    deleteTag: p('DELETE FROM tags WHERE resource_arn = ? AND key = ?'),
    deleteTags: p('DELETE FROM tags WHERE resource_arn = ?'),
    listTags: p('SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY seq'),

    getExecution: p('SELECT * FROM executions WHERE arn = ?'),
    definition: p('SELECT body FROM definitions WHERE hash = ?').pluck(),
    eventsUp: p(`SELECT id, previous_event_id, type, timestamp, frame, details FROM events
      WHERE execution_id = ${EXECUTION_ID} AND id > ? AND id < ? ORDER BY id LIMIT ?`),
    eventsDown: p(`SELECT id, previous_event_id, type, timestamp, frame, details FROM events
      WHERE execution_id = ${EXECUTION_ID} AND id > ? AND id < ? ORDER BY id DESC LIMIT ?`),
    triggers: p(`SELECT time, trigger FROM triggers WHERE execution_id = ${EXECUTION_ID} ORDER BY seq`),
    running: p("SELECT arn FROM executions WHERE status = 'RUNNING'").pluck(),

    getMapRun: p(`SELECT ${MAP_RUN_COLUMNS} FROM map_runs m JOIN executions e ON e.id = m.execution_id WHERE m.arn = ?`),
    listMapRuns: p(`SELECT ${MAP_RUN_COLUMNS} FROM map_runs m JOIN executions e ON e.id = m.execution_id
      WHERE m.execution_id = ${EXECUTION_ID} AND m.seq > ? ORDER BY m.seq LIMIT ?`),

    dueTimers: p(`SELECT e.arn AS execution_arn, t.timer_id, t.due_at FROM timers t JOIN executions e ON e.id = t.execution_id
      WHERE t.due_at <= ? ORDER BY t.due_at LIMIT ?`),
    nextTimerDue: p('SELECT min(due_at) FROM timers').pluck(),
    timersOf: p(`SELECT e.arn AS execution_arn, t.timer_id, t.due_at FROM timers t JOIN executions e ON e.id = t.execution_id
      WHERE t.execution_id = ${EXECUTION_ID} ORDER BY t.due_at, t.timer_id`),

    getTask: p(`SELECT ${TASK_COLUMNS} FROM tasks t JOIN executions e ON e.id = t.execution_id WHERE t.token = ?`),
    taskBySeq: p(`SELECT ${TASK_COLUMNS} FROM tasks t JOIN executions e ON e.id = t.execution_id WHERE t.seq = ?`),
    tasksOf: p(`SELECT ${TASK_COLUMNS} FROM tasks t JOIN executions e ON e.id = t.execution_id
      WHERE t.execution_id = ${EXECUTION_ID} ORDER BY t.seq`),
    oldestScheduled: p("SELECT seq FROM tasks WHERE activity_arn = ? AND status = 'SCHEDULED' ORDER BY created_at, seq LIMIT 1").pluck(),
    startTask: p("UPDATE tasks SET status = 'STARTED', worker_name = ?, started_at = ? WHERE seq = ?"),
  };
}
