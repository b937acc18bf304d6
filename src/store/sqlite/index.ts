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
import { decodePageToken, encodePageToken, executionScope, pageLimit, pageOf, type PageKey } from '../page-token.js';
import { aliasesRoutingTo, applyMachineChange, missingRoutedVersion, tagCountAfter, versionOf as newVersion } from '../control-plane.js';
import type {
  ActivityRecord,
  AliasChange,
  AliasRecord,
  AliasWriteResult,
  CreateOutcome,
  CreateStateMachineOptions,
  CreateStateMachineResult,
  DeleteVersionResult,
  ExecutionFilter,
  ExecutionRecord,
  ExecutionWrite,
  LoggedTrigger,
  MapRunRecord,
  Page,
  PageRequest,
  PublishRequest,
  PublishResult,
  StateMachineChange,
  StateMachineRecord,
  StateMachineVersionRecord,
  Store,
  Tag,
  TagResult,
  TaskRecord,
  TimerRecord,
  UpdateStateMachineOptions,
  UpdateStateMachineResult,
} from '../types.js';
import { openDatabase, type SqliteOptions } from './database.js';
import { applyUpdate } from '../write-checks.js';
import { ExecutionWriter, prepareWrite } from './execution-writes.js';
import { GroupCommit } from './group-commit.js';
import { SqliteDeadLetterStore } from './dead-letters.js';
import { SqliteScheduleStore } from './schedules.js';
import { SqliteEventBusStore } from './event-bus.js';
import { ExecutionPurger } from './retention.js';
import { decodeDetails, type StoredChunk } from './payloads.js';
import {
  activityOf,
  aliasOf,
  aliasParams,
  eventOf,
  executionOf,
  mapRunOf,
  revisionParams,
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
  readonly deadLetters: SqliteDeadLetterStore;
  readonly schedules: SqliteScheduleStore;
  readonly eventBus: SqliteEventBusStore;
  private readonly commits: GroupCommit;
  private readonly writer: ExecutionWriter;
  private readonly purger: ExecutionPurger;
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
    this.purger = new ExecutionPurger(db);
    this.q = statements(db);
    this.deadLetters = new SqliteDeadLetterStore(db, this.commits);
    this.schedules = new SqliteScheduleStore(db, this.commits);
    this.eventBus = new SqliteEventBusStore(db, this.commits);
  }

  // ------------------------------------------------------------------ state machines and friends

  // Control-plane writes make their checks inside the batch transaction, where no other write
  // can come between the check and the change (see Store).

  createStateMachine(record: StateMachineRecord, options: CreateStateMachineOptions = {}): Promise<CreateStateMachineResult> {
    const params = stateMachineParams(record);
    const tags = (options.tags ?? []).map((t) => [t.key, t.value] as const);
    return this.commits.submit((): CreateStateMachineResult => {
      if (this.q.getStateMachine.get(record.arn)) return { outcome: 'exists' };
      if (options.maxStateMachines !== undefined && (this.q.countStateMachines.get() as number) >= options.maxStateMachines) return { outcome: 'limit-exceeded' };
      this.q.insertStateMachine.run(params);
      for (const [key, value] of tags) this.q.upsertTag.run(record.arn, key, value);
      if (!options.publish) return { outcome: 'created' };
      const published = this.publishNow(record.arn, { createdAt: record.createdAt, ...options.publish });
      return published.outcome === 'published' ? { outcome: 'created', version: published.version } : { outcome: 'created' };
    });
  }

  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    const row = this.q.getStateMachine.get(arn) as StateMachineRow | undefined;
    return row && stateMachineOf(row);
  }

  updateStateMachine(arn: string, change: StateMachineChange, options: UpdateStateMachineOptions): Promise<UpdateStateMachineResult> {
    return this.commits.submit((): UpdateStateMachineResult => {
      const row = this.q.getStateMachine.get(arn) as StateMachineRow | undefined;
      if (!row) return { outcome: 'no-machine' };
      const machine = applyMachineChange(stateMachineOf(row), change, options.newRevisionId, options.updatedAt);
      this.q.updateStateMachine.run(...revisionParams(machine), arn);
      if (!options.publish) return { outcome: 'updated', machine };
      const published = this.publishNow(arn, { createdAt: options.updatedAt, ...options.publish });
      if (published.outcome !== 'published' && published.outcome !== 'existing') return { outcome: 'updated', machine };
      return { outcome: 'updated', machine: stateMachineOf(this.q.getStateMachine.get(arn) as StateMachineRow), version: published.version };
    });
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

  publishVersion(stateMachineArn: string, request: PublishRequest): Promise<PublishResult> {
    return this.commits.submit(() => this.publishNow(stateMachineArn, request));
  }

  async getVersion(arn: string): Promise<StateMachineVersionRecord | undefined> {
    const row = this.q.getVersion.get(arn) as VersionRow | undefined;
    return row && versionOf(row);
  }

  deleteVersion(arn: string): Promise<DeleteVersionResult> {
    return this.commits.submit((): DeleteVersionResult => {
      const version = this.q.getVersion.get(arn) as VersionRow | undefined;
      if (!version) return { outcome: 'no-version' };
      const aliases = (this.q.aliasesOf.all(version.state_machine_arn) as AliasRow[]).map(aliasOf);
      const aliasNames = aliasesRoutingTo(aliases, arn);
      if (aliasNames.length > 0) return { outcome: 'referenced', aliasNames };
      this.q.deleteVersion.run(arn);
      this.q.deleteTags.run(arn);
      return { outcome: 'deleted' };
    });
  }

  async listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>> {
    const scope = `versions\n${stateMachineArn}`;
    const below = page.nextToken === undefined ? MAX_ID : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const rows = this.q.listVersions.all(stateMachineArn, below, n + 1) as VersionRow[];
    return pageOf(rows, n, (last) => encodePageToken(scope, [last.version]), versionOf);
  }

  createAlias(record: AliasRecord): Promise<AliasWriteResult> {
    const params = aliasParams(record);
    return this.commits.submit((): AliasWriteResult => {
      const existing = this.q.getAlias.get(record.arn) as AliasRow | undefined;
      if (existing) return { outcome: 'exists', alias: aliasOf(existing) };
      const missing = missingRoutedVersion(record.routingConfiguration, record.stateMachineArn, (arn) => this.versionNow(arn));
      if (missing !== undefined) return { outcome: 'missing-version', versionArn: missing };
      this.q.insertAlias.run(params);
      return { outcome: 'written', alias: aliasOf(this.q.getAlias.get(record.arn) as AliasRow) };
    });
  }

  updateAlias(arn: string, change: AliasChange): Promise<AliasWriteResult> {
    return this.commits.submit((): AliasWriteResult => {
      const row = this.q.getAlias.get(arn) as AliasRow | undefined;
      if (!row) return { outcome: 'no-alias' };
      const alias = aliasOf(row);
      if (change.routingConfiguration) {
        const missing = missingRoutedVersion(change.routingConfiguration, alias.stateMachineArn, (v) => this.versionNow(v));
        if (missing !== undefined) return { outcome: 'missing-version', versionArn: missing };
      }
      const next: AliasRecord = {
        ...alias,
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(change.routingConfiguration ? { routingConfiguration: change.routingConfiguration } : {}),
        updatedAt: change.updatedAt,
      };
      this.q.updateAlias.run(next.description ?? null, JSON.stringify(next.routingConfiguration), next.updatedAt ?? null, arn);
      return { outcome: 'written', alias: aliasOf(this.q.getAlias.get(arn) as AliasRow) };
    });
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

  createActivity(record: ActivityRecord, options: { readonly tags?: readonly Tag[]; readonly maxActivities?: number } = {}): Promise<CreateOutcome> {
    const tags = (options.tags ?? []).map((t) => [t.key, t.value] as const);
    return this.commits.submit((): CreateOutcome => {
      if (this.q.getActivity.get(record.arn)) return 'exists';
      if (options.maxActivities !== undefined && (this.q.countActivities.get() as number) >= options.maxActivities) return 'limit-exceeded';
      this.q.insertActivity.run(record.arn, record.name, record.createdAt);
      for (const [key, value] of tags) this.q.upsertTag.run(record.arn, key, value);
      return 'created';
    });
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

  tagResource(arn: string, tags: readonly Tag[], options: { readonly maxTags?: number } = {}): Promise<TagResult> {
    const pairs = tags.map((t) => [t.key, t.value] as const);
    return this.commits.submit((): TagResult => {
      if (!this.q.getStateMachine.get(arn) && !this.q.getActivity.get(arn)) return 'no-resource';
      if (options.maxTags !== undefined && tagCountAfter(this.q.tagKeys.all(arn) as string[], tags) > options.maxTags) return 'too-many-tags';
      for (const [key, value] of pairs) this.q.upsertTag.run(arn, key, value);
      return 'tagged';
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
    return this.commits.submit(() => this.writer.create(row, hash, write), 1 + first.events.length);
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
    if (filter.mapRunArn !== undefined) add('map_run_arn = ?', filter.mapRunArn);
    // With a version or alias, their index narrows best; `+status` keeps the planner from
    // preferring the status index (it would walk every RUNNING execution).
    const narrow = filter.versionArn !== undefined || filter.aliasArn !== undefined || filter.mapRunArn !== undefined;
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
    return this.commits.submit(() => this.writer.append(ready), 1 + write.events.length);
  }

  async getEvents(
    executionArn: string,
    options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean; maxBytes?: number },
  ): Promise<readonly HistoryEvent[]> {
    const id = this.q.executionId.get(executionArn) as number | undefined;
    if (id === undefined) return [];
    const statement = options.reverse ? this.q.eventsDown : this.q.eventsUp;
    let rows = statement.all(id, options.afterId ?? 0, options.beforeId ?? MAX_ID, pageLimit(options.limit)) as EventRow[];
    if (options.maxBytes !== undefined) rows = this.withinBytes(id, rows, options.maxBytes);
    // Each payload is parsed once per read and shared by the events that refer to it.
    const memo = new Map<string, unknown>();
    const load = (hash: string) => this.q.payload.get(id, hash) as StoredChunk | undefined;
    return rows.map((row) => (row.refs === null || row.details === null ? eventOf(row) : eventOf(row, decodeDetails(row.details, row.refs, load, memo))));
  }

  /** The first rows whose details, payloads included, fit in `maxBytes` characters (at least one). */
  private withinBytes(id: number, rows: EventRow[], maxBytes: number): EventRow[] {
    const sizes = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      let size = row.details?.length ?? 0;
      if (row.refs !== null) {
        for (const [, hash] of JSON.parse(row.refs) as [unknown, string][]) {
          let chunk = sizes.get(hash);
          if (chunk === undefined) sizes.set(hash, (chunk = (this.q.payloadSize.get(id, hash) as number | undefined) ?? 0));
          size += chunk - 1; // the chunk replaces its placeholder
        }
      }
      if (i > 0 && total + size > maxBytes) return rows.slice(0, i);
      total += size;
    }
    return rows;
  }

  async getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]> {
    return (this.q.triggers.all(executionArn) as TriggerRow[]).map(triggerOf);
  }

  async runningExecutions(): Promise<readonly string[]> {
    return this.q.running.all() as string[];
  }

  async countOpenExecutions(): Promise<number> {
    return this.q.openExecutions.get() as number;
  }

  async markDecisionInProgress(executionArn: string): Promise<void> {
    await this.commits.submit(() => this.q.markDecision.run(executionArn));
  }

  async clearDecisionInProgress(executionArn: string): Promise<void> {
    await this.commits.submit(() => this.q.clearDecision.run(executionArn));
  }

  // One server per SQLite file (src/server/sqlite-owner.ts): every mark is this process's, so
  // the filter of several nodes (executionArns) never applies.
  countInterruptedDecisions(): Promise<ReadonlyArray<{ readonly executionArn: string; readonly restarts: number }>> {
    return this.commits.submit(() => {
      this.q.countRestart.run();
      return (this.q.interruptedDecisions.all() as Array<{ execution_arn: string; restarts: number }>).map((r) => ({ executionArn: r.execution_arn, restarts: r.restarts }));
    });
  }

  async countChildExecutions(parentExecutionArn: string): Promise<number> {
    return this.q.countChildren.get(parentExecutionArn) as number;
  }

  purgeClosedExecutions(closedBefore: number, limit: number): Promise<number> {
    return this.commits.submit(() => this.purger.purge(closedBefore, limit));
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

  /**
   * Publishes inside the running transaction (see Store.publishVersion): the machine's counter
   * is read and moved in the same transaction as the version is inserted, and a version row is
   * inserted once, never replaced.
   */
  private publishNow(stateMachineArn: string, request: PublishRequest): PublishResult {
    const row = this.q.getStateMachine.get(stateMachineArn) as StateMachineRow | undefined;
    if (!row) return { outcome: 'no-machine' };
    if (request.revisionId !== undefined && request.revisionId !== row.revision_id) return { outcome: 'stale-revision', currentRevisionId: row.revision_id };
    const existing = this.q.versionOfRevision.get(stateMachineArn, row.revision_id) as VersionRow | undefined;
    if (existing) return { outcome: 'existing', version: versionOf(existing) };
    const version = newVersion(stateMachineOf(row), row.next_version, request.description, request.createdAt);
    this.q.insertVersion.run(versionParams(version));
    this.q.bumpNextVersion.run(stateMachineArn);
    return { outcome: 'published', version };
  }

  private versionNow(arn: string): StateMachineVersionRecord | undefined {
    const row = this.q.getVersion.get(arn) as VersionRow | undefined;
    return row && versionOf(row);
  }

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


function statements(db: Database.Database) {
  const p = (sql: string): Database.Statement => db.prepare(sql);
  return {
    insertStateMachine: p(
      `INSERT INTO state_machines (arn, name, type, definition, role_arn, created_at, updated_at, revision_id, description,
         logging_configuration, tracing_configuration, encryption_configuration, next_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO NOTHING`,
    ),
    // Never touches next_version: only a publish moves it (bumpNextVersion).
    updateStateMachine: p(
      `UPDATE state_machines SET definition = ?, role_arn = ?, updated_at = ?, revision_id = ?, logging_configuration = ?,
         tracing_configuration = ?, encryption_configuration = ? WHERE arn = ?`,
    ),
    bumpNextVersion: p('UPDATE state_machines SET next_version = next_version + 1 WHERE arn = ?'),
    countStateMachines: p('SELECT count(*) FROM state_machines').pluck(),
    getStateMachine: p('SELECT * FROM state_machines WHERE arn = ?'),
    deleteStateMachine: p('DELETE FROM state_machines WHERE arn = ?'),
    listStateMachines: p('SELECT * FROM state_machines WHERE seq > ? ORDER BY seq LIMIT ?'),
    deleteVersionTagsOf: p('DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM state_machine_versions WHERE state_machine_arn = ?)'),
    deleteAliasTagsOf: p('DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM aliases WHERE state_machine_arn = ?)'),
    deleteVersionsOf: p('DELETE FROM state_machine_versions WHERE state_machine_arn = ?'),
    deleteAliasesOf: p('DELETE FROM aliases WHERE state_machine_arn = ?'),

    // A plain INSERT: a version is immutable, and a number taken twice fails loudly.
    insertVersion: p(
      `INSERT INTO state_machine_versions (arn, state_machine_arn, version, definition, role_arn, type, description,
         created_at, revision_id, logging_configuration, tracing_configuration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    versionOfRevision: p('SELECT * FROM state_machine_versions WHERE state_machine_arn = ? AND revision_id = ? ORDER BY version LIMIT 1'),
    getVersion: p('SELECT * FROM state_machine_versions WHERE arn = ?'),
    deleteVersion: p('DELETE FROM state_machine_versions WHERE arn = ?'),
    listVersions: p('SELECT * FROM state_machine_versions WHERE state_machine_arn = ? AND version < ? ORDER BY version DESC LIMIT ?'),

    insertAlias: p(
      `INSERT INTO aliases (arn, state_machine_arn, name, description, routing_configuration, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateAlias: p('UPDATE aliases SET description = ?, routing_configuration = ?, updated_at = ? WHERE arn = ?'),
    aliasesOf: p('SELECT * FROM aliases WHERE state_machine_arn = ? ORDER BY seq'),
    getAlias: p('SELECT * FROM aliases WHERE arn = ?'),
    deleteAlias: p('DELETE FROM aliases WHERE arn = ?'),
    listAliases: p('SELECT * FROM aliases WHERE state_machine_arn = ? AND seq > ? ORDER BY seq LIMIT ?'),

    insertActivity: p('INSERT INTO activities (arn, name, created_at) VALUES (?, ?, ?) ON CONFLICT (arn) DO NOTHING'),
    countActivities: p('SELECT count(*) FROM activities').pluck(),
    getActivity: p('SELECT * FROM activities WHERE arn = ?'),
    deleteActivity: p('DELETE FROM activities WHERE arn = ?'),
    listActivities: p('SELECT * FROM activities WHERE seq > ? ORDER BY seq LIMIT ?'),

    upsertTag: p('INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?) ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value'),
    deleteTag: p('DELETE FROM tags WHERE resource_arn = ? AND key = ?'),
    deleteTags: p('DELETE FROM tags WHERE resource_arn = ?'),
    listTags: p('SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY seq'),
    tagKeys: p('SELECT key FROM tags WHERE resource_arn = ?').pluck(),

    getExecution: p('SELECT * FROM executions WHERE arn = ?'),
    definition: p('SELECT body FROM definitions WHERE hash = ?').pluck(),
    executionId: p('SELECT id FROM executions WHERE arn = ?').pluck(),
    eventsUp: p(`SELECT id, previous_event_id, type, timestamp, frame, details, refs FROM events
      WHERE execution_id = ? AND id > ? AND id < ? ORDER BY id LIMIT ?`),
    eventsDown: p(`SELECT id, previous_event_id, type, timestamp, frame, details, refs FROM events
      WHERE execution_id = ? AND id > ? AND id < ? ORDER BY id DESC LIMIT ?`),
    payload: p('SELECT body, refs FROM payloads WHERE execution_id = ? AND hash = ?'),
    payloadSize: p('SELECT size FROM payloads WHERE execution_id = ? AND hash = ?').pluck(),
    triggers: p(`SELECT time, trigger FROM triggers WHERE execution_id = ${EXECUTION_ID} ORDER BY seq`),
    running: p("SELECT arn FROM executions WHERE status = 'RUNNING'").pluck(),
    openExecutions: p("SELECT value FROM counters WHERE name = 'open_executions'").pluck(),
    markDecision: p('INSERT INTO decisions_in_progress (execution_arn, restarts) VALUES (?, 0) ON CONFLICT (execution_arn) DO NOTHING'),
    clearDecision: p('DELETE FROM decisions_in_progress WHERE execution_arn = ?'),
    countRestart: p('UPDATE decisions_in_progress SET restarts = restarts + 1'),
    interruptedDecisions: p('SELECT execution_arn, restarts FROM decisions_in_progress'),
    countChildren: p('SELECT count(*) FROM executions WHERE parent_execution_arn = ? AND map_run_arn IS NULL').pluck(),

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
