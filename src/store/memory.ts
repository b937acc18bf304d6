/**
 * The Store in process memory: the same semantics as the SQLite store (ordering, pagination,
 * conflicts, exactly-once claims), nothing durable. Used by tests and `--db :memory:`.
 *
 * Records are copied on the way in and out of the row maps, so a caller cannot change stored
 * state by mutating an object it passed or got back. History events are kept by reference: the
 * interpreter never mutates an event after recording it.
 */
import type { HistoryEvent } from '../engine/events.js';
import { decodePageToken, encodePageToken, executionScope, pageLimit, type PageKey } from './page-token.js';
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
} from './types.js';
import { applyUpdate, checkEventSequence, checkMapRuns, conflict } from './write-checks.js';

/** A row with its insertion number: listings page by it, as SQLite pages by rowid. */
interface Seq<T> {
  seq: number;
  record: T;
}

interface ExecutionState {
  seq: number;
  record: ExecutionRecord;
  events: HistoryEvent[];
  triggers: LoggedTrigger[];
  timers: Map<string, TimerRecord>;
  tasks: Set<string>;
  /** ARNs of the execution's Map Runs, in start order. */
  mapRuns: string[];
}

export class MemoryStore implements Store {
  private seq = 0;
  private closed = false;
  private readonly stateMachines = new Map<string, Seq<StateMachineRecord>>();
  private readonly versions = new Map<string, StateMachineVersionRecord>();
  private readonly aliases = new Map<string, Seq<AliasRecord>>();
  private readonly activities = new Map<string, Seq<ActivityRecord>>();
  private readonly tags = new Map<string, Map<string, string>>();
  private readonly executions = new Map<string, ExecutionState>();
  private readonly tasks = new Map<string, Seq<TaskRecord>>();
  /** Every pending timer, so the timer loop does not walk finished executions. */
  private readonly timers = new Set<TimerRecord>();
  /** Tokens of SCHEDULED activity tasks by activity ARN, so a claim does not walk all tasks. */
  private readonly scheduled = new Map<string, Set<string>>();
  private readonly mapRuns = new Map<string, Seq<MapRunRecord>>();

  // ------------------------------------------------------------------ state machines and friends

  async createStateMachine(record: StateMachineRecord): Promise<boolean> {
    this.open();
    if (this.stateMachines.has(record.arn)) return false;
    this.stateMachines.set(record.arn, { seq: ++this.seq, record: { ...record } });
    return true;
  }

  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    return copy(this.stateMachines.get(arn)?.record);
  }

  async putStateMachine(record: StateMachineRecord): Promise<void> {
    this.open();
    const row = this.stateMachines.get(record.arn);
    if (row) row.record = { ...record };
    else this.stateMachines.set(record.arn, { seq: ++this.seq, record: { ...record } });
  }

  async deleteStateMachine(arn: string): Promise<void> {
    this.open();
    this.stateMachines.delete(arn);
    this.tags.delete(arn);
    for (const [versionArn, version] of this.versions) {
      if (version.stateMachineArn === arn) {
        this.versions.delete(versionArn);
        this.tags.delete(versionArn);
      }
    }
    for (const [aliasArn, alias] of this.aliases) {
      if (alias.record.stateMachineArn === arn) {
        this.aliases.delete(aliasArn);
        this.tags.delete(aliasArn);
      }
    }
  }

  async listStateMachines(page: PageRequest): Promise<Page<StateMachineRecord>> {
    return pageBySeq('state-machines', this.stateMachines.values(), page);
  }

  async putVersion(record: StateMachineVersionRecord): Promise<void> {
    this.open();
    this.versions.set(record.arn, { ...record });
  }

  async getVersion(arn: string): Promise<StateMachineVersionRecord | undefined> {
    return copy(this.versions.get(arn));
  }

  async deleteVersion(arn: string): Promise<void> {
    this.open();
    this.versions.delete(arn);
    this.tags.delete(arn);
  }

  async listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>> {
    const scope = `versions\n${stateMachineArn}`;
    const after = page.nextToken === undefined ? Infinity : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const all = [...this.versions.values()]
      .filter((v) => v.stateMachineArn === stateMachineArn && v.version < after)
      .sort((a, b) => b.version - a.version);
    return takePage(all, page.limit, (v) => encodePageToken(scope, [v.version]), copyRecord);
  }

  async putAlias(record: AliasRecord): Promise<void> {
    this.open();
    const row = this.aliases.get(record.arn);
    const stored = { ...record, routingConfiguration: record.routingConfiguration.map((r) => ({ ...r })) };
    if (row) row.record = stored;
    else this.aliases.set(record.arn, { seq: ++this.seq, record: stored });
  }

  async getAlias(arn: string): Promise<AliasRecord | undefined> {
    const alias = this.aliases.get(arn)?.record;
    return alias && { ...alias, routingConfiguration: alias.routingConfiguration.map((r) => ({ ...r })) };
  }

  async deleteAlias(arn: string): Promise<void> {
    this.open();
    this.aliases.delete(arn);
    this.tags.delete(arn);
  }

  async listAliases(stateMachineArn: string, page: PageRequest): Promise<Page<AliasRecord>> {
    const rows = [...this.aliases.values()].filter((a) => a.record.stateMachineArn === stateMachineArn);
    const result = pageBySeq(`aliases\n${stateMachineArn}`, rows, page);
    return { ...result, items: result.items.map((a) => ({ ...a, routingConfiguration: a.routingConfiguration.map((r) => ({ ...r })) })) };
  }

  async createActivity(record: ActivityRecord): Promise<boolean> {
    this.open();
    if (this.activities.has(record.arn)) return false;
    this.activities.set(record.arn, { seq: ++this.seq, record: { ...record } });
    return true;
  }

  async getActivity(arn: string): Promise<ActivityRecord | undefined> {
    return copy(this.activities.get(arn)?.record);
  }

  async deleteActivity(arn: string): Promise<void> {
    this.open();
    this.activities.delete(arn);
    this.tags.delete(arn);
  }

  async listActivities(page: PageRequest): Promise<Page<ActivityRecord>> {
    return pageBySeq('activities', this.activities.values(), page);
  }

  async tagResource(arn: string, tags: readonly Tag[]): Promise<void> {
    this.open();
    let map = this.tags.get(arn);
    if (!map) this.tags.set(arn, (map = new Map()));
    // Map.set on an existing key keeps its position: an overwritten tag stays where it was.
    for (const tag of tags) map.set(tag.key, tag.value);
  }

  async untagResource(arn: string, keys: readonly string[]): Promise<void> {
    this.open();
    const map = this.tags.get(arn);
    if (!map) return;
    for (const key of keys) map.delete(key);
    if (map.size === 0) this.tags.delete(arn);
  }

  async listTags(arn: string): Promise<readonly Tag[]> {
    return [...(this.tags.get(arn) ?? [])].map(([key, value]) => ({ key, value }));
  }

  // ------------------------------------------------------------------ executions

  async createExecution(record: ExecutionRecord, first: ExecutionWrite): Promise<boolean> {
    this.open();
    if (this.executions.has(record.arn)) return false;
    // Validate before inserting so a bad first write leaves nothing behind, as a rolled-back
    // transaction would.
    checkEventSequence(record.arn, first.expectedLastEventId, first.events);
    checkMapRuns({ ...first, executionArn: record.arn });
    const state: ExecutionState = {
      seq: ++this.seq,
      record: { ...record, lastEventId: first.expectedLastEventId },
      events: [],
      triggers: [],
      timers: new Map(),
      tasks: new Set(),
      mapRuns: [],
    };
    this.executions.set(record.arn, state);
    this.apply(state, first);
    return true;
  }

  async getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    return copy(this.executions.get(arn)?.record);
  }

  async listExecutions(filter: ExecutionFilter, page: PageRequest): Promise<Page<ExecutionRecord>> {
    const scope = executionScope(filter);
    let cursor: PageKey | undefined;
    if (page.nextToken !== undefined) cursor = decodePageToken(page.nextToken, scope, ['number', 'number']);
    const matches: ExecutionState[] = [];
    for (const state of this.executions.values()) {
      const r = state.record;
      if (filter.stateMachineArn !== undefined && r.stateMachineArn !== filter.stateMachineArn) continue;
      if (filter.versionArn !== undefined && r.stateMachineVersionArn !== filter.versionArn) continue;
      if (filter.aliasArn !== undefined && r.stateMachineAliasArn !== filter.aliasArn) continue;
      if (filter.status !== undefined && r.status !== filter.status) continue;
      if (cursor && !before(r.startDate, state.seq, cursor[0] as number, cursor[1] as number)) continue;
      matches.push(state);
    }
    matches.sort((a, b) => b.record.startDate - a.record.startDate || b.seq - a.seq);
    return takePage(matches, page.limit, (s) => encodePageToken(scope, [s.record.startDate, s.seq]), (s) => ({ ...s.record }));
  }

  async appendExecution(write: ExecutionWrite): Promise<void> {
    this.open();
    const state = this.executions.get(write.executionArn);
    if (!state || state.record.lastEventId !== write.expectedLastEventId) {
      throw conflict(write.executionArn, write.expectedLastEventId, state?.record.lastEventId);
    }
    checkEventSequence(write.executionArn, write.expectedLastEventId, write.events);
    checkMapRuns(write);
    this.apply(state, write);
  }

  async getEvents(
    executionArn: string,
    options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean },
  ): Promise<readonly HistoryEvent[]> {
    const events = this.executions.get(executionArn)?.events ?? [];
    const limit = pageLimit(options.limit);
    // Ids are dense from 1, so an id is its index + 1.
    const low = Math.max(0, options.afterId ?? 0);
    const high = Math.min(events.length + 1, options.beforeId ?? Infinity);
    if (high - low <= 1) return [];
    if (options.reverse) return events.slice(Math.max(low, high - 1 - limit), high - 1).reverse();
    return events.slice(low, Math.min(high - 1, low + limit));
  }

  async getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]> {
    return [...(this.executions.get(executionArn)?.triggers ?? [])];
  }

  async runningExecutions(): Promise<readonly string[]> {
    const arns: string[] = [];
    for (const state of this.executions.values()) if (state.record.status === 'RUNNING') arns.push(state.record.arn);
    return arns;
  }

  // ------------------------------------------------------------------ map runs

  async getMapRun(arn: string): Promise<MapRunRecord | undefined> {
    const row = this.mapRuns.get(arn);
    return row && copyMapRun(row.record);
  }

  async listMapRuns(executionArn: string, page: PageRequest): Promise<Page<MapRunRecord>> {
    const arns = this.executions.get(executionArn)?.mapRuns ?? [];
    const result = pageBySeq(`map-runs\n${executionArn}`, arns.map((arn) => this.mapRuns.get(arn)!), page);
    return { ...result, items: result.items.map(copyMapRun) };
  }

  // ------------------------------------------------------------------ timers and tasks

  async dueTimers(now: number, limit: number): Promise<readonly TimerRecord[]> {
    const due: TimerRecord[] = [];
    for (const t of this.timers) if (t.dueAt <= now) due.push(t);
    return due.sort((a, b) => a.dueAt - b.dueAt).slice(0, pageLimit(limit)).map((t) => ({ ...t }));
  }

  async nextTimerDue(): Promise<number | undefined> {
    let next: number | undefined;
    for (const t of this.timers) if (next === undefined || t.dueAt < next) next = t.dueAt;
    return next;
  }

  async timersOf(executionArn: string): Promise<readonly TimerRecord[]> {
    const timers = [...(this.executions.get(executionArn)?.timers.values() ?? [])];
    return timers.sort((a, b) => a.dueAt - b.dueAt || (a.timerId < b.timerId ? -1 : a.timerId > b.timerId ? 1 : 0)).map((t) => ({ ...t }));
  }

  async getTask(token: string): Promise<TaskRecord | undefined> {
    return copy(this.tasks.get(token)?.record);
  }

  async tasksOf(executionArn: string): Promise<readonly TaskRecord[]> {
    const state = this.executions.get(executionArn);
    if (!state) return [];
    const rows = [...state.tasks].map((token) => this.tasks.get(token)!);
    return rows.sort((a, b) => a.seq - b.seq).map((row) => ({ ...row.record }));
  }

  async claimActivityTask(activityArn: string, workerName: string | undefined, now: number): Promise<TaskRecord | undefined> {
    this.open();
    let oldest: Seq<TaskRecord> | undefined;
    for (const token of this.scheduled.get(activityArn) ?? []) {
      const row = this.tasks.get(token)!;
      const t = row.record;
      if (!oldest || t.createdAt < oldest.record.createdAt || (t.createdAt === oldest.record.createdAt && row.seq < oldest.seq)) oldest = row;
    }
    if (!oldest) return undefined;
    this.unschedule(oldest.record);
    const { workerName: _previous, ...rest } = oldest.record;
    oldest.record = { ...rest, status: 'STARTED', startedAt: now, ...(workerName !== undefined ? { workerName } : {}) };
    return { ...oldest.record };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ------------------------------------------------------------------ internals

  private open(): void {
    if (this.closed) throw new Error('The store is closed');
  }

  /** Applies a checked write; nothing here can fail half-way. */
  private apply(state: ExecutionState, write: ExecutionWrite): void {
    const lastEventId = write.events.length ? write.events[write.events.length - 1]!.id : state.record.lastEventId;
    for (const event of write.events) state.events.push(event);
    if (write.trigger) state.triggers.push(write.trigger);
    state.record = applyUpdate({ ...state.record, lastEventId }, write.update);
    for (const timerId of write.timersRemoved ?? []) this.removeTimer(state, timerId);
    for (const timer of write.timersAdded ?? []) {
      // A re-added timer takes its new place in due order.
      this.removeTimer(state, timer.timerId);
      const record = { executionArn: state.record.arn, timerId: timer.timerId, dueAt: timer.dueAt };
      state.timers.set(timer.timerId, record);
      this.timers.add(record);
    }
    for (const task of write.tasksAdded ?? []) {
      const row = this.tasks.get(task.token);
      const record = { ...task, executionArn: state.record.arn };
      if (row) {
        this.executions.get(row.record.executionArn)?.tasks.delete(task.token);
        this.unschedule(row.record);
        row.record = record;
      } else {
        this.tasks.set(task.token, { seq: ++this.seq, record });
      }
      state.tasks.add(task.token);
      if (record.status === 'SCHEDULED' && record.activityArn !== undefined) {
        let tokens = this.scheduled.get(record.activityArn);
        if (!tokens) this.scheduled.set(record.activityArn, (tokens = new Set()));
        tokens.add(record.token);
      }
    }
    for (const token of write.tasksClosed ?? []) {
      const row = this.tasks.get(token);
      if (!row) continue;
      this.unschedule(row.record);
      row.record = { ...row.record, status: 'CLOSED' };
    }
    for (const run of write.mapRuns ?? []) {
      const row = this.mapRuns.get(run.arn);
      // An update keeps the run's place in its execution's listing.
      if (row && row.record.executionArn === run.executionArn) row.record = copyMapRun(run);
      else {
        if (row) {
          const previous = this.executions.get(row.record.executionArn);
          if (previous) previous.mapRuns = previous.mapRuns.filter((arn) => arn !== run.arn);
        }
        this.mapRuns.set(run.arn, { seq: ++this.seq, record: copyMapRun(run) });
        state.mapRuns.push(run.arn);
      }
    }
  }

  private removeTimer(state: ExecutionState, timerId: string): void {
    const timer = state.timers.get(timerId);
    if (!timer) return;
    state.timers.delete(timerId);
    this.timers.delete(timer);
  }

  private unschedule(task: TaskRecord): void {
    if (task.activityArn === undefined) return;
    const tokens = this.scheduled.get(task.activityArn);
    if (tokens?.delete(task.token) && tokens.size === 0) this.scheduled.delete(task.activityArn);
  }
}

/** True when (startDate, seq) sorts after the cursor in newest-first order. */
function before(startDate: number, seq: number, cursorStart: number, cursorSeq: number): boolean {
  return startDate < cursorStart || (startDate === cursorStart && seq < cursorSeq);
}

function pageBySeq<T>(scope: string, rows: Iterable<Seq<T>>, page: PageRequest): Page<T> {
  const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
  const matches = [...rows].filter((row) => row.seq > after).sort((a, b) => a.seq - b.seq);
  return takePage(matches, page.limit, (row) => encodePageToken(scope, [row.seq]), (row) => ({ ...row.record }));
}

function takePage<R, T>(rows: readonly R[], limit: number, tokenOf: (last: R) => string, out: (row: R) => T): Page<T> {
  const n = pageLimit(limit);
  const items = rows.slice(0, n).map(out);
  return rows.length > n ? { items, nextToken: tokenOf(rows[n - 1]!) } : { items };
}

function copyMapRun(record: MapRunRecord): MapRunRecord {
  return { ...record, itemCounts: { ...record.itemCounts }, executionCounts: { ...record.executionCounts } };
}

function copy<T extends object>(record: T | undefined): T | undefined {
  return record && { ...record };
}

function copyRecord<T extends object>(record: T): T {
  return { ...record };
}
