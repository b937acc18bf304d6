/**
 * The Store in process memory: the same semantics as the SQLite store (ordering, pagination,
 * conflicts, exactly-once claims), nothing durable. Used by tests and `--db :memory:`.
 *
 * Records are copied on the way in and out of the row maps, so a caller cannot change stored
 * state by mutating an object it passed or got back. History events are kept by reference: the
 * interpreter never mutates an event after recording it, and a payload recorded in many events
 * (a loop passing its input on) is then held once, as the SQLite store keeps it (payloads.ts).
 */
import type { HistoryEvent } from '../engine/events.js';
import { jsonByteSize } from '../engine/payload-size.js';
import { decodePageToken, encodePageToken, executionScope, pageLimit, type PageKey } from './page-token.js';
import { aliasesRoutingTo, applyMachineChange, missingRoutedVersion, tagCountAfter, versionOf } from './control-plane.js';
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
} from './types.js';
import { MemoryDeadLetterStore } from './memory-dead-letters.js';
import { MemoryScheduleStore } from './memory-schedules.js';
import { MemoryEventBusStore } from './memory-event-bus.js';
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
  readonly deadLetters = new MemoryDeadLetterStore();
  readonly schedules = new MemoryScheduleStore(() => this.open());
  readonly eventBus = new MemoryEventBusStore();
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
  /** Executions whose status is RUNNING (countOpenExecutions). */
  private openExecutions = 0;
  /** ARNs of the executions each execution started (countChildExecutions). */
  private readonly children = new Map<string, Set<string>>();

  // ------------------------------------------------------------------ state machines and friends

  // Each write below runs without an await between its checks and its changes: in one process
  // that makes it as atomic as the SQLite store's transaction.

  async createStateMachine(record: StateMachineRecord, options: CreateStateMachineOptions = {}): Promise<CreateStateMachineResult> {
    this.open();
    if (this.stateMachines.has(record.arn)) return { outcome: 'exists' };
    if (options.maxStateMachines !== undefined && this.stateMachines.size >= options.maxStateMachines) return { outcome: 'limit-exceeded' };
    this.stateMachines.set(record.arn, { seq: ++this.seq, record: { ...record } });
    if (options.tags && options.tags.length > 0) this.writeTags(record.arn, options.tags);
    if (!options.publish) return { outcome: 'created' };
    const published = this.publish(record.arn, { createdAt: record.createdAt, ...options.publish });
    return published.outcome === 'published' ? { outcome: 'created', version: published.version } : { outcome: 'created' };
  }

  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    return copy(this.stateMachines.get(arn)?.record);
  }

  async updateStateMachine(arn: string, change: StateMachineChange, options: UpdateStateMachineOptions): Promise<UpdateStateMachineResult> {
    this.open();
    const row = this.stateMachines.get(arn);
    if (!row) return { outcome: 'no-machine' };
    row.record = applyMachineChange(row.record, change, options.newRevisionId, options.updatedAt);
    const machine = { ...row.record };
    if (!options.publish) return { outcome: 'updated', machine };
    const published = this.publish(arn, { createdAt: options.updatedAt, ...options.publish });
    return published.outcome === 'published' || published.outcome === 'existing'
      ? { outcome: 'updated', machine: { ...row.record }, version: published.version }
      : { outcome: 'updated', machine };
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

  async publishVersion(stateMachineArn: string, request: PublishRequest): Promise<PublishResult> {
    this.open();
    return this.publish(stateMachineArn, request);
  }

  async getVersion(arn: string): Promise<StateMachineVersionRecord | undefined> {
    return copy(this.versions.get(arn));
  }

  async deleteVersion(arn: string): Promise<DeleteVersionResult> {
    this.open();
    const version = this.versions.get(arn);
    if (!version) return { outcome: 'no-version' };
    const aliases = [...this.aliases.values()].filter((a) => a.record.stateMachineArn === version.stateMachineArn).sort((a, b) => a.seq - b.seq);
    const aliasNames = aliasesRoutingTo(aliases.map((a) => a.record), arn);
    if (aliasNames.length > 0) return { outcome: 'referenced', aliasNames };
    this.versions.delete(arn);
    this.tags.delete(arn);
    return { outcome: 'deleted' };
  }

  async listVersions(stateMachineArn: string, page: PageRequest): Promise<Page<StateMachineVersionRecord>> {
    const scope = `versions\n${stateMachineArn}`;
    const after = page.nextToken === undefined ? Infinity : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const all = [...this.versions.values()]
      .filter((v) => v.stateMachineArn === stateMachineArn && v.version < after)
      .sort((a, b) => b.version - a.version);
    return takePage(all, page.limit, (v) => encodePageToken(scope, [v.version]), copyRecord);
  }

  async createAlias(record: AliasRecord): Promise<AliasWriteResult> {
    this.open();
    const existing = this.aliases.get(record.arn);
    if (existing) return { outcome: 'exists', alias: copyAlias(existing.record) };
    const missing = missingRoutedVersion(record.routingConfiguration, record.stateMachineArn, (arn) => this.versions.get(arn));
    if (missing !== undefined) return { outcome: 'missing-version', versionArn: missing };
    this.aliases.set(record.arn, { seq: ++this.seq, record: copyAlias(record) });
    return { outcome: 'written', alias: copyAlias(record) };
  }

  async updateAlias(arn: string, change: AliasChange): Promise<AliasWriteResult> {
    this.open();
    const row = this.aliases.get(arn);
    if (!row) return { outcome: 'no-alias' };
    if (change.routingConfiguration) {
      const missing = missingRoutedVersion(change.routingConfiguration, row.record.stateMachineArn, (v) => this.versions.get(v));
      if (missing !== undefined) return { outcome: 'missing-version', versionArn: missing };
    }
    row.record = copyAlias({
      ...row.record,
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.routingConfiguration ? { routingConfiguration: change.routingConfiguration } : {}),
      updatedAt: change.updatedAt,
    });
    return { outcome: 'written', alias: copyAlias(row.record) };
  }

  async getAlias(arn: string): Promise<AliasRecord | undefined> {
    const alias = this.aliases.get(arn)?.record;
    return alias && copyAlias(alias);
  }

  async deleteAlias(arn: string): Promise<void> {
    this.open();
    this.aliases.delete(arn);
    this.tags.delete(arn);
  }

  async listAliases(stateMachineArn: string, page: PageRequest): Promise<Page<AliasRecord>> {
    const rows = [...this.aliases.values()].filter((a) => a.record.stateMachineArn === stateMachineArn);
    const result = pageBySeq(`aliases\n${stateMachineArn}`, rows, page);
    return { ...result, items: result.items.map(copyAlias) };
  }

  async createActivity(record: ActivityRecord, options: { readonly tags?: readonly Tag[]; readonly maxActivities?: number } = {}): Promise<CreateOutcome> {
    this.open();
    if (this.activities.has(record.arn)) return 'exists';
    if (options.maxActivities !== undefined && this.activities.size >= options.maxActivities) return 'limit-exceeded';
    this.activities.set(record.arn, { seq: ++this.seq, record: { ...record } });
    if (options.tags && options.tags.length > 0) this.writeTags(record.arn, options.tags);
    return 'created';
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

  async tagResource(arn: string, tags: readonly Tag[], options: { readonly maxTags?: number } = {}): Promise<TagResult> {
    this.open();
    if (!this.stateMachines.has(arn) && !this.activities.has(arn)) return 'no-resource';
    if (options.maxTags !== undefined && tagCountAfter(this.tags.get(arn)?.keys() ?? [], tags) > options.maxTags) return 'too-many-tags';
    this.writeTags(arn, tags);
    return 'tagged';
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
    if (record.status === 'RUNNING') this.openExecutions++;
    // A Map Run's children are not among the executions their parent started (quotas).
    if (record.parentExecutionArn !== undefined && record.mapRunArn === undefined) {
      let started = this.children.get(record.parentExecutionArn);
      if (!started) this.children.set(record.parentExecutionArn, (started = new Set()));
      started.add(record.arn);
    }
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
      if (filter.mapRunArn !== undefined && r.mapRunArn !== filter.mapRunArn) continue;
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
    options: { afterId?: number; beforeId?: number; limit: number; reverse?: boolean; maxBytes?: number },
  ): Promise<readonly HistoryEvent[]> {
    const events = this.executions.get(executionArn)?.events ?? [];
    const limit = pageLimit(options.limit);
    // Ids are dense from 1, so an id is its index + 1.
    const low = Math.max(0, options.afterId ?? 0);
    const high = Math.min(events.length + 1, options.beforeId ?? Infinity);
    if (high - low <= 1) return [];
    const page = options.reverse ? events.slice(Math.max(low, high - 1 - limit), high - 1).reverse() : events.slice(low, Math.min(high - 1, low + limit));
    return options.maxBytes === undefined ? page : withinBytes(page, options.maxBytes);
  }

  async getTriggers(executionArn: string): Promise<readonly LoggedTrigger[]> {
    return [...(this.executions.get(executionArn)?.triggers ?? [])];
  }

  async runningExecutions(): Promise<readonly string[]> {
    const arns: string[] = [];
    for (const state of this.executions.values()) if (state.record.status === 'RUNNING') arns.push(state.record.arn);
    return arns;
  }

  async countOpenExecutions(): Promise<number> {
    return this.openExecutions;
  }

  /** Quarantine marks: execution ARN -> restarts seen while marked. */
  private readonly decisionMarks = new Map<string, number>();

  async markDecisionInProgress(executionArn: string): Promise<void> {
    if (!this.decisionMarks.has(executionArn)) this.decisionMarks.set(executionArn, 0);
  }

  async clearDecisionInProgress(executionArn: string): Promise<void> {
    this.decisionMarks.delete(executionArn);
  }

  async countInterruptedDecisions(executionArns?: readonly string[]): Promise<ReadonlyArray<{ readonly executionArn: string; readonly restarts: number }>> {
    const marked: Array<{ executionArn: string; restarts: number }> = [];
    const only = executionArns && new Set(executionArns);
    for (const [executionArn, restarts] of this.decisionMarks) {
      if (only && !only.has(executionArn)) continue;
      this.decisionMarks.set(executionArn, restarts + 1);
      marked.push({ executionArn, restarts: restarts + 1 });
    }
    return marked;
  }

  async countChildExecutions(parentExecutionArn: string): Promise<number> {
    return this.children.get(parentExecutionArn)?.size ?? 0;
  }

  async purgeClosedExecutions(closedBefore: number, limit: number): Promise<number> {
    this.open();
    let purged = 0;
    for (const [arn, state] of this.executions) {
      if (purged >= limit) break;
      const r = state.record;
      if (!CLOSED.has(r.status) || r.stopDate === undefined || r.stopDate >= closedBefore) continue;
      for (const timer of state.timers.values()) this.timers.delete(timer);
      for (const token of state.tasks) {
        const row = this.tasks.get(token);
        if (row) this.unschedule(row.record);
        this.tasks.delete(token);
      }
      for (const run of state.mapRuns) this.mapRuns.delete(run);
      if (r.parentExecutionArn !== undefined) {
        const siblings = this.children.get(r.parentExecutionArn);
        if (siblings?.delete(arn) && siblings.size === 0) this.children.delete(r.parentExecutionArn);
      }
      this.children.delete(arn);
      this.executions.delete(arn);
      purged++;
    }
    return purged;
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
    const wasOpen = state.record.status === 'RUNNING';
    state.record = applyUpdate({ ...state.record, lastEventId }, write.update);
    const isOpen = state.record.status === 'RUNNING';
    if (wasOpen !== isOpen) this.openExecutions += isOpen ? 1 : -1;
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

  /**
   * Publishes the machine's current revision (see Store.publishVersion). Versions are stored
   * once and never replaced; the counter only goes up, so a deleted number is never reused.
   */
  private publish(stateMachineArn: string, request: PublishRequest): PublishResult {
    const row = this.stateMachines.get(stateMachineArn);
    if (!row) return { outcome: 'no-machine' };
    const machine = row.record;
    if (request.revisionId !== undefined && request.revisionId !== machine.revisionId) {
      return { outcome: 'stale-revision', currentRevisionId: machine.revisionId };
    }
    for (const version of this.versions.values()) {
      if (version.stateMachineArn === stateMachineArn && version.revisionId === machine.revisionId) return { outcome: 'existing', version: { ...version } };
    }
    const version = versionOf(machine, machine.nextVersion, request.description, request.createdAt);
    row.record = { ...machine, nextVersion: machine.nextVersion + 1 };
    this.versions.set(version.arn, version);
    return { outcome: 'published', version: { ...version } };
  }

  /** Map.set on an existing key keeps its position: an overwritten tag stays where it was. */
  private writeTags(arn: string, tags: readonly Tag[]): void {
    let map = this.tags.get(arn);
    if (!map) this.tags.set(arn, (map = new Map()));
    for (const tag of tags) map.set(tag.key, tag.value);
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

/**
 * The first events whose details fit in `maxBytes` (at least one). Sizes come from jsonByteSize,
 * which remembers each payload object's size: the events share their payloads, measured once.
 */
function withinBytes(events: readonly HistoryEvent[], maxBytes: number): readonly HistoryEvent[] {
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    const details = events[i]!.details;
    const size = details === undefined ? 0 : jsonByteSize(details);
    if (i > 0 && total + size > maxBytes) return events.slice(0, i);
    total += size;
  }
  return events;
}

/** The statuses of an execution that has ended for good (retention may delete it). */
const CLOSED: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

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

function copyAlias(alias: AliasRecord): AliasRecord {
  return { ...alias, routingConfiguration: alias.routingConfiguration.map((r) => ({ ...r })) };
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
