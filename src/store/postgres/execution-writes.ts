/**
 * ExecutionWrite on PostgreSQL: each write is ONE statement (data-modifying CTEs), so a decision
 * costs one round trip and is atomic without BEGIN/COMMIT. The execution row is the head: its
 * INSERT (create) or its conditional UPDATE (append: `WHERE last_event_id = expected`) returns
 * the execution id, and every other part of the write inserts from it. When the head matches
 * nothing (the ARN exists; another writer moved the execution on) the whole write changes
 * nothing. Two processes appending with the same expectation: the second UPDATE waits for the
 * first's row lock, re-reads the committed row, no longer matches, and its write is refused.
 *
 * The parts of one statement see the same snapshot and may not touch a row twice, so a write is
 * first normalised: a timer removed and added again is just added (the upsert restarts it), a
 * task added and closed in one write is added closed, and duplicates keep their last value.
 *
 * The row values are prepared as SQLite prepares them (src/store/sqlite/execution-writes.ts:
 * dense event ids checked, payload chunks split off, JSON serialised up front).
 */
import { DefinitionHashes } from '../definition-hashes.js';
import type { Queryable } from './db.js';
import { Params, row, rows } from './sql.js';
import { StoreConflict, type ExecutionRecord, type ExecutionWrite } from '../types.js';
import { conflict } from '../write-checks.js';
import { prepareWrite, type PreparedWrite } from '../sqlite/execution-writes.js';
import type { Chunk } from '../sqlite/payloads.js';
import { EXECUTION_COLUMNS, executionParams } from '../sqlite/rows.js';

export { prepareWrite, type PreparedWrite };

/**
 * What a write of a node that joined a cluster (../cluster.ts) adds: the owner it sets (create)
 * or must find (append: fenced), the routed work it applies, and the channel it notifies.
 */
export interface ClusterWrite {
  readonly owner: string;
  readonly channel: string;
  readonly consumed: readonly number[];
}

/** SQLSTATE of stepwise_conflict() (schema-cluster.ts). */
export const CLUSTER_CONFLICT = 'SW001';

/** The columns ExecutionWrite.update may set, by field. */
const UPDATE_COLUMNS = {
  status: 'status', output: 'output', error: 'error', cause: 'cause', stopDate: 'stop_date', redriveCount: 'redrive_count', redriveDate: 'redrive_date',
} as const;

/** Columns of a row array (rows of equal length), as arrays for unnest. */
function columns(table: readonly (readonly unknown[])[], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const r of table) for (let i = 0; i < width; i++) out[i]!.push(r[i]);
  return out;
}

/** Every chunk of the write, children included, once. */
function allChunks(roots: readonly Chunk[]): Chunk[] {
  const seen = new Map<string, Chunk>();
  const visit = (chunk: Chunk): void => {
    if (seen.has(chunk.hash)) return;
    seen.set(chunk.hash, chunk);
    for (const child of chunk.children) visit(child);
  };
  for (const chunk of roots) visit(chunk);
  return [...seen.values()];
}

function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    byKey.delete(k); // the last one keeps the last place
    byKey.set(k, item);
  }
  return [...byKey.values()];
}

/** Tokens the write closes that it does not add (a task added closed is inserted so). */
function closedTokens(write: PreparedWrite): string[] {
  const added = new Set(write.tasksAdded.map((t) => t[0] as string));
  return [...new Set(write.tasksClosed)].filter((token) => !added.has(token));
}

export class ExecutionWriter {
  /** Definition hashes by text, and the hashes known to be stored (definitions are never deleted). */
  private readonly hashes = new DefinitionHashes();
  private readonly storedDefinitions = new Set<string>();

  hashOf(definition: string): string {
    return this.hashes.of(definition);
  }

  /** Inserts the execution as it stands after its first write; false when the ARN exists. */
  async create(db: Queryable, record: ExecutionRecord, first: PreparedWrite, cluster?: ClusterWrite): Promise<boolean> {
    const hash = this.hashOf(record.definition);
    const p = new Params();
    const parts: string[] = [];
    // A definition stored before is not sent again (they run to hundreds of KB).
    if (!this.storedDefinitions.has(hash)) {
      parts.push(`definition AS (INSERT INTO definitions (hash, body) VALUES (${p.add(hash)}, ${p.add(record.definition)}) ON CONFLICT (hash) DO NOTHING)`);
    }
    const values = executionParams(record, hash, first.lastEventId, first.trigger ? 1 : 0).map((v) => p.add(v));
    // A node owns the executions it starts (while it runs them).
    const owner = cluster && record.status === 'RUNNING' ? cluster.owner : null;
    parts.push(`head AS (INSERT INTO executions (${EXECUTION_COLUMNS}, owner) VALUES (${values.join(', ')}, ${p.add(owner)}) ON CONFLICT (arn) DO NOTHING RETURNING id, trigger_count)`);
    parts.push(...this.children(p, first, allChunks(first.payloads), undefined, cluster));
    const created = await rows<{ id: number }>(db, `WITH ${parts.join(',\n')} SELECT id${this.notifications(p, first, cluster)} FROM head`, p.values);
    if (this.storedDefinitions.size >= 1024) this.storedDefinitions.clear();
    this.storedDefinitions.add(hash);
    return created.length === 1;
  }

  /** Appends a decision; rejects with StoreConflict (changing nothing) on a stale expectation. */
  async append(db: Queryable, write: PreparedWrite, update: ExecutionWrite['update'], cluster?: ClusterWrite): Promise<void> {
    let chunks = allChunks(write.payloads);
    if (chunks.length > 0) {
      // Most decisions refer to payloads an earlier one stored: do not send those again. A
      // stored chunk stays until its execution goes (and then the write is refused anyway).
      const stored = await rows<{ hash: string }>(
        db,
        'SELECT hash FROM payloads WHERE execution_id = (SELECT id FROM executions WHERE arn = $1) AND hash = ANY($2::text[])',
        [write.executionArn, chunks.map((c) => c.hash)],
      );
      const known = new Set(stored.map((r) => r.hash));
      chunks = chunks.filter((c) => !known.has(c.hash));
    }
    const p = new Params();
    const set = [`last_event_id = ${p.add(write.lastEventId)}`];
    if (write.trigger) set.push('trigger_count = trigger_count + 1');
    for (const [field, column] of Object.entries(UPDATE_COLUMNS) as [keyof typeof UPDATE_COLUMNS, string][]) {
      if (!update || !Object.prototype.hasOwnProperty.call(update, field)) continue;
      const value = update[field];
      // Present with the value undefined clears the field; status and redriveCount cannot be cleared.
      if (value === undefined && (field === 'status' || field === 'redriveCount')) continue;
      set.push(`${column} = ${p.add(value ?? null)}`);
    }
    // Fenced: only the owner writes; an execution that ends is nobody's (a redrive claims it).
    let fence = '';
    if (cluster) {
      fence = ` AND owner = ${p.add(cluster.owner)}`;
      if (update?.status !== undefined && update.status !== 'RUNNING') set.push('owner = NULL');
    }
    const head = `head AS (UPDATE executions SET ${set.join(', ')} WHERE arn = ${p.add(write.executionArn)} AND last_event_id = ${p.add(write.expectedLastEventId)}${fence} RETURNING id, trigger_count)`;
    const sql = `WITH ${[head, ...this.children(p, write, chunks, write.timersRemoved, cluster)].join(',\n')} SELECT id${this.notifications(p, write, cluster)} FROM head`;
    try {
      if ((await rows(db, sql, p.values)).length === 1) return;
    } catch (e) {
      if ((e as { code?: string }).code === CLUSTER_CONFLICT) throw new StoreConflict((e as Error).message);
      throw e;
    }
    const current = await row<{ last_event_id: number; owner: string | null }>(db, 'SELECT last_event_id, owner FROM executions WHERE arn = $1', [write.executionArn]);
    if (cluster && current && current.last_event_id === write.expectedLastEventId && current.owner !== cluster.owner) {
      throw new StoreConflict(`Execution ${write.executionArn} is owned by another node`);
    }
    throw conflict(write.executionArn, write.expectedLastEventId, current?.last_event_id);
  }

  /** The CTEs that write the rest of the decision from `head` (id, trigger_count after the write). */
  /**
   * The final SELECT's extra columns: a notification when the write schedules activity tasks
   * (GetActivityTask polls on every node wake), sent with the commit, only if the head matched.
   */
  private notifications(p: Params, write: PreparedWrite, cluster: ClusterWrite | undefined): string {
    if (!cluster) return '';
    const activities = [...new Set(write.tasksAdded.filter((t) => t[2] !== null && t[4] === 'SCHEDULED').map((t) => t[2] as string))];
    // tasks_check (children) is a plain SELECT: PostgreSQL evaluates it only where referenced.
    const check = closedTokens(write).length > 0 ? ', (SELECT failed FROM tasks_check) AS checked' : '';
    return check + activities.map((arn, i) => `, pg_notify(${p.add(cluster.channel)}, ${p.add(`a:${arn}`)}) AS n${i}`).join('');
  }

  private children(p: Params, write: PreparedWrite, chunks: readonly Chunk[], timersRemoved: readonly string[] | undefined, cluster?: ClusterWrite): string[] {
    const parts: string[] = [];
    if (chunks.length > 0) {
      const [hashes, bodies, refs, sizes] = [chunks.map((c) => c.hash), chunks.map((c) => c.body), chunks.map((c) => c.refs), chunks.map((c) => c.size)];
      parts.push(`payload_rows AS (INSERT INTO payloads (execution_id, hash, body, refs, size)
        SELECT head.id, u.* FROM head, unnest(${p.add(hashes, 'text[]')}, ${p.add(bodies, 'text[]')}, ${p.add(refs, 'text[]')}, ${p.add(sizes, 'int8[]')}) AS u
        ON CONFLICT (execution_id, hash) DO NOTHING)`);
    }
    if (write.events.length > 0) {
      const c = columns(write.events, 7);
      const casts = ['int4[]', 'int4[]', 'text[]', 'int8[]', 'text[]', 'text[]', 'text[]'];
      parts.push(`event_rows AS (INSERT INTO events (execution_id, id, previous_event_id, type, timestamp, frame, details, refs)
        SELECT head.id, u.* FROM head, unnest(${c.map((col, i) => p.add(col, casts[i])).join(', ')}) AS u)`);
    }
    if (write.trigger) {
      parts.push(`trigger_row AS (INSERT INTO triggers (execution_id, seq, time, trigger)
        SELECT head.id, head.trigger_count, ${p.add(write.trigger.time, 'int8')}, ${p.add(write.trigger.json, 'text')} FROM head)`);
    }
    const timers = lastByKey(write.timersAdded, ([id]) => id);
    const added = new Set(timers.map(([id]) => id));
    const removed = (timersRemoved ?? []).filter((id) => !added.has(id));
    if (removed.length > 0) {
      parts.push(`timers_removed AS (DELETE FROM timers USING head WHERE timers.execution_id = head.id AND timers.timer_id = ANY(${p.add(removed, 'text[]')}))`);
    }
    if (timers.length > 0) {
      parts.push(`timers_added AS (INSERT INTO timers (execution_id, timer_id, due_at)
        SELECT head.id, u.* FROM head, unnest(${p.add(timers.map(([id]) => id), 'text[]')}, ${p.add(timers.map(([, due]) => due), 'int8[]')}) AS u
        ON CONFLICT (execution_id, timer_id) DO UPDATE SET due_at = excluded.due_at)`);
    }
    const closing = new Set(write.tasksClosed);
    const tasks = lastByKey(write.tasksAdded, (t) => t[0] as string).map((t) => (closing.has(t[0] as string) ? [...t.slice(0, 4), 'CLOSED', ...t.slice(5)] : t));
    const closed = closedTokens(write);
    if (tasks.length > 0) {
      const c = columns(tasks, 8);
      const casts = ['text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'int8[]', 'int8[]'];
      parts.push(`tasks_added AS (INSERT INTO tasks (execution_id, token, task_id, activity_arn, input, status, worker_name, created_at, started_at)
        SELECT head.id, u.* FROM head, unnest(${c.map((col, i) => p.add(col, casts[i])).join(', ')}) AS u
        ON CONFLICT (token) DO UPDATE SET execution_id = excluded.execution_id, task_id = excluded.task_id,
          activity_arn = excluded.activity_arn, input = excluded.input, status = excluded.status,
          worker_name = excluded.worker_name, created_at = excluded.created_at, started_at = excluded.started_at)`);
    }
    const consumed = cluster?.consumed ?? [];
    if (consumed.length > 0) {
      parts.push(`routed_done AS (DELETE FROM routed USING head WHERE routed.execution_id = head.id AND routed.id = ANY(${p.add(consumed, 'int8[]')}))`);
    }
    if (closed.length > 0 && cluster) {
      // A task another node accepted an answer for (ANSWERED) is closed only by the decision
      // that applies that answer. Any other decision closing it (a timeout, a cancel) was made
      // without the answer: the statement fails as a whole (stepwise_conflict), and the owner
      // applies the answer first. The UPDATE re-reads a row a concurrent answer just changed,
      // so the count sees it; tokens whose rows are gone (none should be) count on both sides.
      const tokens = p.add(closed, 'text[]');
      const answered = consumed.length > 0 ? `tasks.token IN (SELECT token FROM routed WHERE id = ANY(${p.add(consumed, 'int8[]')}) AND token IS NOT NULL)` : 'false';
      parts.push(`tasks_closed AS (UPDATE tasks SET status = 'CLOSED' FROM head WHERE tasks.token = ANY(${tokens}) AND (tasks.status <> 'ANSWERED' OR ${answered}) RETURNING 1)`);
      parts.push(`tasks_check AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM head) AND (SELECT count(*) FROM tasks_closed) < (SELECT count(*) FROM tasks WHERE token = ANY(${tokens}))
        THEN stepwise_conflict('A task of execution ' || ${p.add(write.executionArn)} || ' was answered on another node: its answer is applied first') END AS failed)`);
    } else if (closed.length > 0) {
      parts.push(`tasks_closed AS (UPDATE tasks SET status = 'CLOSED' FROM head WHERE tasks.token = ANY(${p.add(closed, 'text[]')}))`);
    }
    const runs = lastByKey(write.mapRuns, (r) => r[0] as string);
    if (runs.length > 0) {
      const c = columns(runs, 12);
      const casts = ['text[]', 'text[]', 'text[]', 'int8[]', 'int8[]', 'int4[]', 'float8[]', 'int4[]', 'text[]', 'text[]', 'int4[]', 'int8[]'];
      // An update keeps the row's seq: the run keeps its place in ListMapRuns.
      parts.push(`map_runs_written AS (INSERT INTO map_runs (execution_id, arn, state_machine_arn, status, start_date, stop_date, max_concurrency,
          tolerated_failure_percentage, tolerated_failure_count, item_counts, execution_counts, redrive_count, redrive_date)
        SELECT head.id, u.* FROM head, unnest(${c.map((col, i) => p.add(col, casts[i])).join(', ')}) AS u
        ON CONFLICT (arn) DO UPDATE SET execution_id = excluded.execution_id, state_machine_arn = excluded.state_machine_arn,
          status = excluded.status, start_date = excluded.start_date, stop_date = excluded.stop_date,
          max_concurrency = excluded.max_concurrency, tolerated_failure_percentage = excluded.tolerated_failure_percentage,
          tolerated_failure_count = excluded.tolerated_failure_count, item_counts = excluded.item_counts,
          execution_counts = excluded.execution_counts, redrive_count = excluded.redrive_count, redrive_date = excluded.redrive_date)`);
    }
    return parts;
  }
}
