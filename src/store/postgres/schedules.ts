/**
 * Schedules on PostgreSQL (migration 2, schema-triggers.ts). As on SQLite, the columns a query
 * selects or orders by are columns and the rest of a schedule is one JSON text, read and written
 * whole. Several nodes share the database, so every check a write depends on holds a lock until
 * the write commits:
 * - createSchedule locks the one row of `schedule_quota_lock`, so creates take turns and the quota
 *   is counted with no create in flight; its group is held by the foreign key (a group deleted
 *   meanwhile answers 'no-group', its schedules go with it);
 * - createGroup, tagGroup and updateSchedule read the row they change FOR UPDATE (or rely on the
 *   unique name), so two writers never both read the same before;
 * - advanceSchedule is one conditional UPDATE (or DELETE): PostgreSQL re-checks its WHERE on the
 *   row as the first writer left it, so of two nodes firing one due time only one moves it on.
 */
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
import type { Client, PostgresDatabase } from './db.js';
import { int8, int8OrUndefined } from './int8.js';

interface GroupRow {
  seq: string;
  name: string;
  arn: string;
  created_at: string;
  updated_at: string;
  tags: string;
}

interface ScheduleRow {
  seq: string;
  arn: string;
  group_name: string;
  name: string;
  state: string;
  definition: string;
  created_at: string;
  updated_at: string;
  next_due_at: string | null;
  next_fire_at: string | null;
  attempt: number;
}

/** What the definition column holds: the record without its columns. */
type Definition = Omit<ScheduleRecord, 'arn' | 'groupName' | 'name' | 'state' | 'createdAt' | 'updatedAt' | 'nextDueAt' | 'nextFireAt' | 'attempt'>;

const FOREIGN_KEY_VIOLATION = '23503';

/** The partial index schedules_due serves both queries: their WHERE repeats its predicate word for word. */
const DUE = "state = 'ENABLED' AND next_fire_at IS NOT NULL";

export class PostgresScheduleStore implements ScheduleStore {
  constructor(private readonly db: PostgresDatabase) {}

  createGroup(record: ScheduleGroupRecord, options: { readonly maxGroups?: number } = {}): Promise<'created' | 'exists' | 'limit-exceeded'> {
    return this.db.transaction(async (client) => {
      if (options.maxGroups !== undefined) {
        // Groups are few and rarely made: a table lock lets the count stand until the insert commits.
        await client.query('LOCK TABLE schedule_groups IN SHARE ROW EXCLUSIVE MODE');
      }
      if ((await client.query('SELECT 1 FROM schedule_groups WHERE name = $1', [record.name])).rowCount) return 'exists';
      if (options.maxGroups !== undefined) {
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM schedule_groups');
        if (int8(rows[0]!.n) >= options.maxGroups) return 'limit-exceeded';
      }
      const inserted = await client.query(
        'INSERT INTO schedule_groups (name, arn, created_at, updated_at, tags) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [record.name, record.arn, record.createdAt, record.updatedAt, JSON.stringify(record.tags)],
      );
      return inserted.rowCount ? 'created' : 'exists';
    });
  }

  async getGroup(name: string): Promise<ScheduleGroupRecord | undefined> {
    const { rows } = await this.db.query<GroupRow>('SELECT * FROM schedule_groups WHERE name = $1', [name]);
    return rows[0] && groupOf(rows[0]);
  }

  async deleteGroup(name: string): Promise<'deleted' | 'no-group' | 'default-group'> {
    if (name === DEFAULT_SCHEDULE_GROUP) return 'default-group';
    // The foreign key deletes the group's schedules in the same statement.
    const result = await this.db.query('DELETE FROM schedule_groups WHERE name = $1', [name]);
    return result.rowCount ? 'deleted' : 'no-group';
  }

  async listGroups(filter: { readonly namePrefix?: string }, page: PageRequest): Promise<Page<ScheduleGroupRecord>> {
    const prefix = filter.namePrefix ?? '';
    const scope = `schedule-groups\n${prefix}`;
    const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const { rows } = await this.db.query<GroupRow>(
      'SELECT * FROM schedule_groups WHERE seq > $1 AND starts_with(name, $2) ORDER BY seq LIMIT $3',
      [after, prefix, n + 1],
    );
    return pageOf(rows, n, (last) => encodePageToken(scope, [int8(last.seq)]), groupOf);
  }

  tagGroup(arn: string, tags: readonly Tag[], options: { readonly maxTags?: number } = {}): Promise<TagResult> {
    const added = tags.map((t) => ({ key: t.key, value: t.value }));
    return this.db.transaction(async (client): Promise<TagResult> => {
      const row = await groupForUpdate(client, arn);
      if (!row) return 'no-resource';
      const merged = mergeTags(JSON.parse(row.tags) as Tag[], added);
      if (options.maxTags !== undefined && merged.length > options.maxTags) return 'too-many-tags';
      await client.query('UPDATE schedule_groups SET tags = $1 WHERE arn = $2', [JSON.stringify(merged), arn]);
      return 'tagged';
    });
  }

  untagGroup(arn: string, keys: readonly string[]): Promise<'untagged' | 'no-resource'> {
    const removed = new Set(keys);
    return this.db.transaction(async (client) => {
      const row = await groupForUpdate(client, arn);
      if (!row) return 'no-resource';
      const kept = (JSON.parse(row.tags) as Tag[]).filter((t) => !removed.has(t.key));
      await client.query('UPDATE schedule_groups SET tags = $1 WHERE arn = $2', [JSON.stringify(kept), arn]);
      return 'untagged';
    });
  }

  async createSchedule(record: ScheduleRecord, options: { readonly maxSchedules?: number } = {}): Promise<CreateScheduleResult> {
    const params = scheduleParams(record);
    try {
      return await this.db.transaction(async (client): Promise<CreateScheduleResult> => {
        await client.query('SELECT 1 FROM schedule_quota_lock FOR UPDATE');
        if (!(await client.query('SELECT 1 FROM schedule_groups WHERE name = $1', [record.groupName])).rowCount) return { outcome: 'no-group' };
        const existing = await scheduleRow(client, record.groupName, record.name);
        if (existing) return { outcome: 'exists', existing: scheduleOf(existing) };
        if (options.maxSchedules !== undefined) {
          const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM schedules');
          if (int8(rows[0]!.n) >= options.maxSchedules) return { outcome: 'limit-exceeded' };
        }
        await client.query(
          `INSERT INTO schedules (arn, group_name, name, state, definition, created_at, updated_at, next_due_at, next_fire_at, attempt)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          params,
        );
        return { outcome: 'created' };
      });
    } catch (e) {
      // The group was deleted between the check and the insert's commit.
      if ((e as { code?: string }).code === FOREIGN_KEY_VIOLATION) return { outcome: 'no-group' };
      throw e;
    }
  }

  async getSchedule(groupName: string, name: string): Promise<ScheduleRecord | undefined> {
    const row = await scheduleRow(this.db, groupName, name);
    return row && scheduleOf(row);
  }

  updateSchedule(record: ScheduleRecord): Promise<'updated' | 'no-schedule'> {
    return this.db.transaction(async (client) => {
      const row = await scheduleRow(client, record.groupName, record.name, ' FOR UPDATE');
      if (!row) return 'no-schedule';
      // The creation date and the create's client token stay; everything else is the update's.
      const { clientToken } = scheduleOf(row);
      const { clientToken: _ignored, ...rest } = record;
      const params = scheduleParams({ ...rest, createdAt: int8(row.created_at), ...(clientToken !== undefined ? { clientToken } : {}) });
      await client.query(
        `UPDATE schedules SET arn = $1, state = $4, definition = $5, created_at = $6, updated_at = $7, next_due_at = $8, next_fire_at = $9, attempt = $10
         WHERE group_name = $2 AND name = $3`,
        params,
      );
      return 'updated';
    });
  }

  async deleteSchedule(groupName: string, name: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM schedules WHERE group_name = $1 AND name = $2', [groupName, name]);
    return (result.rowCount ?? 0) > 0;
  }

  async listSchedules(filter: ScheduleFilter, page: PageRequest): Promise<Page<ScheduleRecord>> {
    const scope = scheduleScope(filter);
    const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const params: unknown[] = [after];
    const where = ['seq > $1'];
    if (filter.groupName !== undefined) where.push(`group_name = $${params.push(filter.groupName)}`);
    if (filter.namePrefix !== undefined) where.push(`starts_with(name, $${params.push(filter.namePrefix)})`);
    if (filter.state !== undefined) where.push(`state = $${params.push(filter.state)}`);
    const n = pageLimit(page.limit);
    const { rows } = await this.db.query<ScheduleRow>(
      `SELECT * FROM schedules WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.push(n + 1)}`,
      params,
    );
    return pageOf(rows, n, (last) => encodePageToken(scope, [int8(last.seq)]), scheduleOf);
  }

  async dueSchedules(now: number, limit: number): Promise<readonly ScheduleRecord[]> {
    // No lock: every node may read a due schedule; advanceSchedule's compare-and-set picks the one that fires it.
    const { rows } = await this.db.query<ScheduleRow>(
      `SELECT * FROM schedules WHERE ${DUE} AND next_fire_at <= $1 ORDER BY next_fire_at, seq LIMIT $2`,
      [now, pageLimit(limit)],
    );
    return rows.map(scheduleOf);
  }

  async nextFireAt(): Promise<number | undefined> {
    const { rows } = await this.db.query<{ at: string | null }>(`SELECT min(next_fire_at) AS at FROM schedules WHERE ${DUE}`);
    return int8OrUndefined(rows[0]?.at ?? null);
  }

  async advanceSchedule(arn: string, expectedDueAt: number, expectedAttempt: number, next: ScheduleAdvance): Promise<boolean> {
    const result =
      'delete' in next
        ? await this.db.query('DELETE FROM schedules WHERE arn = $1 AND next_due_at = $2 AND attempt = $3', [arn, expectedDueAt, expectedAttempt])
        : await this.db.query(
            'UPDATE schedules SET next_due_at = $4, next_fire_at = $5, attempt = $6 WHERE arn = $1 AND next_due_at = $2 AND attempt = $3',
            [arn, expectedDueAt, expectedAttempt, next.nextDueAt ?? null, next.nextFireAt ?? null, next.attempt],
          );
    return (result.rowCount ?? 0) > 0;
  }
}

async function groupForUpdate(client: Client, arn: string): Promise<GroupRow | undefined> {
  return (await client.query<GroupRow>('SELECT * FROM schedule_groups WHERE arn = $1 FOR UPDATE', [arn])).rows[0];
}

async function scheduleRow(db: Pick<PostgresDatabase, 'query'>, groupName: string, name: string, lock = ''): Promise<ScheduleRow | undefined> {
  const { rows } = await db.query<ScheduleRow>(`SELECT * FROM schedules WHERE group_name = $1 AND name = $2${lock}`, [groupName, name]);
  return rows[0];
}

function groupOf(row: GroupRow): ScheduleGroupRecord {
  return { name: row.name, arn: row.arn, createdAt: int8(row.created_at), updatedAt: int8(row.updated_at), tags: JSON.parse(row.tags) as Tag[] };
}

function scheduleOf(row: ScheduleRow): ScheduleRecord {
  const nextDueAt = int8OrUndefined(row.next_due_at);
  const nextFireAt = int8OrUndefined(row.next_fire_at);
  return {
    ...(JSON.parse(row.definition) as Definition),
    arn: row.arn,
    groupName: row.group_name,
    name: row.name,
    state: row.state as ScheduleRecord['state'],
    createdAt: int8(row.created_at),
    updatedAt: int8(row.updated_at),
    ...(nextDueAt !== undefined ? { nextDueAt } : {}),
    ...(nextFireAt !== undefined ? { nextFireAt } : {}),
    attempt: row.attempt,
  };
}

/** The INSERT's ten parameters, in column order. */
function scheduleParams(record: ScheduleRecord): unknown[] {
  const { arn, groupName, name, state, createdAt, updatedAt, nextDueAt, nextFireAt, attempt, ...definition } = record;
  return [arn, groupName, name, state, JSON.stringify(definition), createdAt, updatedAt, nextDueAt ?? null, nextFireAt ?? null, attempt];
}
