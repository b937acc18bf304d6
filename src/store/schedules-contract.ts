/**
 * The behaviour every ScheduleStore shares, as one vitest suite each backend registers with its
 * own factory (test/schedules/schedule-store.test.ts):
 *
 *   scheduleStoreContract('sqlite', () => openSqliteStore(tempFile()));
 *
 * Each test gets a fresh, empty store and closes it afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPageToken } from './errors.js';
import type { ScheduleGroupRecord, ScheduleRecord } from './schedules.js';
import type { Store } from './types.js';

const PREFIX = 'arn:aws:scheduler:us-east-1:123456789012:';

export function scheduleGroup(name: string, overrides: Partial<ScheduleGroupRecord> = {}): ScheduleGroupRecord {
  return { name, arn: `${PREFIX}schedule-group/${name}`, createdAt: 1_000, updatedAt: 1_000, tags: [], ...overrides };
}

export function schedule(group: string, name: string, overrides: Partial<ScheduleRecord> = {}): ScheduleRecord {
  return {
    arn: `${PREFIX}schedule/${group}/${name}`,
    groupName: group,
    name,
    expression: 'rate(5 minutes)',
    state: 'ENABLED',
    flexibleTimeWindow: { mode: 'OFF' },
    target: {
      arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      input: '{"a":1}',
      retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
    },
    actionAfterCompletion: 'NONE',
    createdAt: 1_000,
    updatedAt: 1_000,
    nextDueAt: 10_000,
    nextFireAt: 10_000,
    attempt: 0,
    ...overrides,
  };
}

export function scheduleStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`ScheduleStore contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.schedules.createGroup(scheduleGroup('default'));
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates, reads, updates and deletes a schedule, keeping nested records intact', async () => {
      const record = schedule('default', 's1', { timeZone: 'Europe/Paris', startDate: 5, endDate: 50_000, description: 'd', clientToken: 'tok' });
      expect(await store.schedules.createSchedule(record)).toEqual({ outcome: 'created' });
      expect(await store.schedules.getSchedule('default', 's1')).toEqual(record);
      expect(await store.schedules.getSchedule('other', 's1')).toBeUndefined();

      const changed = schedule('default', 's1', { expression: 'rate(1 hour)', state: 'DISABLED', createdAt: 9, updatedAt: 2_000, nextDueAt: undefined, nextFireAt: undefined });
      expect(await store.schedules.updateSchedule(changed)).toBe('updated');
      const read = await store.schedules.getSchedule('default', 's1');
      // The creation date and client token stay the create's; no firing state is left.
      expect(read).toMatchObject({ expression: 'rate(1 hour)', state: 'DISABLED', createdAt: 1_000, updatedAt: 2_000, clientToken: 'tok', attempt: 0 });
      expect(read!.nextDueAt).toBeUndefined();
      expect(read!.nextFireAt).toBeUndefined();
      expect(await store.schedules.updateSchedule(schedule('default', 'missing'))).toBe('no-schedule');

      expect(await store.schedules.deleteSchedule('default', 's1')).toBe(true);
      expect(await store.schedules.deleteSchedule('default', 's1')).toBe(false);
      expect(await store.schedules.getSchedule('default', 's1')).toBeUndefined();
    });

    it('refuses a schedule whose group does not exist or whose name is taken, and the quota', async () => {
      expect(await store.schedules.createSchedule(schedule('nope', 's'))).toEqual({ outcome: 'no-group' });
      await store.schedules.createSchedule(schedule('default', 's', { clientToken: 'a' }));
      const again = await store.schedules.createSchedule(schedule('default', 's', { expression: 'rate(2 hours)' }));
      expect(again.outcome).toBe('exists');
      expect(again.outcome === 'exists' && again.existing.clientToken).toBe('a');
      expect(await store.schedules.createSchedule(schedule('default', 't'), { maxSchedules: 1 })).toEqual({ outcome: 'limit-exceeded' });
      // The same name in another group is another schedule.
      await store.schedules.createGroup(scheduleGroup('g'));
      expect(await store.schedules.createSchedule(schedule('g', 's'))).toEqual({ outcome: 'created' });
    });

    it('answers only one of two racing creates of the same name with created', async () => {
      const results = await Promise.all([store.schedules.createSchedule(schedule('default', 'race')), store.schedules.createSchedule(schedule('default', 'race'))]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'exists']);
    });

    it('keeps groups: quota, default not deletable, deleting one deletes its schedules', async () => {
      expect(await store.schedules.createGroup(scheduleGroup('g', { tags: [{ key: 'k', value: 'v' }] }))).toBe('created');
      expect(await store.schedules.createGroup(scheduleGroup('g'))).toBe('exists');
      expect(await store.schedules.createGroup(scheduleGroup('h'), { maxGroups: 2 })).toBe('limit-exceeded');
      expect(await store.schedules.getGroup('g')).toEqual(scheduleGroup('g', { tags: [{ key: 'k', value: 'v' }] }));
      await store.schedules.createSchedule(schedule('g', 'a'));
      await store.schedules.createSchedule(schedule('default', 'a'));
      expect(await store.schedules.deleteGroup('default')).toBe('default-group');
      expect(await store.schedules.deleteGroup('g')).toBe('deleted');
      expect(await store.schedules.deleteGroup('g')).toBe('no-group');
      expect(await store.schedules.getSchedule('g', 'a')).toBeUndefined();
      expect(await store.schedules.getSchedule('default', 'a')).toBeDefined();
      // A group made again with that name starts empty.
      await store.schedules.createGroup(scheduleGroup('g'));
      expect((await store.schedules.listSchedules({ groupName: 'g' }, { limit: 10 })).items).toEqual([]);
    });

    it('tags a group all or none', async () => {
      const group = scheduleGroup('g');
      await store.schedules.createGroup(group);
      expect(await store.schedules.tagGroup(group.arn, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }])).toBe('tagged');
      expect(await store.schedules.tagGroup(group.arn, [{ key: 'a', value: '3' }, { key: 'c', value: '4' }], { maxTags: 2 })).toBe('too-many-tags');
      expect(await store.schedules.tagGroup(group.arn, [{ key: 'a', value: '3' }])).toBe('tagged');
      expect(await store.schedules.tagGroup(`${group.arn}x`, [{ key: 'a', value: '3' }])).toBe('no-resource');
      expect((await store.schedules.getGroup('g'))!.tags).toEqual([{ key: 'a', value: '3' }, { key: 'b', value: '2' }]);
      expect(await store.schedules.untagGroup(group.arn, ['a', 'zz'])).toBe('untagged');
      expect(await store.schedules.untagGroup(`${group.arn}x`, ['a'])).toBe('no-resource');
      expect((await store.schedules.getGroup('g'))!.tags).toEqual([{ key: 'b', value: '2' }]);
    });

    it('lists schedules in creation order, filtered by group, name prefix and state, page by page', async () => {
      await store.schedules.createGroup(scheduleGroup('g'));
      for (const [group, name, state] of [['default', 'ab1', 'ENABLED'], ['g', 'ab2', 'ENABLED'], ['default', 'x', 'DISABLED'], ['default', 'ab3', 'DISABLED']] as const) {
        await store.schedules.createSchedule(schedule(group, name, { state }));
      }
      const names = async (filter: Parameters<Store['schedules']['listSchedules']>[0]): Promise<string[]> => {
        const out: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = await store.schedules.listSchedules(filter, { limit: 1, ...(nextToken ? { nextToken } : {}) });
          out.push(...page.items.map((s) => s.name));
          nextToken = page.nextToken;
        } while (nextToken);
        return out;
      };
      expect(await names({})).toEqual(['ab1', 'ab2', 'x', 'ab3']);
      expect(await names({ groupName: 'default' })).toEqual(['ab1', 'x', 'ab3']);
      expect(await names({ namePrefix: 'ab' })).toEqual(['ab1', 'ab2', 'ab3']);
      expect(await names({ state: 'DISABLED', namePrefix: 'a' })).toEqual(['ab3']);
      const first = await store.schedules.listSchedules({ groupName: 'default' }, { limit: 1 });
      await expect(store.schedules.listSchedules({ groupName: 'g' }, { limit: 1, nextToken: first.nextToken! })).rejects.toBeInstanceOf(InvalidPageToken);
    });

    it('lists groups by name prefix, page by page', async () => {
      for (const name of ['team-a', 'team-b', 'other']) await store.schedules.createGroup(scheduleGroup(name));
      const first = await store.schedules.listGroups({ namePrefix: 'team' }, { limit: 1 });
      expect(first.items.map((g) => g.name)).toEqual(['team-a']);
      const second = await store.schedules.listGroups({ namePrefix: 'team' }, { limit: 1, nextToken: first.nextToken! });
      expect(second.items.map((g) => g.name)).toEqual(['team-b']);
      expect(second.nextToken).toBeUndefined();
      expect((await store.schedules.listGroups({}, { limit: 10 })).items.map((g) => g.name)).toEqual(['default', 'team-a', 'team-b', 'other']);
    });

    it('finds due schedules earliest first, ENABLED only, and the earliest fire time', async () => {
      await store.schedules.createSchedule(schedule('default', 'late', { nextDueAt: 300, nextFireAt: 300 }));
      await store.schedules.createSchedule(schedule('default', 'early', { nextDueAt: 100, nextFireAt: 150 }));
      await store.schedules.createSchedule(schedule('default', 'off', { state: 'DISABLED', nextDueAt: 50, nextFireAt: 50 }));
      await store.schedules.createSchedule(schedule('default', 'done', { nextDueAt: undefined, nextFireAt: undefined }));
      expect(await store.schedules.nextFireAt()).toBe(150);
      expect((await store.schedules.dueSchedules(1_000, 10)).map((s) => s.name)).toEqual(['early', 'late']);
      expect((await store.schedules.dueSchedules(1_000, 1)).map((s) => s.name)).toEqual(['early']);
      expect(await store.schedules.dueSchedules(149, 10)).toEqual([]);
    });

    it('advances a firing only from the state the caller saw (compare-and-set)', async () => {
      const record = schedule('default', 's', { nextDueAt: 100, nextFireAt: 100, attempt: 0 });
      await store.schedules.createSchedule(record);
      // Two nodes fire due time 100: one of them moves it on.
      const outcomes = await Promise.all([
        store.schedules.advanceSchedule(record.arn, 100, 0, { nextDueAt: 200, nextFireAt: 230, attempt: 0 }),
        store.schedules.advanceSchedule(record.arn, 100, 0, { nextDueAt: 200, nextFireAt: 260, attempt: 0 }),
      ]);
      expect(outcomes.sort()).toEqual([false, true]);
      expect(await store.schedules.getSchedule('default', 's')).toMatchObject({ nextDueAt: 200, attempt: 0 });
      expect(await store.schedules.advanceSchedule(record.arn, 200, 1, { nextDueAt: 200, nextFireAt: 300, attempt: 2 })).toBe(false);
      expect(await store.schedules.advanceSchedule(record.arn, 200, 0, { nextDueAt: 200, nextFireAt: 300, attempt: 1 })).toBe(true);
      expect(await store.schedules.getSchedule('default', 's')).toMatchObject({ nextDueAt: 200, nextFireAt: 300, attempt: 1 });
      // The last firing: nothing is left to fire.
      expect(await store.schedules.advanceSchedule(record.arn, 200, 1, { attempt: 0 })).toBe(true);
      const done = await store.schedules.getSchedule('default', 's');
      expect(done!.nextDueAt).toBeUndefined();
      expect(done!.nextFireAt).toBeUndefined();
      expect(await store.schedules.nextFireAt()).toBeUndefined();
      expect(await store.schedules.advanceSchedule('arn:none', 200, 0, { attempt: 0 })).toBe(false);
    });

    it('deletes a completed schedule only from the state the caller saw', async () => {
      const record = schedule('default', 'once', { nextDueAt: 100, nextFireAt: 100, actionAfterCompletion: 'DELETE' });
      await store.schedules.createSchedule(record);
      expect(await store.schedules.advanceSchedule(record.arn, 99, 0, { delete: true })).toBe(false);
      expect(await store.schedules.advanceSchedule(record.arn, 100, 0, { delete: true })).toBe(true);
      expect(await store.schedules.getSchedule('default', 'once')).toBeUndefined();
    });

    it('lets an update win over a firing that read the schedule before it', async () => {
      const record = schedule('default', 's', { nextDueAt: 100, nextFireAt: 100 });
      await store.schedules.createSchedule(record);
      await store.schedules.updateSchedule({ ...record, expression: 'rate(1 hour)', nextDueAt: 3_600_100, nextFireAt: 3_600_100 });
      expect(await store.schedules.advanceSchedule(record.arn, 100, 0, { nextDueAt: 400, nextFireAt: 400, attempt: 0 })).toBe(false);
      expect(await store.schedules.getSchedule('default', 's')).toMatchObject({ expression: 'rate(1 hour)', nextDueAt: 3_600_100 });
    });

    it('does not let callers change stored records through objects they passed or got back', async () => {
      const record = schedule('default', 's');
      await store.schedules.createSchedule(record);
      (record.target.retryPolicy as { maximumRetryAttempts: number }).maximumRetryAttempts = 1;
      const read = await store.schedules.getSchedule('default', 's');
      (read!.target as { arn: string }).arn = 'changed';
      expect((await store.schedules.getSchedule('default', 's'))!.target).toMatchObject({ arn: schedule('default', 's').target.arn, retryPolicy: { maximumRetryAttempts: 185 } });
    });
  });
}
