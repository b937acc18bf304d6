/**
 * Schedules in process memory, with the SQLite store's semantics. Each write runs without an
 * await between its checks and its change, which in one process is as atomic as a transaction.
 * Records are copied in and out (structuredClone: targets hold nested objects).
 */
import { decodePageToken, encodePageToken, pageLimit } from './page-token.js';
import {
  DEFAULT_SCHEDULE_GROUP,
  matchesScheduleFilter,
  mergeTags,
  scheduleScope,
  type CreateScheduleResult,
  type ScheduleAdvance,
  type ScheduleFilter,
  type ScheduleGroupRecord,
  type ScheduleRecord,
  type ScheduleStore,
} from './schedules.js';
import type { Page, PageRequest, Tag, TagResult } from './types.js';

interface Row<T> {
  readonly seq: number;
  record: T;
}

export class MemoryScheduleStore implements ScheduleStore {
  private seq = 0;
  private readonly groups = new Map<string, Row<ScheduleGroupRecord>>();
  /** By `<group>/<name>`. */
  private readonly schedules = new Map<string, Row<ScheduleRecord>>();

  constructor(private readonly assertOpen: () => void = () => {}) {}

  async createGroup(record: ScheduleGroupRecord, options: { readonly maxGroups?: number } = {}): Promise<'created' | 'exists' | 'limit-exceeded'> {
    this.assertOpen();
    if (this.groups.has(record.name)) return 'exists';
    if (options.maxGroups !== undefined && this.groups.size >= options.maxGroups) return 'limit-exceeded';
    this.groups.set(record.name, { seq: ++this.seq, record: structuredClone(record) });
    return 'created';
  }

  async getGroup(name: string): Promise<ScheduleGroupRecord | undefined> {
    return clone(this.groups.get(name)?.record);
  }

  async deleteGroup(name: string): Promise<'deleted' | 'no-group' | 'default-group'> {
    this.assertOpen();
    if (name === DEFAULT_SCHEDULE_GROUP) return 'default-group';
    if (!this.groups.delete(name)) return 'no-group';
    for (const [key, row] of this.schedules) if (row.record.groupName === name) this.schedules.delete(key);
    return 'deleted';
  }

  async listGroups(filter: { readonly namePrefix?: string }, page: PageRequest): Promise<Page<ScheduleGroupRecord>> {
    const prefix = filter.namePrefix;
    const rows = [...this.groups.values()].filter((r) => prefix === undefined || r.record.name.startsWith(prefix));
    return pageOf(`schedule-groups\n${prefix ?? ''}`, rows, page);
  }

  async tagGroup(arn: string, tags: readonly Tag[], options: { readonly maxTags?: number } = {}): Promise<TagResult> {
    this.assertOpen();
    const row = this.groupByArn(arn);
    if (!row) return 'no-resource';
    const merged = mergeTags(row.record.tags, tags);
    if (options.maxTags !== undefined && merged.length > options.maxTags) return 'too-many-tags';
    row.record = { ...row.record, tags: merged };
    return 'tagged';
  }

  async untagGroup(arn: string, keys: readonly string[]): Promise<'untagged' | 'no-resource'> {
    this.assertOpen();
    const row = this.groupByArn(arn);
    if (!row) return 'no-resource';
    row.record = { ...row.record, tags: row.record.tags.filter((t) => !keys.includes(t.key)) };
    return 'untagged';
  }

  async createSchedule(record: ScheduleRecord, options: { readonly maxSchedules?: number } = {}): Promise<CreateScheduleResult> {
    this.assertOpen();
    if (!this.groups.has(record.groupName)) return { outcome: 'no-group' };
    const existing = this.schedules.get(keyOf(record.groupName, record.name));
    if (existing) return { outcome: 'exists', existing: structuredClone(existing.record) };
    if (options.maxSchedules !== undefined && this.schedules.size >= options.maxSchedules) return { outcome: 'limit-exceeded' };
    this.schedules.set(keyOf(record.groupName, record.name), { seq: ++this.seq, record: structuredClone(record) });
    return { outcome: 'created' };
  }

  async getSchedule(groupName: string, name: string): Promise<ScheduleRecord | undefined> {
    return clone(this.schedules.get(keyOf(groupName, name))?.record);
  }

  async updateSchedule(record: ScheduleRecord): Promise<'updated' | 'no-schedule'> {
    this.assertOpen();
    const row = this.schedules.get(keyOf(record.groupName, record.name));
    if (!row) return 'no-schedule';
    const { clientToken, createdAt } = row.record;
    const { clientToken: _ignored, ...rest } = structuredClone(record);
    row.record = { ...rest, createdAt, ...(clientToken !== undefined ? { clientToken } : {}) };
    return 'updated';
  }

  async deleteSchedule(groupName: string, name: string): Promise<boolean> {
    this.assertOpen();
    return this.schedules.delete(keyOf(groupName, name));
  }

  async listSchedules(filter: ScheduleFilter, page: PageRequest): Promise<Page<ScheduleRecord>> {
    const rows = [...this.schedules.values()].filter((r) => matchesScheduleFilter(r.record, filter));
    return pageOf(scheduleScope(filter), rows, page);
  }

  async dueSchedules(now: number, limit: number): Promise<readonly ScheduleRecord[]> {
    return [...this.schedules.values()]
      .filter((r) => r.record.state === 'ENABLED' && r.record.nextFireAt !== undefined && r.record.nextFireAt <= now)
      .sort((a, b) => a.record.nextFireAt! - b.record.nextFireAt! || a.seq - b.seq)
      .slice(0, pageLimit(limit))
      .map((r) => structuredClone(r.record));
  }

  async nextFireAt(): Promise<number | undefined> {
    let earliest: number | undefined;
    for (const { record } of this.schedules.values()) {
      if (record.state === 'ENABLED' && record.nextFireAt !== undefined && (earliest === undefined || record.nextFireAt < earliest)) earliest = record.nextFireAt;
    }
    return earliest;
  }

  async advanceSchedule(arn: string, expectedDueAt: number, expectedAttempt: number, next: ScheduleAdvance): Promise<boolean> {
    this.assertOpen();
    const entry = [...this.schedules].find(([, row]) => row.record.arn === arn);
    if (!entry) return false;
    const [key, row] = entry;
    if (row.record.nextDueAt !== expectedDueAt || row.record.attempt !== expectedAttempt) return false;
    if ('delete' in next) {
      this.schedules.delete(key);
      return true;
    }
    const { nextDueAt: _due, nextFireAt: _fire, ...rest } = row.record;
    row.record = {
      ...rest,
      ...(next.nextDueAt !== undefined ? { nextDueAt: next.nextDueAt } : {}),
      ...(next.nextFireAt !== undefined ? { nextFireAt: next.nextFireAt } : {}),
      attempt: next.attempt,
    };
    return true;
  }

  private groupByArn(arn: string): Row<ScheduleGroupRecord> | undefined {
    for (const row of this.groups.values()) if (row.record.arn === arn) return row;
    return undefined;
  }
}

function keyOf(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}

function clone<T>(record: T | undefined): T | undefined {
  return record === undefined ? undefined : structuredClone(record);
}

function pageOf<T>(scope: string, rows: readonly Row<T>[], page: PageRequest): Page<T> {
  const after = page.nextToken === undefined ? 0 : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
  const matches = rows.filter((r) => r.seq > after).sort((a, b) => a.seq - b.seq);
  const n = pageLimit(page.limit);
  const items = matches.slice(0, n).map((r) => structuredClone(r.record));
  return matches.length > n ? { items, nextToken: encodePageToken(scope, [matches[n - 1]!.seq]) } : { items };
}
