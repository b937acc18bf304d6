import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { schedule, scheduleGroup, scheduleStoreContract } from '../../src/store/schedules-contract.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const root = mkdtempSync(join(tmpdir(), 'stepwise-schedules-'));
let files = 0;
const tempFile = (): string => join(root, `db-${++files}`, 'stepwise.db');
afterAll(() => rmSync(root, { recursive: true, force: true }));

scheduleStoreContract('memory', async () => new MemoryStore());
scheduleStoreContract('sqlite', () => openSqliteStore(tempFile()));

describe('SQLite schedules', () => {
  it('keep their definition and firing state across a reopen', async () => {
    const file = tempFile();
    let store = await openSqliteStore(file);
    await store.schedules.createGroup(scheduleGroup('g'));
    const record = schedule('g', 's', { timeZone: 'Asia/Tokyo', flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 }, nextDueAt: 5, nextFireAt: 7, attempt: 2 });
    await store.schedules.createSchedule(record);
    await store.close();
    store = await openSqliteStore(file);
    expect(await store.schedules.getSchedule('g', 's')).toEqual(record);
    expect(await store.schedules.nextFireAt()).toBe(7);
    await store.close();
  });

  it('let only one of two stores sharing the file advance a firing', async () => {
    const file = tempFile();
    const a = await openSqliteStore(file);
    const b = await openSqliteStore(file);
    await a.schedules.createGroup(scheduleGroup('default'));
    const record = schedule('default', 's');
    await a.schedules.createSchedule(record);
    const outcomes = await Promise.all([
      a.schedules.advanceSchedule(record.arn, 10_000, 0, { nextDueAt: 20_000, nextFireAt: 20_000, attempt: 0 }),
      b.schedules.advanceSchedule(record.arn, 10_000, 0, { nextDueAt: 20_000, nextFireAt: 20_000, attempt: 0 }),
    ]);
    expect(outcomes.sort()).toEqual([false, true]);
    await a.close();
    await b.close();
  });
});
