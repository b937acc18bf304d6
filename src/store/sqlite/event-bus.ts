/**
 * The event bus store on SQLite (migration 11, `event_bus`). Reads run directly; every write
 * goes through the store's group commit, so its checks and its change share one transaction
 * (BEGIN IMMEDIATE: atomic against other processes on the file too).
 *
 * A delivery claim is `UPDATE … SET claim = <fresh token>, claimed_until = now + lease WHERE
 * <due and not held>` inside that transaction: two processes can never both hold a row, and a
 * completion or a reschedule only touches the row while its claim token is still the caller's.
 * Rules and targets bump the `event_rules_version` counter in the same transaction, so every
 * process sharing the file sees when its compiled patterns are stale.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { decodePageToken, encodePageToken, pageLimit } from '../page-token.js';
import type {
  ApiDestinationRecord,
  ClaimedDelivery,
  ConnectionRecord,
  CreateNamedResult,
  DeleteRuleResult,
  DeliveryRecord,
  EventBusStore,
  EventRuleRecord,
  EventRuleState,
  EventTargetRecord,
  PutRuleResult,
  PutTargetsResult,
} from '../event-bus.js';
import type { Page, PageRequest } from '../types.js';
import type { GroupCommit } from './group-commit.js';


interface DeliveryRow {
  id: string;
  event_id: string;
  rule_arn: string;
  target_id: string;
  event: string;
  event_time: number;
  attempts: number;
  next_attempt_at: number;
  claim: string | null;
}

export class SqliteEventBusStore implements EventBusStore {
  private readonly q: ReturnType<typeof statements>;

  constructor(
    db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.q = statements(db);
  }

  putRule(rule: EventRuleRecord, options: { readonly maxRules: number }): Promise<PutRuleResult> {
    return this.commits.submit((): PutRuleResult => {
      const existing = this.q.getRule.get(rule.eventBusName, rule.name) as { record: string } | undefined;
      if (existing) {
        const before = JSON.parse(existing.record) as EventRuleRecord;
        const stored = { ...rule, arn: before.arn, createdAt: before.createdAt };
        this.q.updateRule.run(JSON.stringify(stored), rule.eventBusName, rule.name);
        this.bump();
        return { outcome: 'updated', rule: stored };
      }
      if ((this.q.countRules.get(rule.eventBusName) as number) >= options.maxRules) return { outcome: 'limit-exceeded' };
      this.q.insertRule.run(rule.arn, rule.eventBusName, rule.name, JSON.stringify(rule));
      this.bump();
      return { outcome: 'created', rule };
    });
  }

  async getRule(eventBusName: string, name: string): Promise<EventRuleRecord | undefined> {
    const row = this.q.getRule.get(eventBusName, name) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as EventRuleRecord);
  }

  setRuleState(eventBusName: string, name: string, state: EventRuleState): Promise<boolean> {
    return this.commits.submit(() => {
      const row = this.q.getRule.get(eventBusName, name) as { record: string } | undefined;
      if (!row) return false;
      this.q.updateRule.run(JSON.stringify({ ...(JSON.parse(row.record) as EventRuleRecord), state }), eventBusName, name);
      this.bump();
      return true;
    });
  }

  deleteRule(eventBusName: string, name: string): Promise<DeleteRuleResult> {
    return this.commits.submit((): DeleteRuleResult => {
      const row = this.q.getRule.get(eventBusName, name) as { record: string; arn: string } | undefined;
      if (!row) return 'absent';
      if (this.q.hasTargets.get(row.arn)) return 'has-targets';
      this.q.deleteRule.run(eventBusName, name);
      this.bump();
      return 'deleted';
    });
  }

  async listRules(eventBusName: string, namePrefix: string | undefined, page: PageRequest): Promise<Page<EventRuleRecord>> {
    const scope = `rules:${eventBusName}:${namePrefix ?? ''}`;
    const after = afterName(page, scope);
    const limit = pageLimit(page.limit);
    const rows = this.q.listRules.all(eventBusName, after, prefixPattern(namePrefix), limit + 1) as { name: string; record: string }[];
    return paged(rows, limit, scope, (r) => r.name, (r) => JSON.parse(r.record) as EventRuleRecord);
  }

  putTargets(ruleArn: string, targets: readonly EventTargetRecord[], options: { readonly maxTargets: number }): Promise<PutTargetsResult> {
    return this.commits.submit((): PutTargetsResult => {
      if (!this.q.ruleByArn.get(ruleArn)) return 'no-rule';
      const ids = new Set([...(this.q.targetIds.all(ruleArn) as string[]), ...targets.map((t) => t.id)]);
      if (ids.size > options.maxTargets) return 'limit-exceeded';
      for (const t of targets) this.q.upsertTarget.run(ruleArn, t.id, t.arn, JSON.stringify(t.target));
      this.bump();
      return 'written';
    });
  }

  removeTargets(ruleArn: string, ids: readonly string[]): Promise<boolean> {
    return this.commits.submit(() => {
      if (!this.q.ruleByArn.get(ruleArn)) return false;
      for (const id of ids) this.q.deleteTarget.run(ruleArn, id);
      this.bump();
      return true;
    });
  }

  async listTargets(ruleArn: string, page: PageRequest): Promise<Page<EventTargetRecord>> {
    const scope = `targets:${ruleArn}`;
    const limit = pageLimit(page.limit);
    const rows = this.q.listTargets.all(ruleArn, afterName(page, scope), limit + 1) as TargetRow[];
    return paged(rows, limit, scope, (r) => r.id, targetOf);
  }

  async listRuleNamesByTarget(eventBusName: string, targetArn: string, page: PageRequest): Promise<Page<string>> {
    const scope = `by-target:${eventBusName}:${targetArn}`;
    const limit = pageLimit(page.limit);
    const names = this.q.ruleNamesByTarget.all(eventBusName, targetArn, afterName(page, scope), limit + 1) as string[];
    return paged(names, limit, scope, (n) => n, (n) => n);
  }

  async rulesWithTargets(eventBusName: string): Promise<ReadonlyArray<{ readonly rule: EventRuleRecord; readonly targets: readonly EventTargetRecord[] }>> {
    const rules = (this.q.allRules.all(eventBusName) as { record: string }[]).map((r) => JSON.parse(r.record) as EventRuleRecord);
    const byRule = new Map<string, EventTargetRecord[]>();
    for (const row of this.q.allTargets.all(eventBusName) as TargetRow[]) {
      let list = byRule.get(row.rule_arn);
      if (!list) byRule.set(row.rule_arn, (list = []));
      list.push(targetOf(row));
    }
    return rules.map((rule) => ({ rule, targets: byRule.get(rule.arn) ?? [] }));
  }

  async rulesVersion(): Promise<number> {
    return (this.q.version.get() as number | undefined) ?? 0;
  }

  createConnection(record: ConnectionRecord): Promise<CreateNamedResult> {
    return this.commits.submit(() => (this.q.insertConnection.run(record.name, JSON.stringify(record)).changes > 0 ? 'created' : 'exists'));
  }

  async getConnection(name: string): Promise<ConnectionRecord | undefined> {
    const record = this.q.getConnection.get(name) as string | undefined;
    return record === undefined ? undefined : (JSON.parse(record) as ConnectionRecord);
  }

  deleteConnection(name: string): Promise<boolean> {
    return this.commits.submit(() => this.q.deleteConnection.run(name).changes > 0);
  }

  async listConnections(namePrefix: string | undefined, page: PageRequest): Promise<Page<ConnectionRecord>> {
    const scope = `connections:${namePrefix ?? ''}`;
    const limit = pageLimit(page.limit);
    const rows = this.q.listConnections.all(afterName(page, scope), prefixPattern(namePrefix), limit + 1) as { name: string; record: string }[];
    return paged(rows, limit, scope, (r) => r.name, (r) => JSON.parse(r.record) as ConnectionRecord);
  }

  createApiDestination(record: ApiDestinationRecord): Promise<CreateNamedResult> {
    return this.commits.submit(() => (this.q.insertDestination.run(record.name, JSON.stringify(record)).changes > 0 ? 'created' : 'exists'));
  }

  async getApiDestination(name: string): Promise<ApiDestinationRecord | undefined> {
    const record = this.q.getDestination.get(name) as string | undefined;
    return record === undefined ? undefined : (JSON.parse(record) as ApiDestinationRecord);
  }

  deleteApiDestination(name: string): Promise<boolean> {
    return this.commits.submit(() => this.q.deleteDestination.run(name).changes > 0);
  }

  async listApiDestinations(namePrefix: string | undefined, page: PageRequest): Promise<Page<ApiDestinationRecord>> {
    const scope = `api-destinations:${namePrefix ?? ''}`;
    const limit = pageLimit(page.limit);
    const rows = this.q.listDestinations.all(afterName(page, scope), prefixPattern(namePrefix), limit + 1) as { name: string; record: string }[];
    return paged(rows, limit, scope, (r) => r.name, (r) => JSON.parse(r.record) as ApiDestinationRecord);
  }

  enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return Promise.resolve();
    return this.commits.submit(() => {
      for (const d of deliveries) this.q.insertDelivery.run(d.id, d.eventId, d.ruleArn, d.targetId, d.event, d.eventTime, d.attempts, d.nextAttemptAt);
    }, deliveries.length);
  }

  claimDeliveries(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedDelivery[]> {
    return this.commits.submit(() => {
      const rows = this.q.dueDeliveries.all(now, now, pageLimit(limit)) as DeliveryRow[];
      return rows.map((row): ClaimedDelivery => {
        const claim = randomUUID();
        this.q.claimDelivery.run(claim, now + leaseMs, row.id);
        return { ...deliveryOf(row), claim };
      });
    });
  }

  completeDelivery(id: string, claim: string): Promise<boolean> {
    return this.commits.submit(() => this.q.deleteDelivery.run(id, claim).changes > 0);
  }

  rescheduleDelivery(id: string, claim: string, attempts: number, nextAttemptAt: number): Promise<boolean> {
    return this.commits.submit(() => this.q.rescheduleDelivery.run(attempts, nextAttemptAt, id, claim).changes > 0);
  }

  async nextDeliveryDue(): Promise<number | undefined> {
    return (this.q.nextDue.get() as number | null | undefined) ?? undefined;
  }

  async countDeliveries(): Promise<number> {
    return this.q.countDeliveries.get() as number;
  }

  private bump(): void {
    this.q.bumpVersion.run();
  }
}

interface TargetRow {
  rule_arn: string;
  id: string;
  arn: string;
  target: string;
}

function targetOf(row: TargetRow): EventTargetRecord {
  return { ruleArn: row.rule_arn, id: row.id, arn: row.arn, target: JSON.parse(row.target) as Record<string, unknown> };
}

function deliveryOf(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    ruleArn: row.rule_arn,
    targetId: row.target_id,
    event: row.event,
    eventTime: row.event_time,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
  };
}

/** The name a page starts after ('' before the first: every name is greater). */
function afterName(page: PageRequest, scope: string): string {
  return page.nextToken !== undefined ? (decodePageToken(page.nextToken, scope, ['string'])[0] as string) : '';
}

/** A GLOB pattern matching names that start with the prefix (GLOB is case-sensitive, as AWS's NamePrefix is). */
function prefixPattern(prefix: string | undefined): string {
  return `${(prefix ?? '').replace(/[*?[\]]/g, (c) => `[${c}]`)}*`;
}

function paged<R, T>(rows: readonly R[], limit: number, scope: string, nameOf: (row: R) => string, out: (row: R) => T): Page<T> {
  const taken = rows.slice(0, limit);
  return {
    items: taken.map(out),
    ...(rows.length > limit ? { nextToken: encodePageToken(scope, [nameOf(taken[taken.length - 1]!)]) } : {}),
  };
}

function statements(db: Database.Database) {
  return {
    getRule: db.prepare('SELECT arn, record FROM event_rules WHERE bus = ? AND name = ?'),
    ruleByArn: db.prepare('SELECT 1 FROM event_rules WHERE arn = ?'),
    countRules: db.prepare('SELECT count(*) FROM event_rules WHERE bus = ?').pluck(),
    insertRule: db.prepare('INSERT INTO event_rules (arn, bus, name, record) VALUES (?, ?, ?, ?)'),
    updateRule: db.prepare('UPDATE event_rules SET record = ? WHERE bus = ? AND name = ?'),
    deleteRule: db.prepare('DELETE FROM event_rules WHERE bus = ? AND name = ?'),
    hasTargets: db.prepare('SELECT 1 FROM event_targets WHERE rule_arn = ? LIMIT 1'),
    listRules: db.prepare('SELECT name, record FROM event_rules WHERE bus = ? AND name > ? AND name GLOB ? ORDER BY name LIMIT ?'),
    allRules: db.prepare('SELECT record FROM event_rules WHERE bus = ? ORDER BY name'),
    allTargets: db.prepare('SELECT t.* FROM event_targets t JOIN event_rules r ON r.arn = t.rule_arn WHERE r.bus = ? ORDER BY t.rule_arn, t.id'),
    targetIds: db.prepare('SELECT id FROM event_targets WHERE rule_arn = ?').pluck(),
    upsertTarget: db.prepare('INSERT INTO event_targets (rule_arn, id, arn, target) VALUES (?, ?, ?, ?) ON CONFLICT (rule_arn, id) DO UPDATE SET arn = excluded.arn, target = excluded.target'),
    deleteTarget: db.prepare('DELETE FROM event_targets WHERE rule_arn = ? AND id = ?'),
    listTargets: db.prepare('SELECT * FROM event_targets WHERE rule_arn = ? AND id > ? ORDER BY id LIMIT ?'),
    ruleNamesByTarget: db
      .prepare('SELECT DISTINCT r.name FROM event_rules r JOIN event_targets t ON t.rule_arn = r.arn WHERE r.bus = ? AND t.arn = ? AND r.name > ? ORDER BY r.name LIMIT ?')
      .pluck(),
    version: db.prepare("SELECT value FROM counters WHERE name = 'event_rules_version'").pluck(),
    bumpVersion: db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'event_rules_version'"),
    insertConnection: db.prepare('INSERT INTO event_connections (name, record) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    getConnection: db.prepare('SELECT record FROM event_connections WHERE name = ?').pluck(),
    deleteConnection: db.prepare('DELETE FROM event_connections WHERE name = ?'),
    listConnections: db.prepare('SELECT name, record FROM event_connections WHERE name > ? AND name GLOB ? ORDER BY name LIMIT ?'),
    insertDestination: db.prepare('INSERT INTO event_api_destinations (name, record) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    getDestination: db.prepare('SELECT record FROM event_api_destinations WHERE name = ?').pluck(),
    deleteDestination: db.prepare('DELETE FROM event_api_destinations WHERE name = ?'),
    listDestinations: db.prepare('SELECT name, record FROM event_api_destinations WHERE name > ? AND name GLOB ? ORDER BY name LIMIT ?'),
    insertDelivery: db.prepare(
      'INSERT INTO event_deliveries (id, event_id, rule_arn, target_id, event, event_time, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    ),
    dueDeliveries: db.prepare(
      'SELECT * FROM event_deliveries WHERE next_attempt_at <= ? AND (claim IS NULL OR claimed_until <= ?) ORDER BY next_attempt_at LIMIT ?',
    ),
    claimDelivery: db.prepare('UPDATE event_deliveries SET claim = ?, claimed_until = ? WHERE id = ?'),
    deleteDelivery: db.prepare('DELETE FROM event_deliveries WHERE id = ? AND claim = ?'),
    rescheduleDelivery: db.prepare('UPDATE event_deliveries SET attempts = ?, next_attempt_at = ?, claim = NULL, claimed_until = NULL WHERE id = ? AND claim = ?'),
    nextDue: db.prepare('SELECT min(CASE WHEN claim IS NULL THEN next_attempt_at ELSE max(next_attempt_at, claimed_until) END) FROM event_deliveries').pluck(),
    countDeliveries: db.prepare('SELECT count(*) FROM event_deliveries').pluck(),
  };
}
