/**
 * The durable Store on PostgreSQL (issue 12), for one or several Stepwise processes sharing a
 * database. The design follows the SQLite store (src/store/sqlite/): executions with an integer
 * id, events keyed (execution_id, id), definitions stored once by hash, large payloads stored
 * once per execution, keyset listings, the RUNNING counter kept by triggers.
 *
 * What SQLite gets from running one writer at a time, PostgreSQL gets from locks taken inside
 * each transaction, so that two processes cannot both pass a check only one may pass:
 * - an execution write is one statement whose head is `UPDATE … WHERE last_event_id = expected`
 *   (./execution-writes.ts);
 * - control-plane writes lock the state machine (or activity) row they check (`FOR UPDATE`),
 *   and creates under a quota lock their quota's row in `counters` before counting;
 * - an activity task is claimed with `FOR UPDATE SKIP LOCKED`, so claimants never wait on each
 *   other and never take the same task.
 * Within one process, writes of the same execution, state machine or activity queue also keep
 * the order they were submitted in (lanes.ts), as the SQLite store's group commit keeps it.
 */
import type { HistoryEvent } from '../../engine/events.js';
import { decodePageToken, encodePageToken, executionScope, pageLimit, pageOf, type PageKey } from '../page-token.js';
import { InvalidPageToken } from '../errors.js';
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
import { applyUpdate } from '../write-checks.js';
import { decodeDetails, type StoredChunk } from '../sqlite/payloads.js';
import { MAX_PURGED_EVENTS_PER_BATCH } from '../sqlite/retention.js';
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
} from '../sqlite/rows.js';
import { openPostgres, type Client, type PostgresDatabase, type PostgresOptions, type Queryable } from './db.js';
import { ExecutionWriter, prepareWrite } from './execution-writes.js';
import { describeOpenError } from './open-errors.js';
import { Lanes, machineOf } from './lanes.js';
import { row, rows, run } from './sql.js';
import { PostgresDeadLetterStore } from './dead-letters.js';
import { PostgresScheduleStore } from './schedules.js';
import { PostgresEventBusStore } from './event-bus.js';
import { PostgresCluster } from './cluster.js';
import type { ClusterWrite } from './execution-writes.js';

export type { PostgresOptions } from './db.js';

/** Connects to `url`, applies the migrations it lacks and opens the store; rejects with StoreOpenError. */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
  try {
    return new PostgresStore(await openPostgres(url, options));
  } catch (e) {
    throw describeOpenError(url, e);
  }
}

const EXECUTION_ID = '(SELECT id FROM executions WHERE arn = $1)';
const MAP_RUN_COLUMNS = 'm.*, e.arn AS execution_arn';
const TASK_COLUMNS = 't.token, e.arn AS execution_arn, t.task_id, t.activity_arn, t.input, t.status, t.worker_name, t.created_at, t.started_at';
const EVENT_COLUMNS = 'id, previous_event_id, type, timestamp, frame, details, refs';
const MAX_ID = 2_147_483_647; // event ids are INTEGER
const CLOSED = "('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')";

/**
 * A token's key as integers: every key of these listings is one (ids, dates, version numbers),
 * and anything else (a forged 1.5 or 1e300) would reach PostgreSQL as a malformed BIGINT.
 */
function integerKey(key: PageKey): number[] {
  if (!key.every((k) => Number.isSafeInteger(k))) throw new InvalidPageToken();
  return key as number[];
}

export class PostgresStore implements Store {
  readonly deadLetters: PostgresDeadLetterStore;
  readonly schedules: PostgresScheduleStore;
  readonly eventBus: PostgresEventBusStore;
  /** Several nodes on this database: joined by the server (the store alone works as one process). */
  readonly cluster: PostgresCluster;
  private readonly writer = new ExecutionWriter();
  private readonly lanes = new Lanes();
  /** Definition texts by hash, shared by the records read: executions repeat a few definitions. */
  private readonly definitions = new Map<string, string>();
  private closed = false;

  constructor(
    /** The connection pool; exposed for diagnostics and tests. */
    readonly db: PostgresDatabase,
  ) {
    this.deadLetters = new PostgresDeadLetterStore(db);
    this.schedules = new PostgresScheduleStore(db);
    this.eventBus = new PostgresEventBusStore(db);
    this.cluster = new PostgresCluster(db);
  }

  /** What a write adds once this store joined a cluster (fencing, routed work, notifications). */
  private clusterWrite(write?: ExecutionWrite): ClusterWrite | undefined {
    const owner = this.cluster.nodeId;
    return owner === undefined ? undefined : { owner, channel: this.cluster.channel, consumed: write?.consumed ?? [] };
  }

  // ------------------------------------------------------------------ state machines and friends

  createStateMachine(record: StateMachineRecord, options: CreateStateMachineOptions = {}): Promise<CreateStateMachineResult> {
    return this.transaction(record.arn, async (c): Promise<CreateStateMachineResult> => {
      // Every create takes the quota's lock, so concurrent creates count one after the other.
      await run(c, "SELECT value FROM counters WHERE name = 'state_machine_quota' FOR UPDATE");
      if (await row(c, 'SELECT 1 FROM state_machines WHERE arn = $1', [record.arn])) return { outcome: 'exists' };
      if (options.maxStateMachines !== undefined && (await this.count(c, 'SELECT count(*) AS n FROM state_machines')) >= options.maxStateMachines) {
        return { outcome: 'limit-exceeded' };
      }
      const inserted = await run(
        c,
        `INSERT INTO state_machines (arn, name, type, definition, role_arn, created_at, updated_at, revision_id, description,
           logging_configuration, tracing_configuration, encryption_configuration, next_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (arn) DO NOTHING`,
        stateMachineParams(record),
      );
      if (inserted === 0) return { outcome: 'exists' };
      await this.upsertTags(c, record.arn, options.tags ?? []);
      if (!options.publish) return { outcome: 'created' };
      const published = await this.publishNow(c, record.arn, { createdAt: record.createdAt, ...options.publish });
      return published.outcome === 'published' ? { outcome: 'created', version: published.version } : { outcome: 'created' };
    });
  }

  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    const r = await row<StateMachineRow>(this.pool(), 'SELECT * FROM state_machines WHERE arn = $1', [arn]);
    return r && stateMachineOf(r);
  }

  updateStateMachine(arn: string, change: StateMachineChange, options: UpdateStateMachineOptions): Promise<UpdateStateMachineResult> {
    return this.transaction(arn, async (c): Promise<UpdateStateMachineResult> => {
      const current = await this.lockMachine(c, arn);
      if (!current) return { outcome: 'no-machine' };
      const machine = applyMachineChange(stateMachineOf(current), change, options.newRevisionId, options.updatedAt);
      // Never touches next_version: only a publish moves it.
      await run(
        c,
        `UPDATE state_machines SET definition = $1, role_arn = $2, updated_at = $3, revision_id = $4, logging_configuration = $5,
           tracing_configuration = $6, encryption_configuration = $7 WHERE arn = $8`,
        [...revisionParams(machine), arn],
      );
      if (!options.publish) return { outcome: 'updated', machine };
      const published = await this.publishNow(c, arn, { createdAt: options.updatedAt, ...options.publish });
      if (published.outcome !== 'published' && published.outcome !== 'existing') return { outcome: 'updated', machine };
      const after = (await row<StateMachineRow>(c, 'SELECT * FROM state_machines WHERE arn = $1', [arn]))!;
      return { outcome: 'updated', machine: stateMachineOf(after), version: published.version };
    });
  }

  async deleteStateMachine(arn: string): Promise<void> {
    await this.transaction(arn, async (c) => {
      await this.lockMachine(c, arn);
      await run(c, 'DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM state_machine_versions WHERE state_machine_arn = $1)', [arn]);
      await run(c, 'DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM aliases WHERE state_machine_arn = $1)', [arn]);
      await run(c, 'DELETE FROM state_machine_versions WHERE state_machine_arn = $1', [arn]);
      await run(c, 'DELETE FROM aliases WHERE state_machine_arn = $1', [arn]);
      await run(c, 'DELETE FROM tags WHERE resource_arn = $1', [arn]);
      await run(c, 'DELETE FROM state_machines WHERE arn = $1', [arn]);
    });
  }

  listStateMachines(page: PageRequest): Promise<Page<StateMachineRecord>> {
    return this.pageBySeq('state-machines', page, (after, n) => rows<StateMachineRow>(this.pool(), 'SELECT * FROM state_machines WHERE seq > $1 ORDER BY seq LIMIT $2', [after, n]), stateMachineOf);
  }

  publishVersion(stateMachineArn: string, request: PublishRequest): Promise<PublishResult> {
    return this.transaction(stateMachineArn, (c) => this.publishNow(c, stateMachineArn, request));
  }

  async getVersion(arn: string): Promise<StateMachineVersionRecord | undefined> {
    const r = await row<VersionRow>(this.pool(), 'SELECT * FROM state_machine_versions WHERE arn = $1', [arn]);
    return r && versionOf(r);
  }

  deleteVersion(arn: string): Promise<DeleteVersionResult> {
    return this.transaction(machineOf(arn), async (c): Promise<DeleteVersionResult> => {
      const owner = await row<{ state_machine_arn: string }>(c, 'SELECT state_machine_arn FROM state_machine_versions WHERE arn = $1', [arn]);
      if (!owner) return { outcome: 'no-version' };
      // The machine's lock orders this against alias writes that would route to the version.
      await this.lockMachine(c, owner.state_machine_arn);
      if (!(await row(c, 'SELECT 1 FROM state_machine_versions WHERE arn = $1', [arn]))) return { outcome: 'no-version' };
      const aliases = (await rows<AliasRow>(c, 'SELECT * FROM aliases WHERE state_machine_arn = $1 ORDER BY seq', [owner.state_machine_arn])).map(aliasOf);
      const aliasNames = aliasesRoutingTo(aliases, arn);
      if (aliasNames.length > 0) return { outcome: 'referenced', aliasNames };
      await run(c, 'DELETE FROM state_machine_versions WHERE arn = $1', [arn]);
      await run(c, 'DELETE FROM tags WHERE resource_arn = $1', [arn]);
      return { outcome: 'deleted' };
    });
  }

  async listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>> {
    const scope = `versions\n${stateMachineArn}`;
    const below = page.nextToken === undefined ? MAX_ID : integerKey(decodePageToken(page.nextToken, scope, ['number']))[0]!;
    const n = pageLimit(page.limit);
    const found = await rows<VersionRow>(
      this.pool(),
      'SELECT * FROM state_machine_versions WHERE state_machine_arn = $1 AND version < $2 ORDER BY version DESC LIMIT $3',
      [stateMachineArn, below, n + 1],
    );
    return pageOf(found, n, (last) => encodePageToken(scope, [last.version]), versionOf);
  }

  createAlias(record: AliasRecord): Promise<AliasWriteResult> {
    return this.transaction(record.stateMachineArn, async (c): Promise<AliasWriteResult> => {
      await this.lockMachine(c, record.stateMachineArn);
      const existing = await this.aliasNow(c, record.arn);
      if (existing) return { outcome: 'exists', alias: existing };
      const missing = await this.missingVersion(c, record.routingConfiguration, record.stateMachineArn);
      if (missing !== undefined) return { outcome: 'missing-version', versionArn: missing };
      const inserted = await run(
        c,
        `INSERT INTO aliases (arn, state_machine_arn, name, description, routing_configuration, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (arn) DO NOTHING`,
        aliasParams(record),
      );
      const alias = (await this.aliasNow(c, record.arn))!;
      return inserted === 0 ? { outcome: 'exists', alias } : { outcome: 'written', alias };
    });
  }

  updateAlias(arn: string, change: AliasChange): Promise<AliasWriteResult> {
    return this.transaction(machineOf(arn), async (c): Promise<AliasWriteResult> => {
      const before = await this.aliasNow(c, arn);
      if (!before) return { outcome: 'no-alias' };
      await this.lockMachine(c, before.stateMachineArn);
      const alias = await this.aliasNow(c, arn); // as it is now that nothing can change it
      if (!alias) return { outcome: 'no-alias' };
      if (change.routingConfiguration) {
        const missing = await this.missingVersion(c, change.routingConfiguration, alias.stateMachineArn);
        if (missing !== undefined) return { outcome: 'missing-version', versionArn: missing };
      }
      const next: AliasRecord = {
        ...alias,
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(change.routingConfiguration ? { routingConfiguration: change.routingConfiguration } : {}),
        updatedAt: change.updatedAt,
      };
      await run(c, 'UPDATE aliases SET description = $1, routing_configuration = $2, updated_at = $3 WHERE arn = $4', [
        next.description ?? null, JSON.stringify(next.routingConfiguration), next.updatedAt ?? null, arn,
      ]);
      return { outcome: 'written', alias: (await this.aliasNow(c, arn))! };
    });
  }

  getAlias(arn: string): Promise<AliasRecord | undefined> {
    return this.aliasNow(this.pool(), arn);
  }

  async deleteAlias(arn: string): Promise<void> {
    await this.transaction(machineOf(arn), async (c) => {
      await run(c, 'DELETE FROM aliases WHERE arn = $1', [arn]);
      await run(c, 'DELETE FROM tags WHERE resource_arn = $1', [arn]);
    });
  }

  listAliases(stateMachineArn: string, page: PageRequest): Promise<Page<AliasRecord>> {
    return this.pageBySeq(
      `aliases\n${stateMachineArn}`,
      page,
      (after, n) => rows<AliasRow>(this.pool(), 'SELECT * FROM aliases WHERE state_machine_arn = $1 AND seq > $2 ORDER BY seq LIMIT $3', [stateMachineArn, after, n]),
      aliasOf,
    );
  }

  createActivity(record: ActivityRecord, options: { readonly tags?: readonly Tag[]; readonly maxActivities?: number } = {}): Promise<CreateOutcome> {
    return this.transaction(record.arn, async (c): Promise<CreateOutcome> => {
      await run(c, "SELECT value FROM counters WHERE name = 'activity_quota' FOR UPDATE");
      if (await row(c, 'SELECT 1 FROM activities WHERE arn = $1', [record.arn])) return 'exists';
      if (options.maxActivities !== undefined && (await this.count(c, 'SELECT count(*) AS n FROM activities')) >= options.maxActivities) return 'limit-exceeded';
      const inserted = await run(c, 'INSERT INTO activities (arn, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (arn) DO NOTHING', [record.arn, record.name, record.createdAt]);
      if (inserted === 0) return 'exists';
      await this.upsertTags(c, record.arn, options.tags ?? []);
      return 'created';
    });
  }

  async getActivity(arn: string): Promise<ActivityRecord | undefined> {
    const r = await row<ActivityRow>(this.pool(), 'SELECT * FROM activities WHERE arn = $1', [arn]);
    return r && activityOf(r);
  }

  async deleteActivity(arn: string): Promise<void> {
    await this.transaction(arn, async (c) => {
      await run(c, 'DELETE FROM activities WHERE arn = $1', [arn]);
      await run(c, 'DELETE FROM tags WHERE resource_arn = $1', [arn]);
    });
  }

  listActivities(page: PageRequest): Promise<Page<ActivityRecord>> {
    return this.pageBySeq('activities', page, (after, n) => rows<ActivityRow>(this.pool(), 'SELECT * FROM activities WHERE seq > $1 ORDER BY seq LIMIT $2', [after, n]), activityOf);
  }

  tagResource(arn: string, tags: readonly Tag[], options: { readonly maxTags?: number } = {}): Promise<TagResult> {
    return this.transaction(arn, async (c): Promise<TagResult> => {
      // Locking the resource's row orders concurrent tag writes of it: the count below holds.
      const exists =
        (await row(c, 'SELECT 1 FROM state_machines WHERE arn = $1 FOR UPDATE', [arn])) ?? (await row(c, 'SELECT 1 FROM activities WHERE arn = $1 FOR UPDATE', [arn]));
      if (!exists) return 'no-resource';
      if (options.maxTags !== undefined) {
        const keys = (await rows<{ key: string }>(c, 'SELECT key FROM tags WHERE resource_arn = $1', [arn])).map((r) => r.key);
        if (tagCountAfter(keys, tags) > options.maxTags) return 'too-many-tags';
      }
      await this.upsertTags(c, arn, tags);
      return 'tagged';
    });
  }

  async untagResource(arn: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return this.checkOpen();
    await this.lanes.run(arn, () => run(this.pool(), 'DELETE FROM tags WHERE resource_arn = $1 AND key = ANY($2::text[])', [arn, [...keys]]));
  }

  async listTags(arn: string): Promise<readonly Tag[]> {
    return rows<Tag>(this.pool(), 'SELECT key, value FROM tags WHERE resource_arn = $1 ORDER BY seq', [arn]);
  }

  // ------------------------------------------------------------------ executions

  async createExecution(record: ExecutionRecord, first: ExecutionWrite): Promise<boolean> {
    const prepared = prepareWrite({ ...first, executionArn: record.arn });
    const cluster = this.clusterWrite(first);
    return this.lanes.run(record.arn, () => this.writer.create(this.pool(), applyUpdate(record, first.update), prepared, cluster));
  }

  async getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    const r = await row<ExecutionRow>(this.pool(), 'SELECT * FROM executions WHERE arn = $1', [arn]);
    return r && this.executionOf(r);
  }

  async listExecutions(filter: ExecutionFilter, page: PageRequest): Promise<Page<ExecutionRecord>> {
    const scope = executionScope(filter);
    const cursor = page.nextToken === undefined ? undefined : integerKey(decodePageToken(page.nextToken, scope, ['number', 'number']));
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (column: string, value: unknown): void => {
      values.push(value);
      where.push(`${column} = $${values.length}`);
    };
    if (filter.stateMachineArn !== undefined) add('state_machine_arn', filter.stateMachineArn);
    if (filter.versionArn !== undefined) add('version_arn', filter.versionArn);
    if (filter.aliasArn !== undefined) add('alias_arn', filter.aliasArn);
    if (filter.mapRunArn !== undefined) add('map_run_arn', filter.mapRunArn);
    if (filter.status !== undefined) add('status', filter.status);
    if (cursor) {
      values.push(cursor[0], cursor[1]);
      where.push(`(start_date, id) < ($${values.length - 1}, $${values.length})`);
    }
    const n = pageLimit(page.limit);
    values.push(n + 1);
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_date DESC, id DESC LIMIT $${values.length}`;
    const found = await rows<ExecutionRow>(this.pool(), sql, values);
    const records = await this.executionsOf(found);
    const byId = new Map(found.map((r, i) => [r, records[i]!]));
    return pageOf(found, n, (last) => encodePageToken(scope, [last.start_date, last.id]), (r) => byId.get(r)!);
  }

  async appendExecution(write: ExecutionWrite): Promise<void> {
    const prepared = prepareWrite(write);
    const cluster = this.clusterWrite(write);
    await this.lanes.run(write.executionArn, () => this.writer.append(this.pool(), prepared, write.update, cluster));
  }

  async getEvents(
    executionArn: string,
    options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean; maxBytes?: number },
  ): Promise<readonly HistoryEvent[]> {
    const head = await row<{ id: number }>(this.pool(), 'SELECT id FROM executions WHERE arn = $1', [executionArn]);
    if (!head) return [];
    let found = await rows<EventRow>(
      this.pool(),
      `SELECT ${EVENT_COLUMNS} FROM events WHERE execution_id = $1 AND id > $2 AND id < $3 ORDER BY id ${options.reverse ? 'DESC' : ''} LIMIT $4`,
      [head.id, options.afterId ?? 0, Math.min(options.beforeId ?? MAX_ID, MAX_ID), pageLimit(options.limit)],
    );
    if (options.maxBytes !== undefined) found = await this.withinBytes(head.id, found, options.maxBytes);
    const chunks = await this.loadChunks(head.id, found);
    // Each payload is parsed once per read and shared by the events that refer to it.
    const memo = new Map<string, unknown>();
    const load = (hash: string): StoredChunk | undefined => chunks.get(hash);
    return found.map((r) => (r.refs === null || r.details === null ? eventOf(r) : eventOf(r, decodeDetails(r.details, r.refs, load, memo))));
  }

  async getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]> {
    return (await rows<TriggerRow>(this.pool(), `SELECT time, trigger FROM triggers WHERE execution_id = ${EXECUTION_ID} ORDER BY seq`, [executionArn])).map(triggerOf);
  }

  async runningExecutions(): Promise<readonly string[]> {
    return (await rows<{ arn: string }>(this.pool(), "SELECT arn FROM executions WHERE status = 'RUNNING'")).map((r) => r.arn);
  }

  countOpenExecutions(): Promise<number> {
    return this.count(this.pool(), 'SELECT coalesce(sum(value), 0)::int8 AS n FROM open_executions');
  }

  countChildExecutions(parentExecutionArn: string): Promise<number> {
    return this.count(this.pool(), 'SELECT count(*) AS n FROM executions WHERE parent_execution_arn = $1 AND map_run_arn IS NULL', [parentExecutionArn]);
  }

  purgeClosedExecutions(closedBefore: number, limit: number): Promise<number> {
    const n = Math.max(0, Math.floor(limit));
    if (n === 0) return Promise.resolve(0);
    return this.transaction('purge', async (c) => {
      // SKIP LOCKED: two nodes purging at once take different executions, and an execution a
      // writer holds (a redrive) is left for the next round. start_date <= stop_date, so the
      // bound on start_date lets the (status, start_date) index find the candidates.
      const candidates = await rows<{ id: number; last_event_id: number }>(
        c,
        `SELECT id, last_event_id FROM executions WHERE status IN ${CLOSED} AND start_date < $1 AND stop_date < $1
         LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [closedBefore, n],
      );
      const ids: number[] = [];
      let events = 0;
      for (const candidate of candidates) {
        if (ids.length > 0 && events + candidate.last_event_id > MAX_PURGED_EVENTS_PER_BATCH) break;
        events += candidate.last_event_id;
        ids.push(candidate.id);
      }
      // Their events, payloads, replay log, timers, tasks and Map Runs go by ON DELETE CASCADE.
      if (ids.length > 0) await run(c, 'DELETE FROM executions WHERE id = ANY($1::int8[])', [ids]);
      return ids.length;
    });
  }

  // ------------------------------------------------------------------ quarantine

  async markDecisionInProgress(executionArn: string): Promise<void> {
    await run(this.pool(), 'INSERT INTO decisions_in_progress (execution_arn, restarts, node) VALUES ($1, 0, $2) ON CONFLICT (execution_arn) DO NOTHING', [executionArn, this.cluster.nodeId ?? null]);
  }

  async clearDecisionInProgress(executionArn: string): Promise<void> {
    await run(this.pool(), 'DELETE FROM decisions_in_progress WHERE execution_arn = $1', [executionArn]);
  }

  async countInterruptedDecisions(executionArns?: readonly string[]): Promise<ReadonlyArray<{ readonly executionArn: string; readonly restarts: number }>> {
    // Counted marks become this node's: should it stop during the decision too, the next node counts again.
    const marked = await rows<{ execution_arn: string; restarts: number }>(
      this.pool(),
      `UPDATE decisions_in_progress SET restarts = restarts + 1, node = $1 ${executionArns ? 'WHERE execution_arn = ANY($2::text[])' : ''} RETURNING execution_arn, restarts`,
      executionArns ? [this.cluster.nodeId ?? null, [...executionArns]] : [this.cluster.nodeId ?? null],
    );
    return marked.map((r) => ({ executionArn: r.execution_arn, restarts: r.restarts }));
  }

  // ------------------------------------------------------------------ map runs

  async getMapRun(arn: string): Promise<MapRunRecord | undefined> {
    const r = await row<MapRunRow>(this.pool(), `SELECT ${MAP_RUN_COLUMNS} FROM map_runs m JOIN executions e ON e.id = m.execution_id WHERE m.arn = $1`, [arn]);
    return r && mapRunOf(r);
  }

  listMapRuns(executionArn: string, page: PageRequest): Promise<Page<MapRunRecord>> {
    return this.pageBySeq(
      `map-runs\n${executionArn}`,
      page,
      (after, n) =>
        rows<MapRunRow>(
          this.pool(),
          `SELECT ${MAP_RUN_COLUMNS} FROM map_runs m JOIN executions e ON e.id = m.execution_id
           WHERE m.execution_id = ${EXECUTION_ID} AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
          [executionArn, after, n],
        ),
      mapRunOf,
    );
  }

  // ------------------------------------------------------------------ timers and tasks

  // A node of a cluster fires the timers of the executions it owns only (each timer once).
  async dueTimers(now: number, limit: number): Promise<readonly TimerRecord[]> {
    const owner = this.cluster.nodeId;
    const due = await rows<TimerRow>(
      this.pool(),
      `SELECT e.arn AS execution_arn, t.timer_id, t.due_at FROM timers t JOIN executions e ON e.id = t.execution_id
       WHERE t.due_at <= $1 ${owner !== undefined ? "AND e.owner = $3 AND e.status = 'RUNNING'" : ''} ORDER BY t.due_at LIMIT $2`,
      owner !== undefined ? [now, pageLimit(limit), owner] : [now, pageLimit(limit)],
    );
    return due.map(timerOf);
  }

  async nextTimerDue(): Promise<number | undefined> {
    const owner = this.cluster.nodeId;
    if (owner === undefined) return (await row<{ due: number | null }>(this.pool(), 'SELECT min(due_at) AS due FROM timers'))?.due ?? undefined;
    // Walks the timers in due order until one of this node's: quick while the nodes share the work.
    const next = await row<{ due: number }>(
      this.pool(),
      "SELECT t.due_at AS due FROM timers t JOIN executions e ON e.id = t.execution_id WHERE e.owner = $1 AND e.status = 'RUNNING' ORDER BY t.due_at LIMIT 1",
      [owner],
    );
    return next?.due;
  }

  async timersOf(executionArn: string): Promise<readonly TimerRecord[]> {
    // COLLATE "C": timer ids in code-point order, as SQLite and the memory store order them.
    const timers = await rows<TimerRow>(
      this.pool(),
      `SELECT e.arn AS execution_arn, t.timer_id, t.due_at FROM timers t JOIN executions e ON e.id = t.execution_id
       WHERE t.execution_id = ${EXECUTION_ID} ORDER BY t.due_at, t.timer_id COLLATE "C"`,
      [executionArn],
    );
    return timers.map(timerOf);
  }

  async getTask(token: string): Promise<TaskRecord | undefined> {
    const r = await row<TaskRow>(this.pool(), `SELECT ${TASK_COLUMNS} FROM tasks t JOIN executions e ON e.id = t.execution_id WHERE t.token = $1`, [token]);
    return r && taskOf(r);
  }

  async tasksOf(executionArn: string): Promise<readonly TaskRecord[]> {
    const found = await rows<TaskRow>(
      this.pool(),
      `SELECT ${TASK_COLUMNS} FROM tasks t JOIN executions e ON e.id = t.execution_id WHERE t.execution_id = ${EXECUTION_ID} ORDER BY t.seq`,
      [executionArn],
    );
    return found.map(taskOf);
  }

  async claimActivityTask(activityArn: string, workerName: string | undefined, now: number): Promise<TaskRecord | undefined> {
    // One statement: the oldest SCHEDULED task nobody else is claiming right now (SKIP LOCKED:
    // concurrent claimants take the next one instead of waiting), marked STARTED. The worker
    // hears of it only once that is committed.
    const claimed = await this.lanes.run(`claim\n${activityArn}`, () => row<TaskRow>(
      this.pool(),
      `UPDATE tasks t SET status = 'STARTED', worker_name = $2, started_at = $3
       FROM (SELECT seq FROM tasks WHERE activity_arn = $1 AND status = 'SCHEDULED' ORDER BY created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED) AS oldest,
         executions e
       WHERE t.seq = oldest.seq AND e.id = t.execution_id
       RETURNING ${TASK_COLUMNS}`,
      [activityArn, workerName ?? null, now],
    ));
    return claimed && taskOf(claimed);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cluster.close();
    await this.db.close();
  }

  // ------------------------------------------------------------------ internals

  /** The pool, once the store is known to be open (pg's own error after end() says nothing of it). */
  private pool(): Queryable {
    this.checkOpen();
    return this.db.pool;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('The PostgreSQL store is closed');
  }

  /** One transaction, in `lane`'s order among this process's writes (lanes.ts). */
  private transaction<T>(lane: string, work: (client: Client) => Promise<T>): Promise<T> {
    return this.lanes.run(lane, async () => {
      this.checkOpen();
      return this.db.transaction(work);
    });
  }

  private async count(on: Queryable, sql: string, values: readonly unknown[] = []): Promise<number> {
    return (await row<{ n: number }>(on, sql, values))!.n;
  }

  /** The machine's row, locked until the transaction ends: control-plane writes of it go one at a time. */
  private lockMachine(c: Client, arn: string): Promise<StateMachineRow | undefined> {
    return row<StateMachineRow>(c, 'SELECT * FROM state_machines WHERE arn = $1 FOR UPDATE', [arn]);
  }

  private async aliasNow(on: Queryable, arn: string): Promise<AliasRecord | undefined> {
    const r = await row<AliasRow>(on, 'SELECT * FROM aliases WHERE arn = $1', [arn]);
    return r && aliasOf(r);
  }

  private async missingVersion(c: Client, routing: AliasRecord['routingConfiguration'], machineArn: string): Promise<string | undefined> {
    const arns = routing.map((r) => r.stateMachineVersionArn);
    const found = await rows<VersionRow>(c, 'SELECT * FROM state_machine_versions WHERE arn = ANY($1::text[])', [arns]);
    const versions = new Map(found.map((r) => [r.arn, versionOf(r)]));
    return missingRoutedVersion(routing, machineArn, (arn) => versions.get(arn));
  }

  private async upsertTags(c: Client, arn: string, tags: readonly Tag[]): Promise<void> {
    // One statement; a key given twice keeps its last value (as consecutive upserts would).
    const last = new Map(tags.map((t) => [t.key, t.value]));
    if (last.size === 0) return;
    await run(
      c,
      `INSERT INTO tags (resource_arn, key, value) SELECT $1, u.key, u.value FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u (key, value, n)
       ORDER BY u.n ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value`,
      [arn, [...last.keys()], [...last.values()]],
    );
  }

  /**
   * Publishes inside the running transaction (see Store.publishVersion): the machine's row is
   * locked, its counter read and moved in the same transaction as the version is inserted, and
   * a version row is inserted once, never replaced.
   */
  private async publishNow(c: Client, stateMachineArn: string, request: PublishRequest): Promise<PublishResult> {
    const machine = await this.lockMachine(c, stateMachineArn);
    if (!machine) return { outcome: 'no-machine' };
    if (request.revisionId !== undefined && request.revisionId !== machine.revision_id) return { outcome: 'stale-revision', currentRevisionId: machine.revision_id };
    const existing = await row<VersionRow>(
      c,
      'SELECT * FROM state_machine_versions WHERE state_machine_arn = $1 AND revision_id = $2 ORDER BY version LIMIT 1',
      [stateMachineArn, machine.revision_id],
    );
    if (existing) return { outcome: 'existing', version: versionOf(existing) };
    const version = newVersion(stateMachineOf(machine), machine.next_version, request.description, request.createdAt);
    // A plain INSERT: a version is immutable, and a number taken twice fails loudly.
    await run(
      c,
      `INSERT INTO state_machine_versions (arn, state_machine_arn, version, definition, role_arn, type, description,
         created_at, revision_id, logging_configuration, tracing_configuration) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      versionParams(version),
    );
    await run(c, 'UPDATE state_machines SET next_version = next_version + 1 WHERE arn = $1', [stateMachineArn]);
    return { outcome: 'published', version };
  }

  private async executionOf(r: ExecutionRow): Promise<ExecutionRecord> {
    return (await this.executionsOf([r]))[0]!;
  }

  /** Records of the rows, their definitions read once per hash (and remembered). */
  private async executionsOf(found: readonly ExecutionRow[]): Promise<ExecutionRecord[]> {
    const bodies = new Map<string, string>();
    const missing: string[] = [];
    for (const hash of new Set(found.map((r) => r.definition_hash))) {
      const known = this.definitions.get(hash);
      if (known === undefined) missing.push(hash);
      else bodies.set(hash, known);
    }
    if (missing.length > 0) {
      const loaded = await rows<{ hash: string; body: string }>(this.pool(), 'SELECT hash, body FROM definitions WHERE hash = ANY($1::text[])', [missing]);
      if (this.definitions.size + loaded.length > 256) this.definitions.clear();
      for (const d of loaded) {
        bodies.set(d.hash, d.body);
        this.definitions.set(d.hash, d.body);
      }
    }
    return found.map((r) => executionOf(r, bodies.get(r.definition_hash)!));
  }

  /** The first rows whose details, payloads included, fit in `maxBytes` characters (at least one). */
  private async withinBytes(executionId: number, found: EventRow[], maxBytes: number): Promise<EventRow[]> {
    const refsOf = found.map((r) => (r.refs === null ? [] : (JSON.parse(r.refs) as [unknown, string][]).map(([, hash]) => hash)));
    const hashes = [...new Set(refsOf.flat())];
    const sizes = new Map<string, number>();
    if (hashes.length > 0) {
      const sized = await rows<{ hash: string; size: number }>(
        this.pool(),
        'SELECT hash, size FROM payloads WHERE execution_id = $1 AND hash = ANY($2::text[])',
        [executionId, hashes],
      );
      for (const s of sized) sizes.set(s.hash, s.size);
    }
    let total = 0;
    for (let i = 0; i < found.length; i++) {
      let size = found[i]!.details?.length ?? 0;
      for (const hash of refsOf[i]!) size += (sizes.get(hash) ?? 0) - 1; // the chunk replaces its placeholder
      if (i > 0 && total + size > maxBytes) return found.slice(0, i);
      total += size;
    }
    return found;
  }

  /** The chunks the rows refer to, and the chunks those refer to, a level per query. */
  private async loadChunks(executionId: number, found: readonly EventRow[]): Promise<Map<string, StoredChunk>> {
    const chunks = new Map<string, StoredChunk>();
    const hashesOf = (refs: string | null): string[] => (refs === null ? [] : (JSON.parse(refs) as [unknown, string][]).map(([, hash]) => hash));
    let wanted = [...new Set(found.flatMap((r) => (r.details === null ? [] : hashesOf(r.refs))))];
    while (wanted.length > 0) {
      const loaded = await rows<{ hash: string; body: string; refs: string | null }>(
        this.pool(),
        'SELECT hash, body, refs FROM payloads WHERE execution_id = $1 AND hash = ANY($2::text[])',
        [executionId, wanted],
      );
      for (const c of loaded) chunks.set(c.hash, { body: c.body, refs: c.refs });
      wanted = [...new Set(loaded.flatMap((c) => hashesOf(c.refs)))].filter((h) => !chunks.has(h));
    }
    return chunks;
  }

  private async pageBySeq<R extends { seq: number }, T>(
    scope: string,
    page: PageRequest,
    rowsAfter: (seq: number, n: number) => Promise<R[]>,
    out: (row: R) => T,
  ): Promise<Page<T>> {
    const after = page.nextToken === undefined ? 0 : integerKey(decodePageToken(page.nextToken, scope, ['number']))[0]!;
    const n = pageLimit(page.limit);
    return pageOf(await rowsAfter(after, n + 1), n, (last) => encodePageToken(scope, [last.seq]), out);
  }
}
