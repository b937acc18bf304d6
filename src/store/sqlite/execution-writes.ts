/**
 * The SQL side of ExecutionWrite: turns a write into row values up front (so a payload that
 * cannot be serialised fails its caller at once, not the batch), then applies it inside the
 * group-commit transaction, checking the expected event id there — the only place the check is
 * race-free.
 */
import { DefinitionHashes } from '../definition-hashes.js';
import type Database from 'better-sqlite3';
import type { ExecutionRecord, ExecutionWrite } from '../types.js';
import { checkEventSequence, checkMapRuns, conflict } from '../write-checks.js';
import { encodeDetails, type Chunk } from './payloads.js';
import { EXECUTION_COLUMNS, executionParams, mapRunParams, triggerJson } from './rows.js';

/** An ExecutionWrite with its JSON already serialised. */
export interface PreparedWrite {
  readonly executionArn: string;
  readonly expectedLastEventId: number;
  readonly lastEventId: number;
  readonly events: readonly (readonly unknown[])[];
  /** The large payloads the events refer to, each once (payloads.ts). */
  readonly payloads: readonly Chunk[];
  readonly trigger?: { readonly time: number; readonly json: string };
  /** [has status, status, has output, output, …] in UPDATABLE order (see UPDATE_EXECUTION). */
  readonly update?: readonly unknown[];
  readonly timersAdded: readonly (readonly [string, number])[];
  readonly timersRemoved: readonly string[];
  readonly tasksAdded: readonly (readonly unknown[])[];
  readonly tasksClosed: readonly string[];
  readonly mapRuns: readonly (readonly unknown[])[];
}

export function prepareWrite(write: ExecutionWrite): PreparedWrite {
  const lastEventId = checkEventSequence(write.executionArn, write.expectedLastEventId, write.events);
  checkMapRuns(write);
  const payloads = new Map<string, Chunk>();
  const events = write.events.map((e) => {
    if (e.details === undefined) return [e.id, e.previousEventId, e.type, e.timestamp, e.frame, null, null];
    const details = encodeDetails(e.details);
    for (const chunk of details.chunks) payloads.set(chunk.hash, chunk);
    return [e.id, e.previousEventId, e.type, e.timestamp, e.frame, details.text, details.refs];
  });
  return {
    executionArn: write.executionArn,
    expectedLastEventId: write.expectedLastEventId,
    lastEventId,
    events,
    payloads: [...payloads.values()],
    ...(write.trigger ? { trigger: { time: write.trigger.time, json: triggerJson(write.trigger) } } : {}),
    ...(write.update ? { update: updateParams(write.update) } : {}),
    timersAdded: (write.timersAdded ?? []).map((t) => [t.timerId, t.dueAt] as const),
    timersRemoved: write.timersRemoved ?? [],
    tasksAdded: (write.tasksAdded ?? []).map((t) => [
      t.token, t.taskId, t.activityArn ?? null, t.input, t.status, t.workerName ?? null, t.createdAt, t.startedAt ?? null,
    ]),
    tasksClosed: write.tasksClosed ?? [],
    mapRuns: (write.mapRuns ?? []).map(mapRunParams),
  };
}

/**
 * (set?, value) pairs: an own property of the update sets its column, one present with the value
 * undefined clears it (status and redriveCount cannot be cleared).
 */
function updateParams(update: NonNullable<ExecutionWrite['update']>): unknown[] {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(update, k);
  const pair = (k: keyof typeof update, clearable: boolean): unknown[] => {
    const v = update[k];
    return has(k) && (v !== undefined || clearable) ? [1, v ?? null] : [0, null];
  };
  return [
    ...pair('status', false), ...pair('output', true), ...pair('error', true), ...pair('cause', true),
    ...pair('stopDate', true), ...pair('redriveCount', false), ...pair('redriveDate', true),
  ];
}

const NO_UPDATE = [0, null, 0, null, 0, null, 0, null, 0, null, 0, null, 0, null];

const UPDATE_EXECUTION = `UPDATE executions SET
  last_event_id = ?, trigger_count = ?,
  status = CASE WHEN ? THEN ? ELSE status END,
  output = CASE WHEN ? THEN ? ELSE output END,
  error = CASE WHEN ? THEN ? ELSE error END,
  cause = CASE WHEN ? THEN ? ELSE cause END,
  stop_date = CASE WHEN ? THEN ? ELSE stop_date END,
  redrive_count = CASE WHEN ? THEN ? ELSE redrive_count END,
  redrive_date = CASE WHEN ? THEN ? ELSE redrive_date END
  WHERE id = ?`;

interface Head {
  id: number;
  last_event_id: number;
  trigger_count: number;
}

export class ExecutionWriter {
  private readonly head: Database.Statement<[string], Head>;
  private readonly insertExecution: Database.Statement;
  private readonly insertDefinition: Database.Statement;
  private readonly update: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly hasPayload: Database.Statement<[number, string], unknown>;
  private readonly insertPayload: Database.Statement;
  private readonly insertTrigger: Database.Statement;
  private readonly deleteTimer: Database.Statement;
  private readonly upsertTimer: Database.Statement;
  private readonly upsertTask: Database.Statement;
  private readonly closeTask: Database.Statement;
  private readonly upsertMapRun: Database.Statement;
  /** Hashes of recently written definitions, by text: most executions reuse a few definitions. */
  private readonly hashes = new DefinitionHashes();

  constructor(db: Database.Database) {
    this.head = db.prepare('SELECT id, last_event_id, trigger_count FROM executions WHERE arn = ?');
    this.insertExecution = db.prepare(
      `INSERT INTO executions (${EXECUTION_COLUMNS}) VALUES (${EXECUTION_COLUMNS.split(',').map(() => '?').join(', ')}) ON CONFLICT (arn) DO NOTHING`,
    );
    this.insertDefinition = db.prepare('INSERT INTO definitions (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING');
    this.update = db.prepare(UPDATE_EXECUTION);
    this.insertEvent = db.prepare(
      'INSERT INTO events (execution_id, id, previous_event_id, type, timestamp, frame, details, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.hasPayload = db.prepare('SELECT 1 FROM payloads WHERE execution_id = ? AND hash = ?').pluck();
    this.insertPayload = db.prepare(
      'INSERT INTO payloads (execution_id, hash, body, refs, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT (execution_id, hash) DO NOTHING',
    );
    this.insertTrigger = db.prepare('INSERT INTO triggers (execution_id, seq, time, trigger) VALUES (?, ?, ?, ?)');
    this.deleteTimer = db.prepare('DELETE FROM timers WHERE execution_id = ? AND timer_id = ?');
    this.upsertTimer = db.prepare(
      'INSERT INTO timers (execution_id, timer_id, due_at) VALUES (?, ?, ?) ON CONFLICT (execution_id, timer_id) DO UPDATE SET due_at = excluded.due_at',
    );
    this.upsertTask = db.prepare(
      `INSERT INTO tasks (execution_id, token, task_id, activity_arn, input, status, worker_name, created_at, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (token) DO UPDATE SET execution_id = excluded.execution_id, task_id = excluded.task_id,
         activity_arn = excluded.activity_arn, input = excluded.input, status = excluded.status,
         worker_name = excluded.worker_name, created_at = excluded.created_at, started_at = excluded.started_at`,
    );
    this.closeTask = db.prepare("UPDATE tasks SET status = 'CLOSED' WHERE token = ?");
    // An update keeps the row's seq: the run keeps its place in ListMapRuns.
    this.upsertMapRun = db.prepare(
      `INSERT INTO map_runs (execution_id, arn, state_machine_arn, status, start_date, stop_date, max_concurrency,
         tolerated_failure_percentage, tolerated_failure_count, item_counts, execution_counts, redrive_count, redrive_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET execution_id = excluded.execution_id, state_machine_arn = excluded.state_machine_arn,
         status = excluded.status, start_date = excluded.start_date, stop_date = excluded.stop_date,
         max_concurrency = excluded.max_concurrency, tolerated_failure_percentage = excluded.tolerated_failure_percentage,
         tolerated_failure_count = excluded.tolerated_failure_count, item_counts = excluded.item_counts,
         execution_counts = excluded.execution_counts, redrive_count = excluded.redrive_count, redrive_date = excluded.redrive_date`,
    );
  }

  /** The sha256 of a definition, remembered for the texts seen lately. */
  hashOf(definition: string): string {
    return this.hashes.of(definition);
  }

  /** Inside a transaction: false when the ARN exists. */
  create(record: ExecutionRecord, definitionHash: string, first: PreparedWrite): boolean {
    // Not skipped for hashes seen before: the row may have gone with a rolled-back savepoint.
    this.insertDefinition.run(definitionHash, record.definition);
    // The row goes in as it stands after the first write (its update applied by the caller), so
    // the first write needs no UPDATE of it.
    const triggers = first.trigger ? 1 : 0;
    const info = this.insertExecution.run(executionParams(record, definitionHash, first.lastEventId, triggers));
    if (info.changes === 0) return false;
    this.apply(Number(info.lastInsertRowid), 0, first, false);
    return true;
  }

  /**
   * Inside a transaction: throws StoreConflict when the execution moved on — always before any
   * change, which is what lets group commit reject it without a savepoint (group-commit.ts).
   */
  append(write: PreparedWrite): void {
    const head = this.head.get(write.executionArn);
    if (!head || head.last_event_id !== write.expectedLastEventId) {
      throw conflict(write.executionArn, write.expectedLastEventId, head?.last_event_id);
    }
    this.apply(head.id, head.trigger_count, write, true);
  }

  private apply(id: number, triggerCount: number, write: PreparedWrite, updateRow: boolean): void {
    for (const chunk of write.payloads) this.storePayload(id, chunk);
    for (const e of write.events) this.insertEvent.run(id, ...e);
    if (write.trigger) this.insertTrigger.run(id, triggerCount + 1, write.trigger.time, write.trigger.json);
    if (updateRow) this.update.run(write.lastEventId, triggerCount + (write.trigger ? 1 : 0), ...(write.update ?? NO_UPDATE), id);
    for (const timerId of write.timersRemoved) this.deleteTimer.run(id, timerId);
    for (const [timerId, dueAt] of write.timersAdded) this.upsertTimer.run(id, timerId, dueAt);
    for (const task of write.tasksAdded) this.upsertTask.run(id, ...task);
    for (const token of write.tasksClosed) this.closeTask.run(token);
    for (const run of write.mapRuns) this.upsertMapRun.run(id, ...run);
  }

  /**
   * A chunk and the chunks it names, unless the execution has it: a stored chunk always came
   * with its children (same transaction). Looking first spares binding a large text that the
   * insert would ignore: most decisions refer to payloads stored by an earlier one.
   */
  private storePayload(id: number, chunk: Chunk): void {
    if (this.hasPayload.get(id, chunk.hash) !== undefined) return;
    this.insertPayload.run(id, chunk.hash, chunk.body, chunk.refs, chunk.size);
    for (const child of chunk.children) this.storePayload(id, child);
  }
}
