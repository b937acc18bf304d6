/**
 * The behaviour every EventBusStore shares, as one vitest suite each backend registers with its
 * own factory (test/events/event-bus-store.test.ts):
 *
 *   eventBusContract('sqlite', () => openSqliteStore(tempFile()));
 *
 * Each test gets a fresh, empty store and closes it afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryRecord, EventRuleRecord, EventTargetRecord } from './event-bus.js';
import type { Store } from './types.js';

const RULE = 'arn:aws:events:us-east-1:123456789012:rule/';
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:';

export function rule(name: string, overrides: Partial<EventRuleRecord> = {}): EventRuleRecord {
  return { arn: RULE + name, name, eventBusName: 'default', eventPattern: '{"source":["a"]}', state: 'ENABLED', createdAt: 1_000, ...overrides };
}

export function target(ruleName: string, id: string, arn = SM + id): EventTargetRecord {
  return { ruleArn: RULE + ruleName, id, arn, target: { Id: id, Arn: arn, Input: '{"x":1}' } };
}

export function delivery(id: string, nextAttemptAt = 0, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return { id, eventId: `e-${id}`, ruleArn: RULE + 'r', targetId: 't', event: '{"id":"e"}', eventTime: 0, attempts: 0, nextAttemptAt, ...overrides };
}

export function eventBusContract(name: string, open: () => Promise<Store>): void {
  describe(`EventBusStore contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates, replaces, describes, enables and deletes rules; a rule with targets is not deleted', async () => {
      const bus = store.eventBus;
      expect(await bus.putRule(rule('r'), { maxRules: 10 })).toMatchObject({ outcome: 'created', rule: rule('r') });
      const replaced = await bus.putRule(rule('r', { createdAt: 5_000, arn: 'other', description: 'd', eventPattern: '{"source":["b"]}' }), { maxRules: 10 });
      // A replaced rule keeps its ARN and creation time.
      expect(replaced).toMatchObject({ outcome: 'updated', rule: { arn: RULE + 'r', createdAt: 1_000, description: 'd', eventPattern: '{"source":["b"]}' } });
      expect(await bus.getRule('default', 'r')).toEqual(replaced.outcome === 'updated' ? replaced.rule : undefined);
      expect(await bus.getRule('other-bus', 'r')).toBeUndefined();
      expect(await bus.setRuleState('default', 'r', 'DISABLED')).toBe(true);
      expect((await bus.getRule('default', 'r'))!.state).toBe('DISABLED');
      expect(await bus.setRuleState('default', 'nope', 'DISABLED')).toBe(false);
      expect(await bus.putTargets(RULE + 'r', [target('r', 't1')], { maxTargets: 5 })).toBe('written');
      expect(await bus.deleteRule('default', 'r')).toBe('has-targets');
      expect(await bus.removeTargets(RULE + 'r', ['t1', 'absent'])).toBe(true);
      expect(await bus.deleteRule('default', 'r')).toBe('deleted');
      expect(await bus.deleteRule('default', 'r')).toBe('absent');
      expect(await bus.getRule('default', 'r')).toBeUndefined();
    });

    it('refuses a new rule beyond the quota, never an update', async () => {
      const bus = store.eventBus;
      await bus.putRule(rule('a'), { maxRules: 2 });
      await bus.putRule(rule('b'), { maxRules: 2 });
      expect(await bus.putRule(rule('c'), { maxRules: 2 })).toEqual({ outcome: 'limit-exceeded' });
      expect((await bus.putRule(rule('a', { description: 'x' }), { maxRules: 2 })).outcome).toBe('updated');
      // The quota is per bus.
      expect((await bus.putRule(rule('c', { eventBusName: 'custom', arn: `${RULE}custom/c` }), { maxRules: 2 })).outcome).toBe('created');
    });

    it('lists rules by name, with a prefix, in pages', async () => {
      const bus = store.eventBus;
      for (const n of ['b2', 'a1', 'b1', 'b3', 'c*']) await bus.putRule(rule(n), { maxRules: 10 });
      const all = await bus.listRules('default', undefined, { limit: 10 });
      expect(all.items.map((r) => r.name)).toEqual(['a1', 'b1', 'b2', 'b3', 'c*']);
      expect(all.nextToken).toBeUndefined();
      const first = await bus.listRules('default', 'b', { limit: 2 });
      expect(first.items.map((r) => r.name)).toEqual(['b1', 'b2']);
      const second = await bus.listRules('default', 'b', { limit: 2, nextToken: first.nextToken! });
      expect(second.items.map((r) => r.name)).toEqual(['b3']);
      expect(second.nextToken).toBeUndefined();
      // Prefixes are literal, also with GLOB's special characters.
      expect((await bus.listRules('default', 'c*', { limit: 10 })).items.map((r) => r.name)).toEqual(['c*']);
      expect((await bus.listRules('default', 'c?', { limit: 10 })).items).toEqual([]);
      await expect(bus.listRules('default', 'a', { limit: 2, nextToken: first.nextToken! })).rejects.toThrow();
    });

    it('puts targets by Id within the quota, lists them, finds rules by target, and moves the rules version', async () => {
      const bus = store.eventBus;
      const v0 = await bus.rulesVersion();
      expect(await bus.putTargets(RULE + 'r', [target('r', 't1')], { maxTargets: 2 })).toBe('no-rule');
      await bus.putRule(rule('r'), { maxRules: 10 });
      await bus.putRule(rule('s'), { maxRules: 10 });
      const v1 = await bus.rulesVersion();
      expect(v1).not.toBe(v0);
      expect(await bus.putTargets(RULE + 'r', [target('r', 't2'), target('r', 't1')], { maxTargets: 2 })).toBe('written');
      expect(await bus.putTargets(RULE + 'r', [target('r', 't3')], { maxTargets: 2 })).toBe('limit-exceeded');
      // Replacing by Id does not count twice.
      const changed = { ...target('r', 't1'), target: { Id: 't1', Arn: SM + 't1', Input: '{"x":2}' } };
      expect(await bus.putTargets(RULE + 'r', [changed], { maxTargets: 2 })).toBe('written');
      await bus.putTargets(RULE + 's', [target('s', 'x', SM + 't1')], { maxTargets: 2 });
      expect(await bus.rulesVersion()).not.toBe(v1);
      const page = await bus.listTargets(RULE + 'r', { limit: 1 });
      expect(page.items).toEqual([changed]);
      expect((await bus.listTargets(RULE + 'r', { limit: 1, nextToken: page.nextToken! })).items).toEqual([target('r', 't2')]);
      expect((await bus.listRuleNamesByTarget('default', SM + 't1', { limit: 10 })).items).toEqual(['r', 's']);
      const withTargets = await bus.rulesWithTargets('default');
      expect(withTargets.map((w) => [w.rule.name, w.targets.map((t) => t.id)])).toEqual([
        ['r', ['t1', 't2']],
        ['s', ['x']],
      ]);
      expect(await bus.rulesWithTargets('custom')).toEqual([]);
    });

    it('creates connections and API destinations once by name', async () => {
      const bus = store.eventBus;
      const connection = {
        arn: 'arn:aws:events:us-east-1:123456789012:connection/c/1', name: 'c', authorizationType: 'API_KEY' as const,
        authParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-key', ApiKeyValue: 'secret' } }, createdAt: 1, updatedAt: 1,
      };
      expect(await bus.createConnection(connection)).toBe('created');
      expect(await bus.createConnection({ ...connection, arn: 'other' })).toBe('exists');
      expect(await bus.getConnection('c')).toEqual(connection);
      const destination = {
        arn: 'arn:aws:events:us-east-1:123456789012:api-destination/d/1', name: 'd', connectionArn: connection.arn,
        invocationEndpoint: 'https://example.com/*', httpMethod: 'POST', invocationRateLimitPerSecond: 300, createdAt: 1, updatedAt: 1,
      };
      expect(await bus.createApiDestination(destination)).toBe('created');
      expect(await bus.createApiDestination(destination)).toBe('exists');
      expect((await bus.listApiDestinations(undefined, { limit: 10 })).items).toEqual([destination]);
      expect((await bus.listConnections('x', { limit: 10 })).items).toEqual([]);
      expect(await bus.deleteApiDestination('d')).toBe(true);
      expect(await bus.deleteApiDestination('d')).toBe(false);
      expect(await bus.deleteConnection('c')).toBe(true);
      expect(await bus.getConnection('c')).toBeUndefined();
    });

    it('claims due deliveries once, oldest first; a lost lease is claimed again; a stale claim changes nothing', async () => {
      const bus = store.eventBus;
      await bus.enqueueDeliveries([delivery('late', 500), delivery('a', 100), delivery('b', 200)]);
      expect(await bus.countDeliveries()).toBe(3);
      expect(await bus.nextDeliveryDue()).toBe(100);
      const [one, two] = await Promise.all([bus.claimDeliveries(300, 1, 1_000), bus.claimDeliveries(300, 5, 1_000)]);
      const claimed = [...one, ...two].map((d) => d.id).sort();
      expect(claimed).toEqual(['a', 'b']); // each due row once, 'late' not yet
      expect(await bus.claimDeliveries(300, 5, 1_000)).toEqual([]);
      const a = [...one, ...two].find((d) => d.id === 'a')!;
      expect(a).toMatchObject({ eventId: 'e-a', attempts: 0, event: '{"id":"e"}' });
      // The lease of both runs out at 1,300: they are claimed again, with new claims.
      const again = await bus.claimDeliveries(1_300, 5, 10_000);
      expect(again.map((d) => d.id).sort()).toEqual(['a', 'b', 'late']);
      expect(await bus.completeDelivery('a', a.claim)).toBe(false);
      expect(await bus.rescheduleDelivery('a', a.claim, 1, 9_999)).toBe(false);
      const fresh = again.find((d) => d.id === 'a')!;
      expect(await bus.rescheduleDelivery('a', fresh.claim, 1, 5_000)).toBe(true);
      expect((await bus.claimDeliveries(4_999, 5, 1_000)).map((d) => d.id)).toEqual([]);
      const retried = await bus.claimDeliveries(5_000, 5, 1_000);
      expect(retried).toMatchObject([{ id: 'a', attempts: 1, nextAttemptAt: 5_000 }]);
      expect(await bus.completeDelivery('a', retried[0]!.claim)).toBe(true);
      expect(await bus.countDeliveries()).toBe(2);
      // Enqueueing an id twice keeps the first (a repeated write after a crash).
      await bus.enqueueDeliveries([delivery('b', 0, { attempts: 7 })]);
      expect(await bus.countDeliveries()).toBe(2);
    });
  });
}
