/**
 * The event bus store on PostgreSQL (migration 2, schema-triggers.ts), for several nodes on one
 * database:
 * - every rule and target write starts by locking the one row of `event_rules_version` and ends
 *   by moving it on, in one transaction: rule and target writes take turns, so the rule quota and
 *   the target limit are checked with no other write in flight, and every node sees the version
 *   change exactly when the change itself becomes visible;
 * - the delivery outbox is claimed with FOR UPDATE SKIP LOCKED: concurrent claimers take
 *   different rows without waiting, each row gets a fresh claim token and a lease, and completing
 *   or rescheduling a row names its token, so a worker whose lease was taken over changes nothing.
 * Records are JSON texts, stored and read back byte for byte.
 */
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
import type { Client, PostgresDatabase } from './db.js';
import { int8, int8OrUndefined } from './int8.js';

interface DeliveryRow {
  id: string;
  event_id: string;
  rule_arn: string;
  target_id: string;
  event: string;
  event_time: string;
  attempts: number;
  next_attempt_at: string;
  claim: string;
}

interface TargetRow {
  rule_arn: string;
  id: string;
  arn: string;
  target: string;
}

/** The two tables of records kept whole by name. */
type NamedTable = 'event_connections' | 'event_api_destinations';

export class PostgresEventBusStore implements EventBusStore {
  constructor(private readonly db: PostgresDatabase) {}

  putRule(rule: EventRuleRecord, options: { readonly maxRules: number }): Promise<PutRuleResult> {
    return this.ruleWrite(async (client, changed): Promise<PutRuleResult> => {
      const existing = await ruleRecord(client, rule.eventBusName, rule.name);
      if (existing) {
        const stored = { ...rule, arn: existing.arn, createdAt: existing.createdAt };
        await client.query('UPDATE event_rules SET record = $1 WHERE bus = $2 AND name = $3', [JSON.stringify(stored), rule.eventBusName, rule.name]);
        await changed();
        return { outcome: 'updated', rule: stored };
      }
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM event_rules WHERE bus = $1', [rule.eventBusName]);
      if (int8(rows[0]!.n) >= options.maxRules) return { outcome: 'limit-exceeded' };
      await client.query('INSERT INTO event_rules (arn, bus, name, record) VALUES ($1, $2, $3, $4)', [rule.arn, rule.eventBusName, rule.name, JSON.stringify(rule)]);
      await changed();
      return { outcome: 'created', rule };
    });
  }

  async getRule(eventBusName: string, name: string): Promise<EventRuleRecord | undefined> {
    return ruleRecord(this.db, eventBusName, name);
  }

  setRuleState(eventBusName: string, name: string, state: EventRuleState): Promise<boolean> {
    return this.ruleWrite(async (client, changed) => {
      const existing = await ruleRecord(client, eventBusName, name);
      if (!existing) return false;
      await client.query('UPDATE event_rules SET record = $1 WHERE bus = $2 AND name = $3', [JSON.stringify({ ...existing, state }), eventBusName, name]);
      await changed();
      return true;
    });
  }

  deleteRule(eventBusName: string, name: string): Promise<DeleteRuleResult> {
    return this.ruleWrite(async (client, changed): Promise<DeleteRuleResult> => {
      const existing = await ruleRecord(client, eventBusName, name);
      if (!existing) return 'absent';
      if ((await client.query('SELECT 1 FROM event_targets WHERE rule_arn = $1 LIMIT 1', [existing.arn])).rowCount) return 'has-targets';
      await client.query('DELETE FROM event_rules WHERE bus = $1 AND name = $2', [eventBusName, name]);
      await changed();
      return 'deleted';
    });
  }

  async listRules(eventBusName: string, namePrefix: string | undefined, page: PageRequest): Promise<Page<EventRuleRecord>> {
    const scope = `rules:${eventBusName}:${namePrefix ?? ''}`;
    const limit = pageLimit(page.limit);
    const { rows } = await this.db.query<{ name: string; record: string }>(
      'SELECT name, record FROM event_rules WHERE bus = $1 AND name > $2 AND starts_with(name, $3) ORDER BY name LIMIT $4',
      [eventBusName, afterName(page, scope), namePrefix ?? '', limit + 1],
    );
    return paged(rows, limit, scope, (r) => r.name, (r) => JSON.parse(r.record) as EventRuleRecord);
  }

  putTargets(ruleArn: string, targets: readonly EventTargetRecord[], options: { readonly maxTargets: number }): Promise<PutTargetsResult> {
    return this.ruleWrite(async (client, changed): Promise<PutTargetsResult> => {
      if (!(await client.query('SELECT 1 FROM event_rules WHERE arn = $1', [ruleArn])).rowCount) return 'no-rule';
      const { rows } = await client.query<{ id: string }>('SELECT id FROM event_targets WHERE rule_arn = $1', [ruleArn]);
      const ids = new Set([...rows.map((r) => r.id), ...targets.map((t) => t.id)]);
      if (ids.size > options.maxTargets) return 'limit-exceeded';
      for (const t of targets) {
        await client.query(
          'INSERT INTO event_targets (rule_arn, id, arn, target) VALUES ($1, $2, $3, $4) ON CONFLICT (rule_arn, id) DO UPDATE SET arn = excluded.arn, target = excluded.target',
          [ruleArn, t.id, t.arn, JSON.stringify(t.target)],
        );
      }
      await changed();
      return 'written';
    });
  }

  removeTargets(ruleArn: string, ids: readonly string[]): Promise<boolean> {
    return this.ruleWrite(async (client, changed) => {
      if (!(await client.query('SELECT 1 FROM event_rules WHERE arn = $1', [ruleArn])).rowCount) return false;
      await client.query('DELETE FROM event_targets WHERE rule_arn = $1 AND id = ANY($2::text[])', [ruleArn, ids]);
      await changed();
      return true;
    });
  }

  async listTargets(ruleArn: string, page: PageRequest): Promise<Page<EventTargetRecord>> {
    const scope = `targets:${ruleArn}`;
    const limit = pageLimit(page.limit);
    const { rows } = await this.db.query<TargetRow>('SELECT * FROM event_targets WHERE rule_arn = $1 AND id > $2 ORDER BY id LIMIT $3', [
      ruleArn,
      afterName(page, scope),
      limit + 1,
    ]);
    return paged(rows, limit, scope, (r) => r.id, targetOf);
  }

  async listRuleNamesByTarget(eventBusName: string, targetArn: string, page: PageRequest): Promise<Page<string>> {
    const scope = `by-target:${eventBusName}:${targetArn}`;
    const limit = pageLimit(page.limit);
    const { rows } = await this.db.query<{ name: string }>(
      `SELECT DISTINCT r.name FROM event_rules r JOIN event_targets t ON t.rule_arn = r.arn
       WHERE r.bus = $1 AND t.arn = $2 AND r.name > $3 ORDER BY r.name LIMIT $4`,
      [eventBusName, targetArn, afterName(page, scope), limit + 1],
    );
    return paged(rows.map((r) => r.name), limit, scope, (n) => n, (n) => n);
  }

  async rulesWithTargets(eventBusName: string): Promise<ReadonlyArray<{ readonly rule: EventRuleRecord; readonly targets: readonly EventTargetRecord[] }>> {
    // One statement, one snapshot: a rule never comes with another moment's targets.
    const { rows } = await this.db.query<{ rule_name: string; record: string } & { [K in keyof TargetRow]: string | null }>(
      `SELECT r.name AS rule_name, r.record, t.rule_arn, t.id, t.arn, t.target FROM event_rules r LEFT JOIN event_targets t ON t.rule_arn = r.arn
       WHERE r.bus = $1 ORDER BY r.name, t.id`,
      [eventBusName],
    );
    const out: Array<{ rule: EventRuleRecord; targets: EventTargetRecord[] }> = [];
    let current: { name: string; targets: EventTargetRecord[] } | undefined;
    for (const row of rows) {
      if (current?.name !== row.rule_name) {
        current = { name: row.rule_name, targets: [] };
        out.push({ rule: JSON.parse(row.record) as EventRuleRecord, targets: current.targets });
      }
      // A rule without targets comes as one row of NULL target columns (the LEFT JOIN).
      if (row.id !== null) current.targets.push(targetOf(row as TargetRow));
    }
    return out;
  }

  async rulesVersion(): Promise<number> {
    const { rows } = await this.db.query<{ value: string }>('SELECT value FROM event_rules_version');
    return rows[0] ? int8(rows[0].value) : 0;
  }

  createConnection(record: ConnectionRecord): Promise<CreateNamedResult> {
    return this.createNamed('event_connections', record);
  }

  getConnection(name: string): Promise<ConnectionRecord | undefined> {
    return this.getNamed<ConnectionRecord>('event_connections', name);
  }

  deleteConnection(name: string): Promise<boolean> {
    return this.deleteNamed('event_connections', name);
  }

  listConnections(namePrefix: string | undefined, page: PageRequest): Promise<Page<ConnectionRecord>> {
    return this.listNamed<ConnectionRecord>('event_connections', `connections:${namePrefix ?? ''}`, namePrefix, page);
  }

  createApiDestination(record: ApiDestinationRecord): Promise<CreateNamedResult> {
    return this.createNamed('event_api_destinations', record);
  }

  getApiDestination(name: string): Promise<ApiDestinationRecord | undefined> {
    return this.getNamed<ApiDestinationRecord>('event_api_destinations', name);
  }

  deleteApiDestination(name: string): Promise<boolean> {
    return this.deleteNamed('event_api_destinations', name);
  }

  listApiDestinations(namePrefix: string | undefined, page: PageRequest): Promise<Page<ApiDestinationRecord>> {
    return this.listNamed<ApiDestinationRecord>('event_api_destinations', `api-destinations:${namePrefix ?? ''}`, namePrefix, page);
  }

  async enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return;
    // One statement for the batch; a repeated id (a write repeated after a crash) keeps the first.
    await this.db.query(
      `INSERT INTO event_deliveries (id, event_id, rule_arn, target_id, event, event_time, attempts, next_attempt_at)
       SELECT id, event_id, rule_arn, target_id, event, event_time, attempts, next_attempt_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[], $8::bigint[])
         WITH ORDINALITY AS d (id, event_id, rule_arn, target_id, event, event_time, attempts, next_attempt_at, n)
       ORDER BY n
       ON CONFLICT (id) DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.ruleArn),
        deliveries.map((d) => d.targetId),
        deliveries.map((d) => d.event),
        deliveries.map((d) => d.eventTime),
        deliveries.map((d) => d.attempts),
        deliveries.map((d) => d.nextAttemptAt),
      ],
    );
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedDelivery[]> {
    // One statement: the rows are locked as they are picked (others skip them) and claimed before
    // the locks go; a row claimed meanwhile by a committed claimer is re-checked and left out.
    const { rows } = await this.db.query<DeliveryRow & { seq: string }>(
      `WITH due AS (
         SELECT seq FROM event_deliveries
         WHERE next_attempt_at <= $1 AND (claim IS NULL OR claimed_until <= $1)
         ORDER BY next_attempt_at, seq LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE event_deliveries d SET claim = gen_random_uuid()::text, claimed_until = $3
       FROM due WHERE d.seq = due.seq
       RETURNING d.seq, d.id, d.event_id, d.rule_arn, d.target_id, d.event, d.event_time, d.attempts, d.next_attempt_at, d.claim`,
      [now, pageLimit(limit), now + leaseMs],
    );
    // RETURNING has no order of its own: oldest due first, as the rows were picked.
    const claimed = rows.map((row) => ({ seq: int8(row.seq), delivery: deliveryOf(row) }));
    claimed.sort((a, b) => a.delivery.nextAttemptAt - b.delivery.nextAttemptAt || a.seq - b.seq);
    return claimed.map((c) => c.delivery);
  }

  async completeDelivery(id: string, claim: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM event_deliveries WHERE id = $1 AND claim = $2', [id, claim]);
    return (result.rowCount ?? 0) > 0;
  }

  async rescheduleDelivery(id: string, claim: string, attempts: number, nextAttemptAt: number): Promise<boolean> {
    const result = await this.db.query(
      'UPDATE event_deliveries SET attempts = $3, next_attempt_at = $4, claim = NULL, claimed_until = NULL WHERE id = $1 AND claim = $2',
      [id, claim, attempts, nextAttemptAt],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async nextDeliveryDue(): Promise<number | undefined> {
    const { rows } = await this.db.query<{ at: string | null }>(
      'SELECT min(CASE WHEN claim IS NULL THEN next_attempt_at ELSE greatest(next_attempt_at, claimed_until) END) AS at FROM event_deliveries',
    );
    return int8OrUndefined(rows[0]?.at ?? null);
  }

  async countDeliveries(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM event_deliveries');
    return int8(rows[0]!.n);
  }

  /**
   * Runs a rule or target write with the rules version row locked (rule and target writes take
   * turns); the write calls `changed` once it has written, which moves the version on in the same
   * transaction.
   */
  private ruleWrite<T>(work: (client: Client, changed: () => Promise<unknown>) => Promise<T>): Promise<T> {
    return this.db.transaction(async (client) => {
      await client.query('SELECT value FROM event_rules_version FOR UPDATE');
      return work(client, () => client.query('UPDATE event_rules_version SET value = value + 1'));
    });
  }

  private async createNamed(table: NamedTable, record: { readonly name: string }): Promise<CreateNamedResult> {
    const result = await this.db.query(`INSERT INTO ${table} (name, record) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [record.name, JSON.stringify(record)]);
    return result.rowCount ? 'created' : 'exists';
  }

  private async getNamed<T>(table: NamedTable, name: string): Promise<T | undefined> {
    const { rows } = await this.db.query<{ record: string }>(`SELECT record FROM ${table} WHERE name = $1`, [name]);
    return rows[0] && (JSON.parse(rows[0].record) as T);
  }

  private async deleteNamed(table: NamedTable, name: string): Promise<boolean> {
    return ((await this.db.query(`DELETE FROM ${table} WHERE name = $1`, [name])).rowCount ?? 0) > 0;
  }

  private async listNamed<T>(table: NamedTable, scope: string, namePrefix: string | undefined, page: PageRequest): Promise<Page<T>> {
    const limit = pageLimit(page.limit);
    const { rows } = await this.db.query<{ name: string; record: string }>(
      `SELECT name, record FROM ${table} WHERE name > $1 AND starts_with(name, $2) ORDER BY name LIMIT $3`,
      [afterName(page, scope), namePrefix ?? '', limit + 1],
    );
    return paged(rows, limit, scope, (r) => r.name, (r) => JSON.parse(r.record) as T);
  }
}

async function ruleRecord(db: Pick<PostgresDatabase, 'query'>, eventBusName: string, name: string): Promise<EventRuleRecord | undefined> {
  const { rows } = await db.query<{ record: string }>('SELECT record FROM event_rules WHERE bus = $1 AND name = $2', [eventBusName, name]);
  return rows[0] && (JSON.parse(rows[0].record) as EventRuleRecord);
}

function targetOf(row: TargetRow): EventTargetRecord {
  return { ruleArn: row.rule_arn, id: row.id, arn: row.arn, target: JSON.parse(row.target) as Record<string, unknown> };
}

function deliveryOf(row: DeliveryRow): ClaimedDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    ruleArn: row.rule_arn,
    targetId: row.target_id,
    event: row.event,
    eventTime: int8(row.event_time),
    attempts: row.attempts,
    nextAttemptAt: int8(row.next_attempt_at),
    claim: row.claim,
  };
}

/** The name a page starts after ('' before the first: every name is greater). */
function afterName(page: PageRequest, scope: string): string {
  return page.nextToken !== undefined ? (decodePageToken(page.nextToken, scope, ['string'])[0] as string) : '';
}

function paged<R, T>(rows: readonly R[], limit: number, scope: string, nameOf: (row: R) => string, out: (row: R) => T): Page<T> {
  const taken = rows.slice(0, limit);
  return {
    items: taken.map(out),
    ...(rows.length > limit ? { nextToken: encodePageToken(scope, [nameOf(taken[taken.length - 1]!)]) } : {}),
  };
}
