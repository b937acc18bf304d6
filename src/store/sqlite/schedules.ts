/**
 * Schedules on SQLite (migration 10, migrations.ts). The columns a query selects or orders by are columns
 * (group, name, state, firing state); the rest of a schedule's definition is one JSON column, read
 * and written whole. Every write goes through the store's group commit, its checks inside the
 * batch transaction; advanceSchedule is a single conditional UPDATE (or DELETE), so of two nodes
 * sharing the file only one moves a firing on.
 */
import type Database from 'better-sqlite3';
import { decodePageToken, encodePageToken, pageLimit, pageOf } from '../page-token.js';
import {
  DEFAULT_SCHEDULE_GROUP,
  mergeTags,
  scheduleScope,
  type CreateScheduleResult,
  type ScheduleAdvance,
  type ScheduleFilter,
  type ScheduleGroupRecord,
  type ScheduleRecord,
  type ScheduleStore,
} from '../schedules.js';
import type { Page, PageRequest, Tag, TagResult } from '../types.js';
import type { GroupCommit } from './group-commit.js';

interface GroupRow {
  seq: number;
  name: string;
  arn: string;
  created_at: number;
  updated_at: number;
  tags: string;
}

interface ScheduleRow {
  seq: number;
  arn: string;
  group_name: string;
  name: string;
  state: string;
  definition: string;
  created_at: number;
  updated_at: number;
  next_due_at: number | null;
  next_fire_at: number | null;
  attempt: number;
}

/** What the definition column holds: the record without its columns. */
type Definition = Omit<ScheduleRecord, 'arn' | 'groupName' | 'name' | 'state' | 'createdAt' | 'updatedAt' | 'nextDueAt' | 'nextFireAt' | 'attempt'>;

export class SqliteScheduleStore implements ScheduleStore {
  private readonly q: ReturnType<typeof statements>;
  private readonly listQueries = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.q = statements(db);
  }

  createGroup(record: ScheduleGroupRecord, options: { readonly maxGroups?: number } = {}): Promise<'created' | 'exists' | 'limit-exceeded'> {
    return this.commits.submit(() => {
      if (this.q.getGroup.get(record.name)) return 'exists';
      if (options.maxGroups !== undefined && (this.q.countGroups.get() as number) >= options.maxGroups) return 'limit-exceeded';
      this.q.insertGroup.run(record.name, record.arn, record.createdAt, record.updatedAt, JSON.stringify(record.tags));
      return 'created';
    });
  }

  async getGroup(name: string): Promise<ScheduleGroupRecord | undefined> {
    const row = this.q.getGroup.get(name) as GroupRow | undefined;
    return row && groupOf(row);
  }

  deleteGroup(name: string): Promise<'deleted' | 'no-group' | 'default-group'> {
    if (name === DEFAULT_SCHEDULE_GROUP) return Promise.resolve('default-group');
    return this.commits.submit(() => {
      if (this.q.deleteGroup.run(name).changes === 0) return 'no-group';
      this.q.deleteSchedulesOf.run(name);
      return 'deleted';
    });
  }

  async listGroups(filter: { readonly namePrefix?: string }, page: PageRequest): Promise<Page<ScheduleGroupRecord>> {
    const prefix = filter.namePrefix ?? '';
    const scope = `schedule-groups\n${prefix}`;
    const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const rows = this.q.listGroups.all(after, prefix.length, prefix, n + 1) as GroupRow[];
    return pageOf(rows, n, (last) => encodePageToken(scope, [last.seq]), groupOf);
  }

  tagGroup(arn: string, tags: readonly Tag[], options: { readonly maxTags?: number } = {}): Promise<TagResult> {
    const added = tags.map((t) => ({ key: t.key, value: t.value }));
    return this.commits.submit((): TagResult => {
      const row = this.q.groupByArn.get(arn) as GroupRow | undefined;
      if (!row) return 'no-resource';
      const merged = mergeTags(JSON.parse(row.tags) as Tag[], added);
      if (options.maxTags !== undefined && merged.length > options.maxTags) return 'too-many-tags';
      this.q.setGroupTags.run(JSON.stringify(merged), arn);
      return 'tagged';
    });
  }

  untagGroup(arn: string, keys: readonly string[]): Promise<'untagged' | 'no-resource'> {
    const removed = new Set(keys);
    return this.commits.submit(() => {
      const row = this.q.groupByArn.get(arn) as GroupRow | undefined;
      if (!row) return 'no-resource';
      this.q.setGroupTags.run(JSON.stringify((JSON.parse(row.tags) as Tag[]).filter((t) => !removed.has(t.key))), arn);
      return 'untagged';
    });
  }

  createSchedule(record: ScheduleRecord, options: { readonly maxSchedules?: number } = {}): Promise<CreateScheduleResult> {
    const params = scheduleParams(record);
    return this.commits.submit((): CreateScheduleResult => {
      if (!this.q.getGroup.get(record.groupName)) return { outcome: 'no-group' };
      const existing = this.q.getSchedule.get(record.groupName, record.name) as ScheduleRow | undefined;
      if (existing) return { outcome: 'exists', existing: scheduleOf(existing) };
      if (options.maxSchedules !== undefined && (this.q.countSchedules.get() as number) >= options.maxSchedules) return { outcome: 'limit-exceeded' };
      this.q.insertSchedule.run(params);
      return { outcome: 'created' };
    });
  }

  async getSchedule(groupName: string, name: string): Promise<ScheduleRecord | undefined> {
    const row = this.q.getSchedule.get(groupName, name) as ScheduleRow | undefined;
    return row && scheduleOf(row);
  }

  updateSchedule(record: ScheduleRecord): Promise<'updated' | 'no-schedule'> {
    return this.commits.submit(() => {
      const row = this.q.getSchedule.get(record.groupName, record.name) as ScheduleRow | undefined;
      if (!row) return 'no-schedule';
      const { clientToken } = scheduleOf(row);
      const { clientToken: _ignored, ...rest } = record;
      const params = scheduleParams({ ...rest, createdAt: row.created_at, ...(clientToken !== undefined ? { clientToken } : {}) });
      this.q.updateSchedule.run(params);
      return 'updated';
    });
  }

  deleteSchedule(groupName: string, name: string): Promise<boolean> {
    return this.commits.submit(() => this.q.deleteSchedule.run(groupName, name).changes > 0);
  }

  async listSchedules(filter: ScheduleFilter, page: PageRequest): Promise<Page<ScheduleRecord>> {
    const scope = scheduleScope(filter);
    const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const where = ['seq > ?'];
    const params: unknown[] = [after];
    if (filter.groupName !== undefined) (where.push('group_name = ?'), params.push(filter.groupName));
    if (filter.namePrefix !== undefined) (where.push('substr(name, 1, ?) = ?'), params.push(filter.namePrefix.length, filter.namePrefix));
    if (filter.state !== undefined) (where.push('state = ?'), params.push(filter.state));
    const sql = `SELECT * FROM schedules WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
    let statement = this.listQueries.get(sql);
    if (!statement) this.listQueries.set(sql, (statement = this.db.prepare(sql)));
    const n = pageLimit(page.limit);
    const rows = statement.all(...params, n + 1) as ScheduleRow[];
    return pageOf(rows, n, (last) => encodePageToken(scope, [last.seq]), scheduleOf);
  }

  async dueSchedules(now: number, limit: number): Promise<readonly ScheduleRecord[]> {
    return (this.q.due.all(now, pageLimit(limit)) as ScheduleRow[]).map(scheduleOf);
  }

  async nextFireAt(): Promise<number | undefined> {
    return (this.q.nextFireAt.get() as number | null) ?? undefined;
  }

  advanceSchedule(arn: string, expectedDueAt: number, expectedAttempt: number, next: ScheduleAdvance): Promise<boolean> {
    return this.commits.submit(() => {
      const result =
        'delete' in next
          ? this.q.deleteIfAt.run(arn, expectedDueAt, expectedAttempt)
          : this.q.advance.run(next.nextDueAt ?? null, next.nextFireAt ?? null, next.attempt, arn, expectedDueAt, expectedAttempt);
      return result.changes > 0;
    });
  }
}

function groupOf(row: GroupRow): ScheduleGroupRecord {
  return { name: row.name, arn: row.arn, createdAt: row.created_at, updatedAt: row.updated_at, tags: JSON.parse(row.tags) as Tag[] };
}

function scheduleOf(row: ScheduleRow): ScheduleRecord {
  return {
    ...(JSON.parse(row.definition) as Definition),
    arn: row.arn,
    groupName: row.group_name,
    name: row.name,
    state: row.state as ScheduleRecord['state'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.next_due_at !== null ? { nextDueAt: row.next_due_at } : {}),
    ...(row.next_fire_at !== null ? { nextFireAt: row.next_fire_at } : {}),
    attempt: row.attempt,
  };
}

function scheduleParams(record: ScheduleRecord): Record<string, unknown> {
  const { arn, groupName, name, state, createdAt, updatedAt, nextDueAt, nextFireAt, attempt, ...definition } = record;
  return {
    arn, group_name: groupName, name, state, definition: JSON.stringify(definition), created_at: createdAt, updated_at: updatedAt,
    next_due_at: nextDueAt ?? null, next_fire_at: nextFireAt ?? null, attempt,
  };
}


function statements(db: Database.Database) {
  const p = (sql: string): Database.Statement => db.prepare(sql);
  return {
    insertGroup: p('INSERT INTO schedule_groups (name, arn, created_at, updated_at, tags) VALUES (?, ?, ?, ?, ?)'),
    getGroup: p('SELECT * FROM schedule_groups WHERE name = ?'),
    groupByArn: p('SELECT * FROM schedule_groups WHERE arn = ?'),
    countGroups: p('SELECT count(*) FROM schedule_groups').pluck(),
    deleteGroup: p('DELETE FROM schedule_groups WHERE name = ?'),
    listGroups: p('SELECT * FROM schedule_groups WHERE seq > ? AND substr(name, 1, ?) = ? ORDER BY seq LIMIT ?'),
    setGroupTags: p('UPDATE schedule_groups SET tags = ? WHERE arn = ?'),

    insertSchedule: p(
      `INSERT INTO schedules (arn, group_name, name, state, definition, created_at, updated_at, next_due_at, next_fire_at, attempt)
       VALUES (@arn, @group_name, @name, @state, @definition, @created_at, @updated_at, @next_due_at, @next_fire_at, @attempt)`,
    ),
    updateSchedule: p(
      `UPDATE schedules SET state = @state, definition = @definition, created_at = @created_at, updated_at = @updated_at,
         next_due_at = @next_due_at, next_fire_at = @next_fire_at, attempt = @attempt WHERE arn = @arn`,
    ),
    getSchedule: p('SELECT * FROM schedules WHERE group_name = ? AND name = ?'),
    countSchedules: p('SELECT count(*) FROM schedules').pluck(),
    deleteSchedule: p('DELETE FROM schedules WHERE group_name = ? AND name = ?'),
    deleteSchedulesOf: p('DELETE FROM schedules WHERE group_name = ?'),
    // Both use the partial index schedules_due: its WHERE is repeated word for word.
    due: p("SELECT * FROM schedules WHERE state = 'ENABLED' AND next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at, seq LIMIT ?"),
    nextFireAt: p("SELECT min(next_fire_at) FROM schedules WHERE state = 'ENABLED' AND next_fire_at IS NOT NULL").pluck(),
    advance: p('UPDATE schedules SET next_due_at = ?, next_fire_at = ?, attempt = ? WHERE arn = ? AND next_due_at = ? AND attempt = ?'),
    deleteIfAt: p('DELETE FROM schedules WHERE arn = ? AND next_due_at = ? AND attempt = ?'),
  };
}
