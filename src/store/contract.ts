/**
 * The behaviour every Store backend shares, as one vitest suite each backend registers with its
 * own factory (memory.test.ts, sqlite/sqlite.test.ts):
 *
 *   storeContract('sqlite', () => openSqliteStore(tempFile()));
 *
 * Each test gets a fresh, empty store and closes it afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../engine/events.js';
import { InvalidPageToken } from './errors.js';
import {
  StoreConflict,
  type AliasRecord,
  type DeadLetterRecord,
  type ExecutionRecord,
  type ExecutionWrite,
  type MapRunRecord,
  type Page,
  type PageRequest,
  type RoutingEntry,
  type StateMachineRecord,
  type StateMachineVersionRecord,
  type Store,
  type TaskRecord,
} from './types.js';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:';
const EX = 'arn:aws:states:us-east-1:123456789012:execution:';
const ACT = 'arn:aws:states:us-east-1:123456789012:activity:';
const ROLE = 'arn:aws:iam::123456789012:role/stepwise';
const DEFINITION = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

export function stateMachine(name: string, overrides: Partial<StateMachineRecord> = {}): StateMachineRecord {
  return {
    arn: SM + name, name, type: 'STANDARD', definition: DEFINITION, roleArn: ROLE, createdAt: 1_000, revisionId: `rev-${name}`,
    nextVersion: 1, ...overrides,
  };
}

export function execution(machine: string, name: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    arn: `${EX}${machine}:${name}`, stateMachineArn: SM + machine, name, type: 'STANDARD', status: 'RUNNING', input: '{"n":1}',
    startDate: 10_000, definition: DEFINITION, roleArn: ROLE, redriveCount: 0, lastEventId: 0, ...overrides,
  };
}

/** Version `number` of the machine `name` made by stateMachine(name), as published from `revisionId`. */
export function versionOf(name: string, number: number, definition: string, revisionId: string, createdAt: number): StateMachineVersionRecord {
  return { arn: `${SM}${name}:${number}`, stateMachineArn: SM + name, version: number, definition, roleArn: ROLE, type: 'STANDARD', createdAt, revisionId };
}

export function alias(machine: string, name: string, routingConfiguration: RoutingEntry[]): AliasRecord {
  return { arn: `${SM}${machine}:${name}`, stateMachineArn: SM + machine, name, routingConfiguration, createdAt: 1 };
}

/** `count` events continuing a history after `afterId`. */
export function events(afterId: number, count: number, timestamp = 10_000): HistoryEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const id = afterId + i + 1;
    return id === 1
      ? { id, previousEventId: 0, timestamp, type: 'ExecutionStarted', frame: '', details: { input: { n: 1, s: 'é', list: [1, null] }, roleArn: ROLE } }
      : { id, previousEventId: id - 1, timestamp: timestamp + id, type: 'PassStateEntered', frame: '', details: { name: `S${id}`, input: { id } } };
  });
}

/**
 * `count` events after `afterId` that carry large payloads the way the interpreter records them:
 * one ~200 KB object in most events (by reference), a new small object around it (a counting
 * loop), an equal copy that is another object, a long string, a long cause, a nested array of
 * large parts and a member named `__proto__` (as JSON.parse makes it from hostile input).
 */
export function sharedPayloadEvents(afterId: number, count: number): HistoryEvent[] {
  const big = { pad: 'x'.repeat(200_000), list: [1, 'é\u2028', null, { nested: [true, 2.5] }], unicode: '\ud83d\ude00'.repeat(600), lone: '\ud800"\\' };
  const copy = JSON.parse(JSON.stringify(big)) as typeof big;
  const longText = 'y'.repeat(5_000);
  const hostile = JSON.parse(`{"__proto__": {"polluted": ${JSON.stringify('z'.repeat(2_000))}}, "k": [${JSON.stringify('w'.repeat(3_000))}, 1]}`) as unknown;
  return Array.from({ length: count }, (_, i): HistoryEvent => {
    const id = afterId + i + 1;
    const base = { id, previousEventId: id - 1, timestamp: 20_000 + id, frame: i % 7 === 0 ? 'branch-1' : '' };
    switch (i % 10) {
      case 0: return { ...base, type: 'PassStateExited', details: { name: `S${i}`, output: { count: i, data: big } } };
      case 1: return { ...base, type: 'PassStateEntered', details: { name: `S${i}`, input: copy } };
      case 2: return { ...base, type: 'PassStateEntered', details: { name: `S${i}`, input: longText } };
      case 3: return { ...base, type: 'TaskFailed', details: { resource: 'r', resourceType: 'lambda', error: 'E', cause: longText } };
      case 4: return { ...base, type: 'PassStateExited', details: { name: `S${i}`, output: [big, [big, copy], 'small', { deep: { deeper: big } }] } };
      case 5: return { ...base, type: 'TaskScheduled', details: { resource: 'r', resourceType: 'lambda', region: 'us-east-1', parameters: hostile } };
      case 6: return { ...base, type: 'PassStateExited', details: { name: `S${i}`, output: big, assignedVariables: { v: big, w: 1 } } };
      default: return { ...base, type: i % 2 ? 'PassStateEntered' : 'PassStateExited', details: { name: `S${i}`, ...(i % 2 ? { input: big } : { output: big }) } };
    }
  });
}

/** The first decision of an execution: ExecutionStarted and friends, with the Start trigger. */
export function startWrite(record: ExecutionRecord, count = 2, extra: Partial<ExecutionWrite> = {}): ExecutionWrite {
  return { executionArn: record.arn, expectedLastEventId: 0, events: events(0, count), trigger: { time: record.startDate, trigger: { type: 'Start' } }, ...extra };
}

/** A Map Run of `executionArn`, RUNNING with one of its two items started. */
export function mapRun(executionArn: string, id: string, overrides: Partial<MapRunRecord> = {}): MapRunRecord {
  const counts = { pending: 1, running: 1, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 2, resultsWritten: 0 };
  return {
    arn: `arn:aws:states:us-east-1:123456789012:mapRun:m/Fan:${id}`, executionArn, stateMachineArn: `${SM}m/Fan`, status: 'RUNNING',
    startDate: 10_100, maxConcurrency: 1, toleratedFailurePercentage: 12.5, toleratedFailureCount: 3, itemCounts: counts,
    executionCounts: { ...counts, total: 1, pending: 0 }, redriveCount: 0, ...overrides,
  };
}

function task(token: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return { token, executionArn: '', taskId: `task-${token}`, input: '{"x":1}', status: 'SCHEDULED', createdAt: 100, ...overrides };
}

/** Every item of a listing, page by page, checking that each token is a non-empty string. */
async function drain<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await list({ limit, ...(nextToken !== undefined ? { nextToken } : {}) });
    pages++;
    items.push(...page.items);
    nextToken = page.nextToken;
    if (nextToken !== undefined) {
      expect(typeof nextToken).toBe('string');
      expect(nextToken.length).toBeGreaterThan(0);
      expect(page.items.length).toBe(limit);
    }
  } while (nextToken !== undefined && pages < 10_000);
  return { items, pages };
}

export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** A machine with versions 1 and 2 (two revisions, each published). */
    async function twoVersions(machine: string): Promise<void> {
      await store.createStateMachine(stateMachine(machine), { publish: {} });
      await store.updateStateMachine(SM + machine, { definition: '{"v":2}' }, { newRevisionId: () => `${machine}-2`, updatedAt: 2, publish: {} });
    }

    async function started(machine: string, name: string, overrides: Partial<ExecutionRecord> = {}, count = 2): Promise<ExecutionRecord> {
      const record = execution(machine, name, overrides);
      expect(await store.createExecution({ ...record, lastEventId: count }, startWrite(record, count))).toBe(true);
      return (await store.getExecution(record.arn))!;
    }

    describe('state machines', () => {
      it('creates once, reads back exactly, and refuses a second create of the ARN', async () => {
        const full = stateMachine('full', {
          updatedAt: 2_000, description: 'd', loggingConfiguration: { level: 'OFF', includeExecutionData: false },
          tracingConfiguration: { enabled: true }, encryptionConfiguration: { type: 'AWS_OWNED_KEY' }, type: 'EXPRESS', nextVersion: 4,
        });
        expect(await store.createStateMachine(full)).toEqual({ outcome: 'created' });
        expect(await store.createStateMachine(stateMachine('full', { definition: '{}' }))).toEqual({ outcome: 'exists' });
        expect(await store.getStateMachine(full.arn)).toEqual(full);
        expect(await store.createStateMachine(stateMachine('bare'))).toEqual({ outcome: 'created' });
        const bare = await store.getStateMachine(SM + 'bare');
        expect(bare).toEqual(stateMachine('bare'));
        expect(Object.keys(bare!)).not.toContain('description');
        expect(await store.getStateMachine(SM + 'nope')).toBeUndefined();
      });

      it('creates a machine with its tags and version 1 at once, within the quota of machines', async () => {
        const created = await store.createStateMachine(stateMachine('a'), { tags: [{ key: 'team', value: 'x' }], publish: { description: 'first' }, maxStateMachines: 2 });
        expect(created).toEqual({ outcome: 'created', version: { ...versionOf('a', 1, DEFINITION, `rev-a`, 1_000), description: 'first' } });
        expect(await store.listTags(SM + 'a')).toEqual([{ key: 'team', value: 'x' }]);
        expect((await store.getStateMachine(SM + 'a'))!.nextVersion).toBe(2);
        expect(await store.createStateMachine(stateMachine('b'), { maxStateMachines: 2 })).toEqual({ outcome: 'created' });
        // At the quota: nothing is written, the existing name still answers 'exists'.
        expect(await store.createStateMachine(stateMachine('c'), { maxStateMachines: 2, tags: [{ key: 'k', value: 'v' }] })).toEqual({ outcome: 'limit-exceeded' });
        expect(await store.createStateMachine(stateMachine('a'), { maxStateMachines: 2 })).toEqual({ outcome: 'exists' });
        expect(await store.getStateMachine(SM + 'c')).toBeUndefined();
        expect(await store.listTags(SM + 'c')).toEqual([]);
        await store.deleteStateMachine(SM + 'b');
        expect(await store.createStateMachine(stateMachine('c'), { maxStateMachines: 2 })).toEqual({ outcome: 'created' });
      });

      it('updates a machine in place: a new revision only when something changes, its listing place and version counter kept', async () => {
        for (const n of ['a', 'b', 'c']) await store.createStateMachine(stateMachine(n, { loggingConfiguration: { level: 'OFF' } }));
        await store.publishVersion(SM + 'a', { createdAt: 2 });
        expect(await store.updateStateMachine(SM + 'a', { definition: '{"new":true}' }, { newRevisionId: () => 'r2', updatedAt: 5 })).toEqual({
          outcome: 'updated',
          machine: stateMachine('a', { definition: '{"new":true}', revisionId: 'r2', updatedAt: 5, nextVersion: 2, loggingConfiguration: { level: 'OFF' } }),
        });
        expect(await store.getStateMachine(SM + 'a')).toEqual(
          stateMachine('a', { definition: '{"new":true}', revisionId: 'r2', updatedAt: 5, nextVersion: 2, loggingConfiguration: { level: 'OFF' } }),
        );
        // The same values again: the date moves, the revision stays.
        let drawn = 0;
        const same = await store.updateStateMachine(SM + 'a', { definition: '{"new":true}', loggingConfiguration: { level: 'OFF' } }, { newRevisionId: () => `r${++drawn + 2}`, updatedAt: 6 });
        expect(same).toMatchObject({ outcome: 'updated', machine: { revisionId: 'r2', updatedAt: 6 } });
        expect(drawn).toBe(0); // a revision id is drawn only for a new revision
        const traced = await store.updateStateMachine(SM + 'a', { tracingConfiguration: { enabled: true }, roleArn: 'arn:aws:iam::1:role/x' }, { newRevisionId: () => 'r4', updatedAt: 7 });
        expect(traced).toMatchObject({ outcome: 'updated', machine: { revisionId: 'r4', definition: '{"new":true}', roleArn: 'arn:aws:iam::1:role/x', tracingConfiguration: { enabled: true } } });
        expect(await store.updateStateMachine(SM + 'nope', { definition: '{}' }, { newRevisionId: () => 'r', updatedAt: 1 })).toEqual({ outcome: 'no-machine' });
        const page = await store.listStateMachines({ limit: 10 });
        expect(page.items.map((s) => s.name)).toEqual(['a', 'b', 'c']);
        expect(page.nextToken).toBeUndefined();
      });

      it('publishes the revision an update leaves in the same write', async () => {
        await store.createStateMachine(stateMachine('m'));
        const first = await store.updateStateMachine(SM + 'm', { definition: '{"v":1}' }, { newRevisionId: () => 'r1', updatedAt: 10, publish: { description: 'one' } });
        expect(first).toEqual({
          outcome: 'updated',
          machine: stateMachine('m', { definition: '{"v":1}', revisionId: 'r1', updatedAt: 10, nextVersion: 2 }),
          version: { ...versionOf('m', 1, '{"v":1}', 'r1', 10), description: 'one' },
        });
        // Nothing changed: the revision's version is answered again.
        const again = await store.updateStateMachine(SM + 'm', { definition: '{"v":1}' }, { newRevisionId: () => 'r2', updatedAt: 11, publish: {} });
        expect(again).toMatchObject({ outcome: 'updated', version: { arn: `${SM}m:1` } });
      });

      it('lists in creation order over stable, opaque pages', async () => {
        for (let i = 0; i < 7; i++) await store.createStateMachine(stateMachine(`m${i}`, { createdAt: 1_000 + i }));
        const first = await store.listStateMachines({ limit: 3 });
        expect(first.items.map((s) => s.name)).toEqual(['m0', 'm1', 'm2']);
        expect(first.nextToken).toBeDefined();
        expect(first.nextToken).not.toContain('m2');
        // The same token gives the same page, also after more rows arrive.
        await store.createStateMachine(stateMachine('m7'));
        const second = await store.listStateMachines({ limit: 3, nextToken: first.nextToken! });
        const again = await store.listStateMachines({ limit: 3, nextToken: first.nextToken! });
        expect(second.items.map((s) => s.name)).toEqual(['m3', 'm4', 'm5']);
        expect(again).toEqual(second);
        const all = await drain((p) => store.listStateMachines(p), 3);
        expect(all.items.map((s) => s.name)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
        expect(all.pages).toBe(3);
        // A page that ends exactly at the last item has no token.
        const exact = await store.listStateMachines({ limit: 8 });
        expect(exact.items).toHaveLength(8);
        expect(exact.nextToken).toBeUndefined();
        expect((await store.listStateMachines({ limit: 100 })).nextToken).toBeUndefined();
      });

      it('keeps paging past a deleted item', async () => {
        for (let i = 0; i < 4; i++) await store.createStateMachine(stateMachine(`m${i}`));
        const first = await store.listStateMachines({ limit: 2 });
        await store.deleteStateMachine(SM + 'm1');
        const second = await store.listStateMachines({ limit: 2, nextToken: first.nextToken! });
        expect(second.items.map((s) => s.name)).toEqual(['m2', 'm3']);
      });

      it('refuses tokens it did not hand out for this listing with InvalidPageToken', async () => {
        for (let i = 0; i < 3; i++) {
          await store.createStateMachine(stateMachine(`m${i}`));
          await store.createActivity({ arn: `${ACT}a${i}`, name: `a${i}`, createdAt: i });
        }
        const activityToken = (await store.listActivities({ limit: 1 })).nextToken!;
        const machineToken = (await store.listStateMachines({ limit: 1 })).nextToken!;
        const bad = ['garbage!', '', 'bm90IGpzb24', Buffer.from('[1,"x",3]').toString('base64url'), activityToken, machineToken.slice(0, -2), `${machineToken}AA`];
        for (const nextToken of bad) {
          await expect(store.listStateMachines({ limit: 1, nextToken }), `token ${JSON.stringify(nextToken)}`).rejects.toBeInstanceOf(InvalidPageToken);
        }
        await expect(store.listActivities({ limit: 1, nextToken: machineToken })).rejects.toThrow(InvalidPageToken);
        await expect(store.listVersions(SM + 'm0', { limit: 1, nextToken: machineToken })).rejects.toThrow(InvalidPageToken);
        await expect(store.listExecutions({ stateMachineArn: SM + 'm0' }, { limit: 1, nextToken: machineToken })).rejects.toThrow(InvalidPageToken);
      });

      it('deleteStateMachine removes its versions, aliases and tags, and nothing else', async () => {
        await store.createStateMachine(stateMachine('gone'));
        await store.createStateMachine(stateMachine('kept'));
        for (const m of ['gone', 'kept']) {
          expect((await store.publishVersion(SM + m, { createdAt: 1 })).outcome).toBe('published');
          expect((await store.createAlias(alias(m, 'live', [{ stateMachineVersionArn: `${SM}${m}:1`, weight: 100 }]))).outcome).toBe('written');
          expect(await store.tagResource(SM + m, [{ key: 'team', value: m }])).toBe('tagged');
        }
        const ran = await started('gone', 'e1');
        await store.deleteStateMachine(SM + 'gone');
        expect(await store.getStateMachine(SM + 'gone')).toBeUndefined();
        expect(await store.getVersion(`${SM}gone:1`)).toBeUndefined();
        expect(await store.getAlias(`${SM}gone:live`)).toBeUndefined();
        expect(await store.listTags(SM + 'gone')).toEqual([]);
        expect((await store.listVersions(SM + 'gone', { limit: 10 })).items).toEqual([]);
        expect((await store.listAliases(SM + 'gone', { limit: 10 })).items).toEqual([]);
        // Executions outlive their state machine; the other machine keeps everything.
        expect(await store.getExecution(ran.arn)).toEqual(ran);
        expect(await store.getStateMachine(SM + 'kept')).toBeDefined();
        expect(await store.getVersion(`${SM}kept:1`)).toBeDefined();
        expect(await store.getAlias(`${SM}kept:live`)).toBeDefined();
        expect(await store.listTags(SM + 'kept')).toEqual([{ key: 'team', value: 'kept' }]);
        // A machine created again under the name starts without the old one's versions or tags.
        await store.createStateMachine(stateMachine('gone'));
        expect((await store.publishVersion(SM + 'gone', { createdAt: 2 })).outcome).toBe('published');
        expect(await store.listTags(SM + 'gone')).toEqual([]);
        // Deleting again, or something unknown, is not an error.
        await store.deleteStateMachine(SM + 'gone');
      });
    });

    describe('versions and aliases', () => {
      it('publishes versions numbered upward from 1, lists them newest first, page by page, per state machine', async () => {
        await store.createStateMachine(stateMachine('m', { loggingConfiguration: { level: 'ALL' }, tracingConfiguration: { enabled: false } }));
        await store.createStateMachine(stateMachine('other', { type: 'EXPRESS' }));
        for (let v = 1; v <= 5; v++) {
          if (v > 1) await store.updateStateMachine(SM + 'm', { definition: `{"v":${v}}` }, { newRevisionId: () => `r${v}`, updatedAt: v });
          const published = await store.publishVersion(SM + 'm', { createdAt: 100 + v, ...(v === 2 ? { description: 'two' } : {}) });
          expect(published).toMatchObject({ outcome: 'published', version: { arn: `${SM}m:${v}`, version: v } });
        }
        expect(await store.publishVersion(SM + 'other', { createdAt: 1 })).toMatchObject({ outcome: 'published', version: { version: 1, type: 'EXPRESS' } });
        expect(await store.getVersion(`${SM}m:2`)).toEqual({
          arn: `${SM}m:2`, stateMachineArn: SM + 'm', version: 2, definition: '{"v":2}', roleArn: ROLE, type: 'STANDARD', createdAt: 102,
          revisionId: 'r2', description: 'two', loggingConfiguration: { level: 'ALL' }, tracingConfiguration: { enabled: false },
        });
        const all = await drain((p) => store.listVersions(SM + 'm', p), 2);
        expect(all.items.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
        expect(all.pages).toBe(3);
        const first = await store.listVersions(SM + 'm', { limit: 2 });
        await expect(store.listVersions(SM + 'other', { limit: 2, nextToken: first.nextToken! })).rejects.toThrow(InvalidPageToken);
        expect(await store.deleteVersion(`${SM}m:4`)).toEqual({ outcome: 'deleted' });
        expect(await store.deleteVersion(`${SM}m:4`)).toEqual({ outcome: 'no-version' });
        expect(await store.getVersion(`${SM}m:4`)).toBeUndefined();
        expect((await store.listVersions(SM + 'm', { limit: 10 })).items.map((v) => v.version)).toEqual([5, 3, 2, 1]);
        expect((await store.listVersions(SM + 'other', { limit: 10 })).items).toHaveLength(1);
        // Deleting the newest does not give its number back.
        await store.deleteVersion(`${SM}m:5`);
        await store.updateStateMachine(SM + 'm', { definition: '{"v":6}' }, { newRevisionId: () => 'r6', updatedAt: 6 });
        expect(await store.publishVersion(SM + 'm', { createdAt: 106 })).toMatchObject({ outcome: 'published', version: { version: 6 } });
      });

      it('publishes a revision once, and only while it is current when a revisionId is named', async () => {
        await store.createStateMachine(stateMachine('m'));
        const v1 = await store.publishVersion(SM + 'm', { revisionId: 'rev-m', description: 'a', createdAt: 1 });
        expect(v1).toEqual({ outcome: 'published', version: { ...versionOf('m', 1, DEFINITION, 'rev-m', 1), description: 'a' } });
        // Idempotent per revision, whatever the description.
        expect(await store.publishVersion(SM + 'm', { createdAt: 2, description: 'b' })).toEqual({ outcome: 'existing', version: (v1 as { version: unknown }).version });
        await store.updateStateMachine(SM + 'm', { definition: '{"v":2}' }, { newRevisionId: () => 'rev-2', updatedAt: 3 });
        expect(await store.publishVersion(SM + 'm', { revisionId: 'rev-m', createdAt: 4 })).toEqual({ outcome: 'stale-revision', currentRevisionId: 'rev-2' });
        expect((await store.listVersions(SM + 'm', { limit: 10 })).items).toHaveLength(1);
        expect(await store.publishVersion(SM + 'nope', { createdAt: 1 })).toEqual({ outcome: 'no-machine' });
      });

      it('gives every concurrent publish of a new revision its own number, and overwrites none', async () => {
        await store.createStateMachine(stateMachine('m'));
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => store.updateStateMachine(SM + 'm', { definition: `{"v":${i}}` }, { newRevisionId: () => `r${i}`, updatedAt: i, publish: {} })),
        );
        const numbers = results.map((r) => (r.outcome === 'updated' ? r.version!.version : -1));
        expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        for (let i = 0; i < 30; i++) {
          expect((await store.getVersion(`${SM}m:${numbers[i]}`))!.definition).toBe(`{"v":${i}}`);
        }
        const again = await Promise.all(Array.from({ length: 10 }, () => store.publishVersion(SM + 'm', { createdAt: 99 })));
        expect(new Set(again.map((r) => (r.outcome === 'existing' ? r.version.arn : r.outcome)))).toEqual(new Set([`${SM}m:${numbers[29]}`]));
      });

      it('creates, updates, lists and deletes aliases that route to versions of their own machine', async () => {
        await twoVersions('m');
        await twoVersions('x');
        const routing = [{ stateMachineVersionArn: `${SM}m:1`, weight: 70 }, { stateMachineVersionArn: `${SM}m:2`, weight: 30 }];
        for (const n of ['a', 'b', 'c']) expect(await store.createAlias(alias('m', n, routing))).toEqual({ outcome: 'written', alias: alias('m', n, routing) });
        expect((await store.createAlias(alias('x', 'a', [{ stateMachineVersionArn: `${SM}x:1`, weight: 100 }]))).outcome).toBe('written');
        expect(await store.getAlias(`${SM}m:a`)).toEqual({ arn: `${SM}m:a`, stateMachineArn: SM + 'm', name: 'a', routingConfiguration: routing, createdAt: 1 });
        // A second create answers with the alias there is, and changes nothing.
        expect(await store.createAlias({ ...alias('m', 'a', [routing[0]!]), description: 'other' })).toEqual({ outcome: 'exists', alias: alias('m', 'a', routing) });
        const changed = { ...alias('m', 'a', [routing[1]!]), description: 'now', updatedAt: 9 };
        expect(await store.updateAlias(`${SM}m:a`, { description: 'now', routingConfiguration: [routing[1]!], updatedAt: 9 })).toEqual({ outcome: 'written', alias: changed });
        expect(await store.getAlias(`${SM}m:a`)).toEqual(changed);
        expect(await store.updateAlias(`${SM}m:a`, { updatedAt: 10 })).toEqual({ outcome: 'written', alias: { ...changed, updatedAt: 10 } });
        expect(await store.updateAlias(`${SM}m:nope`, { description: 'x', updatedAt: 1 })).toEqual({ outcome: 'no-alias' });
        const all = await drain((p) => store.listAliases(SM + 'm', p), 2);
        expect(all.items.map((a) => a.name)).toEqual(['a', 'b', 'c']);
        expect(all.items[0]).toEqual({ ...changed, updatedAt: 10 });
        await store.deleteAlias(`${SM}m:b`);
        expect(await store.getAlias(`${SM}m:b`)).toBeUndefined();
        // Deleted stays deleted: an update does not bring it back.
        expect(await store.updateAlias(`${SM}m:b`, { description: 'late', updatedAt: 11 })).toEqual({ outcome: 'no-alias' });
        expect(await store.getAlias(`${SM}m:b`)).toBeUndefined();
        expect((await store.listAliases(SM + 'm', { limit: 10 })).items.map((a) => a.name)).toEqual(['a', 'c']);
        expect((await store.listAliases(SM + 'x', { limit: 10 })).items).toHaveLength(1);
      });

      it('never lets an alias route to a version that is not there, nor a version go while an alias routes to it', async () => {
        await twoVersions('m');
        await twoVersions('x');
        const to = (arn: string) => [{ stateMachineVersionArn: arn, weight: 100 }];
        expect(await store.createAlias(alias('m', 'a', to(`${SM}m:3`)))).toEqual({ outcome: 'missing-version', versionArn: `${SM}m:3` });
        expect(await store.createAlias(alias('m', 'a', to(`${SM}x:1`)))).toEqual({ outcome: 'missing-version', versionArn: `${SM}x:1` });
        expect(await store.getAlias(`${SM}m:a`)).toBeUndefined();
        await store.createAlias(alias('m', 'a', to(`${SM}m:1`)));
        await store.createAlias(alias('m', 'b', [{ stateMachineVersionArn: `${SM}m:2`, weight: 50 }, { stateMachineVersionArn: `${SM}m:1`, weight: 50 }]));
        expect(await store.deleteVersion(`${SM}m:1`)).toEqual({ outcome: 'referenced', aliasNames: ['a', 'b'] });
        expect(await store.getVersion(`${SM}m:1`)).toBeDefined();
        expect(await store.updateAlias(`${SM}m:a`, { routingConfiguration: to(`${SM}m:9`), updatedAt: 2 })).toEqual({ outcome: 'missing-version', versionArn: `${SM}m:9` });
        expect((await store.getAlias(`${SM}m:a`))!.routingConfiguration).toEqual(to(`${SM}m:1`));
        // Racing: a create and the delete of the version it names; exactly one of them wins.
        for (let i = 0; i < 5; i++) {
          await store.updateStateMachine(SM + 'm', { definition: `{"race":${i}}` }, { newRevisionId: () => `race-${i}`, updatedAt: 3 });
          const published = await store.publishVersion(SM + 'm', { createdAt: 4 });
          const arn = (published as { version: { arn: string } }).version.arn;
          const [created, deleted] = await Promise.all([store.createAlias(alias('m', `race${i}`, to(arn))), store.deleteVersion(arn)]);
          expect([created.outcome, deleted.outcome].sort()).toSatisfy(
            (pair: string[]) => JSON.stringify(pair) === JSON.stringify(['referenced', 'written']) || JSON.stringify(pair) === JSON.stringify(['deleted', 'missing-version']),
          );
          const routed = await store.getAlias(`${SM}m:race${i}`);
          if (routed) expect(await store.getVersion(arn)).toBeDefined();
        }
      });
    });

    describe('activities and tags', () => {
      it('creates activities once, lists them in creation order and deletes them with their tags', async () => {
        for (let i = 0; i < 5; i++) expect(await store.createActivity({ arn: `${ACT}a${i}`, name: `a${i}`, createdAt: 50 + i })).toBe('created');
        expect(await store.createActivity({ arn: `${ACT}a0`, name: 'a0', createdAt: 99 })).toBe('exists');
        expect(await store.getActivity(`${ACT}a0`)).toEqual({ arn: `${ACT}a0`, name: 'a0', createdAt: 50 });
        const all = await drain((p) => store.listActivities(p), 2);
        expect(all.items.map((a) => a.name)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
        await store.tagResource(`${ACT}a1`, [{ key: 'k', value: 'v' }]);
        await store.deleteActivity(`${ACT}a1`);
        expect(await store.getActivity(`${ACT}a1`)).toBeUndefined();
        expect(await store.listTags(`${ACT}a1`)).toEqual([]);
        expect((await store.listActivities({ limit: 10 })).items.map((a) => a.name)).toEqual(['a0', 'a2', 'a3', 'a4']);
      });

      it('creates activities with their tags, within the quota of activities', async () => {
        expect(await store.createActivity({ arn: `${ACT}a`, name: 'a', createdAt: 1 }, { tags: [{ key: 'k', value: 'v' }], maxActivities: 2 })).toBe('created');
        expect(await store.listTags(`${ACT}a`)).toEqual([{ key: 'k', value: 'v' }]);
        expect(await store.createActivity({ arn: `${ACT}b`, name: 'b', createdAt: 2 }, { maxActivities: 2 })).toBe('created');
        expect(await store.createActivity({ arn: `${ACT}c`, name: 'c', createdAt: 3 }, { maxActivities: 2 })).toBe('limit-exceeded');
        expect(await store.createActivity({ arn: `${ACT}a`, name: 'a', createdAt: 3 }, { maxActivities: 2 })).toBe('exists');
        expect(await store.getActivity(`${ACT}c`)).toBeUndefined();
        await store.deleteActivity(`${ACT}b`);
        expect(await store.createActivity({ arn: `${ACT}c`, name: 'c', createdAt: 3 }, { maxActivities: 2 })).toBe('created');
      });

      it('tags only state machines and activities that exist, all or nothing within maxTags', async () => {
        await store.createStateMachine(stateMachine('t'));
        await store.createActivity({ arn: `${ACT}t`, name: 't', createdAt: 1 });
        const tags = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));
        expect(await store.tagResource(SM + 't', tags(3), { maxTags: 4 })).toBe('tagged');
        // Overwriting keys does not count twice; one more key past the limit refuses the whole call.
        expect(await store.tagResource(SM + 't', [...tags(3), { key: 'new', value: 'v' }], { maxTags: 4 })).toBe('tagged');
        expect(await store.tagResource(SM + 't', [{ key: 'k0', value: 'changed' }, { key: 'over', value: 'v' }], { maxTags: 4 })).toBe('too-many-tags');
        expect((await store.listTags(SM + 't')).map((t) => `${t.key}=${t.value}`)).toEqual(['k0=v', 'k1=v', 'k2=v', 'new=v']);
        expect(await store.tagResource(`${ACT}t`, tags(2), { maxTags: 4 })).toBe('tagged');
        expect(await store.tagResource(SM + 'missing', tags(1))).toBe('no-resource');
        expect(await store.tagResource(`${SM}t:1`, tags(1))).toBe('no-resource');
        expect(await store.listTags(SM + 'missing')).toEqual([]);
        // Racing calls that each fit alone: the quota holds for all of them together.
        await store.createStateMachine(stateMachine('race'));
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.tagResource(SM + 'race', tags(10, `c${i}-`), { maxTags: 50 })));
        expect(results.filter((r) => r === 'tagged')).toHaveLength(5);
        expect(await store.listTags(SM + 'race')).toHaveLength(50);
      });

      it('adds, overwrites (in place) and removes tags by key', async () => {
        const arn = SM + 'tagged';
        for (const name of ['tagged', 'one', 'two']) await store.createStateMachine(stateMachine(name));
        expect(await store.listTags(arn)).toEqual([]);
        await store.tagResource(arn, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
        await store.tagResource(arn, [{ key: 'a', value: 'one' }, { key: 'c', value: '3' }]);
        expect(await store.listTags(arn)).toEqual([{ key: 'a', value: 'one' }, { key: 'b', value: '2' }, { key: 'c', value: '3' }]);
        await store.untagResource(arn, ['b', 'missing']);
        expect(await store.listTags(arn)).toEqual([{ key: 'a', value: 'one' }, { key: 'c', value: '3' }]);
        await store.untagResource(arn, ['a', 'c']);
        expect(await store.listTags(arn)).toEqual([]);
        await store.untagResource(SM + 'never', ['x']);
        await store.tagResource(arn, []);
        expect(await store.listTags(arn)).toEqual([]);
        // Tags are per resource.
        await store.tagResource(SM + 'one', [{ key: 'k', value: '1' }]);
        await store.tagResource(SM + 'two', [{ key: 'k', value: '2' }]);
        expect(await store.listTags(SM + 'one')).toEqual([{ key: 'k', value: '1' }]);
      });
    });

    describe('executions', () => {
      it('creates an execution with its first decision, once', async () => {
        const record = execution('m', 'e1', { testCase: `${SM}m#Happy`, traceHeader: 'Root=1', stateMachineVersionArn: `${SM}m:1`, stateMachineAliasArn: `${SM}m:live`, parentExecutionArn: `${EX}parent:p1`, parentTaskId: 'task-3', seed: 'a1'.repeat(32), engineVersion: 7 });
        expect(await store.createExecution({ ...record, lastEventId: 3 }, startWrite(record, 3))).toBe(true);
        const stored = await store.getExecution(record.arn);
        expect(stored).toEqual({ ...record, lastEventId: 3 });
        expect(Object.keys(stored!)).not.toContain('output');
        expect(await store.getEvents(record.arn, { limit: 100 })).toEqual(events(0, 3));
        expect(await store.getTriggers(record.arn)).toEqual([{ time: record.startDate, trigger: { type: 'Start' } }]);
        // A second create of the ARN changes nothing.
        const again = execution('m', 'e1', { input: '{"other":true}', seed: 'b2'.repeat(32) });
        expect(await store.createExecution(again, startWrite(again, 5))).toBe(false);
        expect(await store.getExecution(record.arn)).toEqual({ ...record, lastEventId: 3 });
        expect(await store.getEvents(record.arn, { limit: 100 })).toHaveLength(3);
        expect(await store.getTriggers(record.arn)).toHaveLength(1);
        expect(await store.getExecution(`${EX}m:nope`)).toBeUndefined();
      });

      it('stores an execution that ends in its first decision', async () => {
        const record = execution('m', 'quick');
        const update = { status: 'SUCCEEDED' as const, output: '{"done":true}', stopDate: 10_005 };
        expect(await store.createExecution({ ...record, ...update, lastEventId: 4 }, startWrite(record, 4, { update }))).toBe(true);
        const stored = (await store.getExecution(record.arn))!;
        expect(stored).toEqual({ ...record, ...update, lastEventId: 4 });
        // Like an execution stored before seeds were: no seed, no engine version.
        expect(Object.keys(stored)).not.toContain('seed');
        expect(Object.keys(stored)).not.toContain('engineVersion');
        expect(await store.runningExecutions()).toEqual([]);
      });

      it('appends decisions, applying the update, and refuses a stale expectedLastEventId', async () => {
        const record = await started('m', 'e1');
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 3), trigger: { time: 20, trigger: { type: 'TimerFired', timerId: 't1' } } });
        await store.appendExecution({
          executionArn: record.arn, expectedLastEventId: 5, events: events(5, 1),
          update: { status: 'FAILED', error: 'States.TaskFailed', cause: 'boom', stopDate: 30 },
        });
        expect(await store.getExecution(record.arn)).toEqual({ ...record, status: 'FAILED', error: 'States.TaskFailed', cause: 'boom', stopDate: 30, lastEventId: 6 });
        const stale = store.appendExecution({
          executionArn: record.arn, expectedLastEventId: 5, events: events(5, 2), trigger: { time: 40, trigger: { type: 'StopRequested' } },
          update: { status: 'ABORTED' }, timersAdded: [{ executionArn: record.arn, timerId: 'x', dueAt: 1 }], tasksAdded: [task('stale')],
        });
        await expect(stale).rejects.toBeInstanceOf(StoreConflict);
        // Nothing of the refused write is visible.
        expect((await store.getExecution(record.arn))!.status).toBe('FAILED');
        expect(await store.getEvents(record.arn, { limit: 100 })).toEqual(events(0, 6));
        expect(await store.getTriggers(record.arn)).toEqual([
          { time: record.startDate, trigger: { type: 'Start' } },
          { time: 20, trigger: { type: 'TimerFired', timerId: 't1' } },
        ]);
        expect(await store.timersOf(record.arn)).toEqual([]);
        expect(await store.getTask('stale')).toBeUndefined();
        await expect(store.appendExecution({ executionArn: `${EX}m:ghost`, expectedLastEventId: 0, events: events(0, 1) })).rejects.toBeInstanceOf(StoreConflict);
      });

      it('clears a field named with the value undefined (redrive) and leaves unnamed fields alone', async () => {
        const record = await started('m', 'redriven', { seed: '5eed', engineVersion: 1 });
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: [], update: { status: 'FAILED', error: 'E', cause: 'C', stopDate: 50 } });
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), update: { status: 'RUNNING', redriveCount: 1, redriveDate: 60, stopDate: undefined, error: undefined, cause: undefined } });
        const after = (await store.getExecution(record.arn))!;
        expect(after).toEqual({ ...record, redriveCount: 1, redriveDate: 60, lastEventId: 3 });
        expect(after).toMatchObject({ seed: '5eed', engineVersion: 1 }); // a redrive replays with the same seed
        expect(Object.keys(after)).not.toContain('stopDate');
        // A write without events keeps lastEventId and still needs the right expectation.
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 3, events: [], timersRemoved: ['none'] });
        expect((await store.getExecution(record.arn))!.lastEventId).toBe(3);
      });

      it('refuses events that do not continue the history densely, applying nothing', async () => {
        const record = await started('m', 'e1');
        const gap = [{ ...events(3, 1)[0]! }];
        await expect(store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: gap })).rejects.toThrow(/densely: expected event id 3, got 4/);
        const first = execution('m', 'bad');
        await expect(store.createExecution(first, { ...startWrite(first), events: events(1, 2) })).rejects.toThrow(/densely/);
        expect(await store.getExecution(first.arn)).toBeUndefined();
        expect((await store.getExecution(record.arn))!.lastEventId).toBe(2);
      });

      it('reads events by id range, forwards and backwards, with payloads intact', async () => {
        const record = await started('m', 'e1', {}, 10);
        const all = events(0, 10);
        expect(await store.getEvents(record.arn, { limit: 1000 })).toEqual(all);
        expect(await store.getEvents(record.arn, { limit: 3 })).toEqual(all.slice(0, 3));
        expect(await store.getEvents(record.arn, { afterId: 3, limit: 3 })).toEqual(all.slice(3, 6));
        expect(await store.getEvents(record.arn, { afterId: 8, limit: 5 })).toEqual(all.slice(8));
        expect(await store.getEvents(record.arn, { afterId: 10, limit: 5 })).toEqual([]);
        expect(await store.getEvents(record.arn, { reverse: true, limit: 3 })).toEqual(all.slice(7).reverse());
        expect(await store.getEvents(record.arn, { reverse: true, beforeId: 8, limit: 3 })).toEqual(all.slice(4, 7).reverse());
        expect(await store.getEvents(record.arn, { reverse: true, beforeId: 3, limit: 5 })).toEqual(all.slice(0, 2).reverse());
        expect(await store.getEvents(record.arn, { reverse: true, beforeId: 1, limit: 5 })).toEqual([]);
        expect(await store.getEvents(record.arn, { afterId: 2, beforeId: 6, limit: 10 })).toEqual(all.slice(2, 5));
        expect(await store.getEvents(record.arn, { afterId: 2, beforeId: 6, limit: 10, reverse: true })).toEqual(all.slice(2, 5).reverse());
        expect(await store.getEvents(`${EX}m:none`, { limit: 10 })).toEqual([]);
        // An event without details comes back without the key.
        const bare: HistoryEvent = { id: 11, previousEventId: 10, timestamp: 5, type: 'SucceedStateExited', frame: 'branch-1' };
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 10, events: [bare] });
        const [last] = await store.getEvents(record.arn, { afterId: 10, limit: 1 });
        expect(last).toEqual(bare);
        expect(Object.keys(last!)).not.toContain('details');
      });

      it('gives back payloads shared by many events, equal, nested and long, exactly', async () => {
        const record = await started('m', 'payloads', {}, 2);
        const written = [...events(0, 2), ...sharedPayloadEvents(2, 2_000)];
        // In four decisions: later ones refer to payloads an earlier one stored.
        for (let from = 2; from < written.length; from += 500) {
          await store.appendExecution({ executionArn: record.arn, expectedLastEventId: from, events: written.slice(from, from + 500) });
        }
        const read: HistoryEvent[] = [];
        for (let afterId = 0; afterId < written.length; afterId = read.length) read.push(...(await store.getEvents(record.arn, { afterId, limit: 1000 })));
        expect(read).toEqual(written);
        // The own `__proto__` member survives as data, not as a prototype.
        const carrier = read.find((e) => e.type === 'TaskScheduled')!.details!.parameters as Record<string, unknown>;
        expect(Object.getPrototypeOf(carrier)).toBe(Object.prototype);
        expect(Object.getOwnPropertyNames(carrier)).toContain('__proto__');
        expect(await store.getEvents(record.arn, { reverse: true, limit: 3 })).toEqual(written.slice(-3).reverse());
      });

      it('stops a read before the event that would go beyond maxBytes, returning at least one', async () => {
        const record = await started('m', 'bytes', {}, 1);
        const big = { text: 'b'.repeat(100_000) };
        const more: HistoryEvent[] = Array.from({ length: 9 }, (_, i) => ({
          id: i + 2, previousEventId: i + 1, timestamp: 1, type: 'PassStateEntered', frame: '', details: { name: `S${i}`, input: big },
        }));
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 1, events: more });
        const all = [...events(0, 1), ...more];
        // Each event's details hold ~100 KB: the first (small) and two large ones fit in 250,000.
        expect(await store.getEvents(record.arn, { limit: 100, maxBytes: 250_000 })).toEqual(all.slice(0, 3));
        expect(await store.getEvents(record.arn, { afterId: 1, limit: 100, maxBytes: 250_000 })).toEqual(all.slice(1, 3));
        expect(await store.getEvents(record.arn, { afterId: 1, limit: 100, maxBytes: 1 })).toEqual(all.slice(1, 2));
        expect(await store.getEvents(record.arn, { reverse: true, limit: 100, maxBytes: 350_000 })).toEqual(all.slice(7).reverse());
        expect(await store.getEvents(record.arn, { afterId: 2, limit: 2, maxBytes: 10_000_000 })).toEqual(all.slice(2, 4));
        expect(await store.getEvents(record.arn, { limit: 100 })).toEqual(all);
      });

      it('keeps the replay log in order', async () => {
        const record = await started('m', 'e1');
        const triggers = [
          { time: 2, trigger: { type: 'TaskSucceeded' as const, taskId: 't', output: { deep: [1, { x: 'y' }] } } },
          { time: 3, trigger: { type: 'TaskFailed' as const, taskId: 'u', error: 'E', cause: 'C' } },
          { time: 4, trigger: { type: 'ExecutionTimedOut' as const } },
        ];
        let id = 2;
        for (const trigger of triggers) {
          await store.appendExecution({ executionArn: record.arn, expectedLastEventId: id, events: events(id, 1), trigger });
          id++;
        }
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: id, events: events(id, 1) });
        expect(await store.getTriggers(record.arn)).toEqual([{ time: record.startDate, trigger: { type: 'Start' } }, ...triggers]);
        expect(await store.getTriggers(`${EX}m:none`)).toEqual([]);
      });

      it('knows which executions are running', async () => {
        const a = await started('m', 'a');
        const b = await started('m', 'b');
        expect([...(await store.runningExecutions())].sort()).toEqual([a.arn, b.arn].sort());
        await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: events(2, 1), update: { status: 'SUCCEEDED', output: '1', stopDate: 3 } });
        expect(await store.runningExecutions()).toEqual([b.arn]);
      });

      it('counts open executions as they start, end and are redriven, and a stale write changes no count', async () => {
        expect(await store.countOpenExecutions()).toBe(0);
        const a = await started('m', 'a');
        await started('m', 'b');
        const quick = execution('m', 'quick');
        const done = { status: 'SUCCEEDED' as const, output: '1', stopDate: 10_001 };
        await store.createExecution({ ...quick, ...done, lastEventId: 2 }, startWrite(quick, 2, { update: done }));
        expect(await store.countOpenExecutions()).toBe(2);
        await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: events(2, 1), update: { status: 'FAILED', error: 'E', stopDate: 3 } });
        expect(await store.countOpenExecutions()).toBe(1);
        await expect(store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: events(2, 1), update: { status: 'RUNNING' } })).rejects.toThrow(StoreConflict);
        await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 3, events: events(3, 1) });
        expect(await store.countOpenExecutions()).toBe(1);
        await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 4, events: events(4, 1), update: { status: 'RUNNING', redriveCount: 1, redriveDate: 5 } });
        expect(await store.countOpenExecutions()).toBe(2);
        // A refused duplicate create counts nothing.
        expect(await store.createExecution(execution('m', 'b'), startWrite(execution('m', 'b')))).toBe(false);
        expect(await store.countOpenExecutions()).toBe(2);
      });

      it('counts the executions each execution started', async () => {
        const parent = await started('m', 'parent');
        for (const name of ['c1', 'c2', 'c3']) await started('child', name, { parentExecutionArn: parent.arn, ...(name === 'c3' ? {} : { parentTaskId: `task-${name}` }) });
        await started('child', 'other', { parentExecutionArn: `${EX}m:someone-else` });
        expect(await store.countChildExecutions(parent.arn)).toBe(3);
        expect(await store.countChildExecutions(`${EX}m:someone-else`)).toBe(1);
        expect(await store.countChildExecutions(`${EX}m:nobody`)).toBe(0);
      });

      it('lists executions newest first, filtered, over stable pages', async () => {
        const made: ExecutionRecord[] = [];
        for (let i = 0; i < 12; i++) {
          // Three share each start date: ties come newest-created first.
          const status = i % 3 === 0 ? 'SUCCEEDED' : 'RUNNING';
          const overrides: Partial<ExecutionRecord> = {
            startDate: 1_000 + Math.floor(i / 3), ...(status === 'SUCCEEDED' ? { status, output: '{}', stopDate: 5_000 } : {}),
            ...(i % 2 === 0 ? { stateMachineVersionArn: `${SM}m:1` } : {}), ...(i % 4 === 0 ? { stateMachineAliasArn: `${SM}m:live` } : {}),
          };
          const record = execution('m', `e${i}`, overrides);
          await store.createExecution({ ...record, lastEventId: 1 }, startWrite(record, 1, status === 'SUCCEEDED' ? { update: { status } } : {}));
          made.push({ ...record, lastEventId: 1 });
        }
        await started('other', 'x', { startDate: 1_002 });
        const newestFirst = [...made].reverse();
        const names = (records: readonly ExecutionRecord[]): string[] => records.map((r) => r.name);

        for (const limit of [1, 2, 3, 5, 12, 100]) {
          const all = await drain((p) => store.listExecutions({ stateMachineArn: SM + 'm' }, p), limit);
          expect(names(all.items), `limit ${limit}`).toEqual(names(newestFirst));
        }
        expect((await store.listExecutions({ stateMachineArn: SM + 'm' }, { limit: 1 })).items[0]).toEqual(made[11]);
        const filters = [
          { filter: { stateMachineArn: SM + 'm', status: 'RUNNING' as const }, want: (r: ExecutionRecord) => r.status === 'RUNNING' },
          { filter: { stateMachineArn: SM + 'm', status: 'SUCCEEDED' as const }, want: (r: ExecutionRecord) => r.status === 'SUCCEEDED' },
          { filter: { versionArn: `${SM}m:1` }, want: (r: ExecutionRecord) => r.stateMachineVersionArn !== undefined },
          { filter: { aliasArn: `${SM}m:live` }, want: (r: ExecutionRecord) => r.stateMachineAliasArn !== undefined },
          { filter: { aliasArn: `${SM}m:live`, status: 'RUNNING' as const }, want: (r: ExecutionRecord) => r.stateMachineAliasArn !== undefined && r.status === 'RUNNING' },
          { filter: { versionArn: `${SM}m:1`, status: 'RUNNING' as const }, want: (r: ExecutionRecord) => r.stateMachineVersionArn !== undefined && r.status === 'RUNNING' },
          { filter: { stateMachineArn: SM + 'nope' }, want: () => false },
        ];
        for (const { filter, want } of filters) {
          const all = await drain((p) => store.listExecutions(filter, p), 2);
          expect(names(all.items), JSON.stringify(filter)).toEqual(names(newestFirst.filter(want)));
        }
        const everything = await drain((p) => store.listExecutions({}, p), 4);
        expect(everything.items).toHaveLength(13);
        expect(names(everything.items.filter((r) => r.stateMachineArn === SM + 'm'))).toEqual(names(newestFirst));

        // A token belongs to its filter, and a page stays put when newer executions arrive.
        const first = await store.listExecutions({ stateMachineArn: SM + 'm' }, { limit: 4 });
        await expect(store.listExecutions({ stateMachineArn: SM + 'm', status: 'RUNNING' }, { limit: 4, nextToken: first.nextToken! })).rejects.toThrow(InvalidPageToken);
        await expect(store.listExecutions({ stateMachineArn: SM + 'other' }, { limit: 4, nextToken: first.nextToken! })).rejects.toThrow(InvalidPageToken);
        await expect(store.listExecutions({ stateMachineArn: SM + 'm' }, { limit: 4, nextToken: 'not-a-token' })).rejects.toThrow(InvalidPageToken);
        await started('m', 'newest', { startDate: 9_999 });
        const second = await store.listExecutions({ stateMachineArn: SM + 'm' }, { limit: 4, nextToken: first.nextToken! });
        expect(names(second.items)).toEqual(names(newestFirst.slice(4, 8)));
      });

      it('commits 500 concurrent creates, one per ARN, and exactly one of racing duplicates', async () => {
        const records = Array.from({ length: 500 }, (_, i) => execution('load', `e${i}`, { startDate: 1_000 + i }));
        const results = await Promise.all(records.map((r) => store.createExecution({ ...r, lastEventId: 3 }, startWrite(r, 3))));
        expect(results.every((ok) => ok)).toBe(true);
        const page = await store.listExecutions({ stateMachineArn: SM + 'load' }, { limit: 1000 });
        expect(page.items).toHaveLength(500);
        expect(page.items[0]!.name).toBe('e499');
        expect(await store.getEvents(records[123]!.arn, { limit: 10 })).toEqual(events(0, 3));
        const dup = execution('load', 'dup');
        const racing = await Promise.all(Array.from({ length: 10 }, () => store.createExecution({ ...dup, lastEventId: 1 }, startWrite(dup, 1))));
        expect(racing.filter((ok) => ok)).toHaveLength(1);
        expect(await store.getEvents(dup.arn, { limit: 10 })).toHaveLength(1);
      });

      it('rejects only the stale writes of a concurrent burst', async () => {
        const a = await started('m', 'a');
        const b = await started('m', 'b');
        const outcomes = await Promise.allSettled([
          store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: events(2, 1) }),
          store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: events(2, 2) }),
          store.appendExecution({ executionArn: b.arn, expectedLastEventId: 2, events: events(2, 1) }),
          store.appendExecution({ executionArn: b.arn, expectedLastEventId: 3, events: events(3, 1) }),
          store.appendExecution({ executionArn: b.arn, expectedLastEventId: 9, events: events(9, 1) }),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected']);
        expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflict);
        expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflict);
        expect(await store.getEvents(a.arn, { limit: 10 })).toEqual(events(0, 3));
        expect(await store.getEvents(b.arn, { limit: 10 })).toEqual(events(0, 4));
        expect((await store.getExecution(b.arn))!.lastEventId).toBe(4);
      });
    });

    describe('retention', () => {
      it('purges executions closed before the cutoff with all their rows, in batches, and nothing else', async () => {
        const keep: ExecutionRecord[] = [];
        const gone: ExecutionRecord[] = [];
        const parent = await started('m', 'parent', { startDate: 1_000 });
        keep.push(parent);
        // Closed before the cutoff (5_000), each status that ends an execution for good; each
        // with a large payload, a timer, a task still waiting for a worker and a Map Run.
        const statuses = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'SUCCEEDED'] as const;
        for (const [i, status] of statuses.entries()) {
          const record = execution('m', `old-${i}`, { status, startDate: 1_000 + i, stopDate: 2_000 + i, ...(i === 0 ? { parentExecutionArn: parent.arn } : {}) });
          const big = { pad: 'p'.repeat(5_000), i };
          expect(
            await store.createExecution({ ...record, lastEventId: 3 }, startWrite(record, 2, {
              events: [...events(0, 2), { id: 3, previousEventId: 2, timestamp: 1_500, type: 'PassStateExited', frame: '', details: { name: 'P', output: big } }],
              timersAdded: [{ executionArn: record.arn, timerId: 'w', dueAt: 1 }],
              tasksAdded: [task(`old-${i}`, { executionArn: record.arn, activityArn: `${ACT}retention` })],
              mapRuns: [mapRun(record.arn, `old-${i}`)],
            })),
          ).toBe(true);
          gone.push(record);
        }
        // Closed at or after the cutoff, running, or waiting to be redriven: kept.
        keep.push(await started('m', 'at-cutoff', { status: 'SUCCEEDED', startDate: 1_000, stopDate: 5_000 }));
        keep.push(await started('m', 'recent', { status: 'FAILED', startDate: 4_000, stopDate: 9_000 }));
        keep.push(await started('m', 'running', { startDate: 1_000 }));
        keep.push(await started('m', 'redrivable', { status: 'PENDING_REDRIVE', startDate: 1_000, stopDate: 2_000 }));
        expect(await store.countChildExecutions(parent.arn)).toBe(1);

        const batches: number[] = [];
        for (let n = -1; n !== 0; ) batches.push((n = await store.purgeClosedExecutions(5_000, 2)));
        expect(batches).toEqual([2, 2, 1, 0]);

        for (const record of gone) {
          expect(await store.getExecution(record.arn)).toBeUndefined();
          expect(await store.getEvents(record.arn, { limit: 100 })).toEqual([]);
          expect(await store.getTriggers(record.arn)).toEqual([]);
          expect(await store.timersOf(record.arn)).toEqual([]);
          expect(await store.tasksOf(record.arn)).toEqual([]);
          expect(await store.getTask(`old-${gone.indexOf(record)}`)).toBeUndefined();
          expect((await store.listMapRuns(record.arn, { limit: 10 })).items).toEqual([]);
          expect(await store.getMapRun(mapRun(record.arn, `old-${gone.indexOf(record)}`).arn)).toBeUndefined();
        }
        expect(await store.dueTimers(10, 100)).toEqual([]);
        expect(await store.claimActivityTask(`${ACT}retention`, 'w', 10)).toBeUndefined();
        expect(await store.countChildExecutions(parent.arn)).toBe(0);
        const listed = (await drain((page) => store.listExecutions({}, page), 100)).items.map((r) => r.name).sort();
        expect(listed).toEqual(keep.map((r) => r.name).sort());
        for (const record of keep) {
          expect(await store.getExecution(record.arn)).toEqual(record);
          expect(await store.getEvents(record.arn, { limit: 100 })).toEqual(events(0, 2));
        }
        expect(await store.purgeClosedExecutions(Number.MAX_SAFE_INTEGER, 0)).toBe(0);
      });
    });

    describe('quarantine marks', () => {
      it('counts the restarts a mark survives until it is cleared', async () => {
        const a = 'arn:aws:states:us-east-1:111111111111:execution:m:a';
        const b = 'arn:aws:states:us-east-1:111111111111:execution:m:b';
        expect(await store.countInterruptedDecisions()).toEqual([]);
        await store.markDecisionInProgress(a);
        await store.markDecisionInProgress(a); // marking again keeps the count
        await store.markDecisionInProgress(b);
        const sorted = async () => [...(await store.countInterruptedDecisions())].sort((x, y) => x.executionArn.localeCompare(y.executionArn));
        expect(await sorted()).toEqual([{ executionArn: a, restarts: 1 }, { executionArn: b, restarts: 1 }]);
        await store.markDecisionInProgress(a);
        await store.clearDecisionInProgress(b);
        expect(await sorted()).toEqual([{ executionArn: a, restarts: 2 }]);
        await store.clearDecisionInProgress(a);
        expect(await store.countInterruptedDecisions()).toEqual([]);
      });
    });

    describe('map runs', () => {
      it('stores Map Runs with the decision that starts them and replaces them with the ones that change them', async () => {
        const record = execution('m', 'fan');
        const first = mapRun(record.arn, 'one');
        expect(await store.createExecution({ ...record, lastEventId: 2 }, startWrite(record, 2, { mapRuns: [first] }))).toBe(true);
        expect(await store.getMapRun(first.arn)).toEqual(first);
        expect(Object.keys((await store.getMapRun(first.arn))!)).not.toContain('stopDate');
        const done = mapRun(record.arn, 'one', {
          status: 'SUCCEEDED', stopDate: 10_900, maxConcurrency: 0,
          itemCounts: { pending: 0, running: 0, succeeded: 2, failed: 0, timedOut: 0, aborted: 0, total: 2, resultsWritten: 2 },
        });
        const second = mapRun(record.arn, 'two', { redriveCount: 1, redriveDate: 11_000 });
        await store.appendExecution({ executionArn: record.arn, expectedLastEventId: 2, events: events(2, 1), mapRuns: [second, done] });
        expect(await store.getMapRun(first.arn)).toEqual(done);
        expect(await store.getMapRun(second.arn)).toEqual(second);
        // The listing keeps start order: the update did not move the first run.
        expect((await store.listMapRuns(record.arn, { limit: 10 })).items).toEqual([done, second]);
        expect(await store.getMapRun(`${first.arn}-unknown`)).toBeUndefined();
      });

      it('lists an execution\'s Map Runs over stable pages, and only its own', async () => {
        const a = await started('m', 'a');
        const b = await started('m', 'b');
        const runs = Array.from({ length: 5 }, (_, i) => mapRun(a.arn, `a${i}`, { startDate: 20_000 + i }));
        for (const run of runs) await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: [], mapRuns: [run] });
        await store.appendExecution({ executionArn: b.arn, expectedLastEventId: 2, events: [], mapRuns: [mapRun(b.arn, 'b0')] });
        const { items, pages } = await drain((page) => store.listMapRuns(a.arn, page), 2);
        expect(items).toEqual(runs);
        expect(pages).toBe(3);
        expect((await store.listMapRuns(b.arn, { limit: 10 })).items.map((r) => r.arn)).toEqual([mapRun(b.arn, 'b0').arn]);
        expect(await store.listMapRuns(`${EX}m:none`, { limit: 10 })).toEqual({ items: [] });
        const token = (await store.listMapRuns(a.arn, { limit: 1 })).nextToken!;
        await expect(store.listMapRuns(b.arn, { limit: 1, nextToken: token })).rejects.toBeInstanceOf(InvalidPageToken);
        await expect(store.listMapRuns(a.arn, { limit: 1, nextToken: 'garbage' })).rejects.toBeInstanceOf(InvalidPageToken);
      });

      it('applies Map Runs atomically with the write, and only for the write\'s own execution', async () => {
        const a = await started('m', 'a');
        const stale = store.appendExecution({ executionArn: a.arn, expectedLastEventId: 1, events: events(1, 1), mapRuns: [mapRun(a.arn, 'stale')] });
        await expect(stale).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getMapRun(mapRun(a.arn, 'stale').arn)).toBeUndefined();
        const foreign = store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: events(2, 1), mapRuns: [mapRun(`${EX}m:other`, 'x')] });
        await expect(foreign).rejects.toThrow(/belongs to/);
        expect((await store.getExecution(a.arn))!.lastEventId).toBe(2);
        expect(await store.listMapRuns(a.arn, { limit: 10 })).toEqual({ items: [] });
      });
    });

    describe('timers', () => {
      it('adds, replaces and removes timers, and hands out the due ones oldest first', async () => {
        const a = await started('m', 'a');
        const b = await started('m', 'b');
        expect(await store.nextTimerDue()).toBeUndefined();
        expect(await store.dueTimers(1e15, 10)).toEqual([]);
        await store.appendExecution({
          executionArn: a.arn, expectedLastEventId: 2, events: [],
          timersAdded: [{ executionArn: a.arn, timerId: 'wait', dueAt: 500 }, { executionArn: a.arn, timerId: 'heartbeat', dueAt: 300 }],
        });
        await store.appendExecution({ executionArn: b.arn, expectedLastEventId: 2, events: [], timersAdded: [{ executionArn: b.arn, timerId: 'wait', dueAt: 400 }] });
        expect(await store.nextTimerDue()).toBe(300);
        expect(await store.dueTimers(450, 10)).toEqual([
          { executionArn: a.arn, timerId: 'heartbeat', dueAt: 300 },
          { executionArn: b.arn, timerId: 'wait', dueAt: 400 },
        ]);
        expect(await store.dueTimers(450, 1)).toEqual([{ executionArn: a.arn, timerId: 'heartbeat', dueAt: 300 }]);
        expect(await store.dueTimers(299, 10)).toEqual([]);
        expect(await store.dueTimers(300, 10)).toHaveLength(1);
        expect(await store.timersOf(a.arn)).toEqual([
          { executionArn: a.arn, timerId: 'heartbeat', dueAt: 300 },
          { executionArn: a.arn, timerId: 'wait', dueAt: 500 },
        ]);
        // Removing and re-adding a timer in one write restarts it (a heartbeat).
        await store.appendExecution({
          executionArn: a.arn, expectedLastEventId: 2, events: [], timersRemoved: ['heartbeat', 'unknown'],
          timersAdded: [{ executionArn: a.arn, timerId: 'heartbeat', dueAt: 700 }],
        });
        await store.appendExecution({ executionArn: b.arn, expectedLastEventId: 2, events: [], timersAdded: [{ executionArn: b.arn, timerId: 'wait', dueAt: 100 }] });
        expect(await store.dueTimers(1_000, 10)).toEqual([
          { executionArn: b.arn, timerId: 'wait', dueAt: 100 },
          { executionArn: a.arn, timerId: 'wait', dueAt: 500 },
          { executionArn: a.arn, timerId: 'heartbeat', dueAt: 700 },
        ]);
        await store.appendExecution({ executionArn: b.arn, expectedLastEventId: 2, events: [], timersRemoved: ['wait'] });
        expect(await store.nextTimerDue()).toBe(500);
        expect(await store.timersOf(b.arn)).toEqual([]);
        expect(await store.timersOf(`${EX}m:none`)).toEqual([]);
      });
    });

    describe('tasks', () => {
      it('adds tasks, reads them by token and execution, and closes them', async () => {
        const a = await started('m', 'a');
        await store.appendExecution({
          executionArn: a.arn, expectedLastEventId: 2, events: [],
          tasksAdded: [task('tok-1', { activityArn: `${ACT}w` }), task('tok-2', { createdAt: 90, workerName: 'w', startedAt: 95, status: 'STARTED' })],
        });
        expect(await store.getTask('tok-1')).toEqual(task('tok-1', { activityArn: `${ACT}w`, executionArn: a.arn }));
        expect(await store.tasksOf(a.arn)).toEqual([
          task('tok-1', { activityArn: `${ACT}w`, executionArn: a.arn }),
          task('tok-2', { createdAt: 90, workerName: 'w', startedAt: 95, status: 'STARTED', executionArn: a.arn }),
        ]);
        expect(Object.keys((await store.getTask('tok-1'))!)).not.toContain('workerName');
        await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: [], tasksClosed: ['tok-2', 'unknown'] });
        expect((await store.getTask('tok-2'))!.status).toBe('CLOSED');
        expect(await store.getTask('unknown')).toBeUndefined();
        expect(await store.tasksOf(`${EX}m:none`)).toEqual([]);
      });

      it('hands out the oldest scheduled task of an activity, once', async () => {
        const a = await started('m', 'a');
        await store.appendExecution({
          executionArn: a.arn, expectedLastEventId: 2, events: [],
          tasksAdded: [
            task('late', { activityArn: `${ACT}w`, createdAt: 300 }),
            task('early', { activityArn: `${ACT}w`, createdAt: 100 }),
            task('middle', { activityArn: `${ACT}w`, createdAt: 200 }),
            task('closed', { activityArn: `${ACT}w`, createdAt: 50 }),
            task('elsewhere', { activityArn: `${ACT}other`, createdAt: 10 }),
            task('callback', { createdAt: 5 }),
          ],
          tasksClosed: ['closed'],
        });
        const claimed = await store.claimActivityTask(`${ACT}w`, 'worker-1', 1_000);
        expect(claimed).toEqual(task('early', { activityArn: `${ACT}w`, createdAt: 100, executionArn: a.arn, status: 'STARTED', workerName: 'worker-1', startedAt: 1_000 }));
        expect(await store.getTask('early')).toEqual(claimed);
        const anonymous = await store.claimActivityTask(`${ACT}w`, undefined, 1_001);
        expect(anonymous!.token).toBe('middle');
        expect(Object.keys(anonymous!)).not.toContain('workerName');
        expect((await store.claimActivityTask(`${ACT}w`, 'w', 1_002))!.token).toBe('late');
        expect(await store.claimActivityTask(`${ACT}w`, 'w', 1_003)).toBeUndefined();
        expect(await store.claimActivityTask(`${ACT}none`, 'w', 1_003)).toBeUndefined();
        expect((await store.getTask('callback'))!.status).toBe('SCHEDULED');
      });

      it('never hands a task out twice under concurrent claims', async () => {
        const a = await started('m', 'a');
        const tasks = Array.from({ length: 20 }, (_, i) => task(`t${i}`, { activityArn: `${ACT}w`, createdAt: i }));
        await store.appendExecution({ executionArn: a.arn, expectedLastEventId: 2, events: [], tasksAdded: tasks });
        const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => store.claimActivityTask(`${ACT}w`, `worker-${i}`, 5_000)));
        const tokens = claims.filter((c) => c !== undefined).map((c) => c!.token);
        expect(tokens).toHaveLength(20);
        expect(new Set(tokens).size).toBe(20);
        expect(tokens).toEqual(tasks.map((t) => t.token));
        expect(claims.filter((c) => c === undefined)).toHaveLength(30);
      });
    });

    describe('what started an execution', () => {
      it('keeps startedBy as written, and leaves it out for an API start', async () => {
        const bySchedule = await started('m', 'scheduled', { startedBy: { type: 'schedule', arn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/s', scheduledTime: 60_000 } });
        expect(bySchedule.startedBy).toEqual({ type: 'schedule', arn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/s', scheduledTime: 60_000 });
        const byRule = await started('m', 'ruled', { startedBy: { type: 'rule', arn: 'arn:aws:events:us-east-1:123456789012:rule/r', eventId: 'e-1' } });
        expect(byRule.startedBy).toEqual({ type: 'rule', arn: 'arn:aws:events:us-east-1:123456789012:rule/r', eventId: 'e-1' });
        expect(Object.keys(await started('m', 'api'))).not.toContain('startedBy');
      });
    });

    deadLetterTests(() => store);

    it('refuses writes once closed', async () => {
      const closing = await makeStore();
      await closing.close();
      await expect(closing.createStateMachine(stateMachine('late'))).rejects.toThrow(/closed/);
    });
  });
}

/**
 * The dead-letter tests alone, for a backend whose DeadLetterStore stands without a whole Store
 * (PostgreSQL's trigger stores, src/store/postgres/triggers.test.ts).
 */
export function deadLetterContract(name: string, make: () => Promise<Pick<Store, 'deadLetters' | 'close'>>): void {
  describe(`DeadLetterStore contract: ${name}`, () => {
    let store: Pick<Store, 'deadLetters' | 'close'>;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });
    deadLetterTests(() => store);
  });
}

/** Registers the 'dead letters' tests on the store `current` answers at the time each runs. */
function deadLetterTests(current: () => Pick<Store, 'deadLetters'>): void {
  describe('dead letters', () => {
    const letter = (id: string, overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord => ({
      id, source: 'rule', sourceArn: 'arn:aws:events:us-east-1:123456789012:rule/r', targetArn: `${SM}target`, targetId: 't1',
      payload: '{"detail":{}}', error: 'States.Error', cause: 'boom', attempts: 3, eventTime: 1_000, time: 2_000, ...overrides,
    });

    it('lists newest first, by source and by source ARN, in pages; an id is kept once', async () => {
      const store = current();
      await store.deadLetters.add([letter('a'), letter('b', { source: 'schedule', sourceArn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/s' })]);
      await store.deadLetters.add([letter('c'), letter('a', { cause: 'again' })]);
      const all = await store.deadLetters.list({}, { limit: 10 });
      expect(all.items.map((l) => l.id)).toEqual(['c', 'b', 'a']);
      expect(all.items[2]).toEqual(letter('a'));
      expect(all.nextToken).toBeUndefined();
      expect((await store.deadLetters.list({ source: 'schedule' }, { limit: 10 })).items.map((l) => l.id)).toEqual(['b']);
      expect((await store.deadLetters.list({ sourceArn: letter('x').sourceArn }, { limit: 10 })).items.map((l) => l.id)).toEqual(['c', 'a']);
      const first = await store.deadLetters.list({}, { limit: 2 });
      expect(first.items.map((l) => l.id)).toEqual(['c', 'b']);
      const second = await store.deadLetters.list({}, { limit: 2, nextToken: first.nextToken! });
      expect(second.items.map((l) => l.id)).toEqual(['a']);
      expect(second.nextToken).toBeUndefined();
      await expect(store.deadLetters.list({ source: 'rule' }, { limit: 2, nextToken: first.nextToken! })).rejects.toThrow();
    });

    it('removes the letters named, and says how many there were', async () => {
      const store = current();
      await store.deadLetters.add([letter('a'), letter('b'), letter('c')]);
      expect(await store.deadLetters.remove(['a', 'c', 'missing'])).toBe(2);
      expect((await store.deadLetters.list({}, { limit: 10 })).items.map((l) => l.id)).toEqual(['b']);
    });

    it('purges the letters given up before a time, a batch at a time', async () => {
      const store = current();
      await store.deadLetters.add([letter('old1', { time: 100 }), letter('new', { time: 5_000 }), letter('old2', { time: 200 }), letter('old3', { time: 300 })]);
      expect(await store.deadLetters.purge(1_000, 2)).toBe(2);
      expect(await store.deadLetters.purge(1_000, 2)).toBe(1);
      expect(await store.deadLetters.purge(1_000, 2)).toBe(0);
      expect((await store.deadLetters.list({}, { limit: 10 })).items.map((l) => l.id)).toEqual(['new']);
    });
  });
}
