/**
 * ClusterStore on PostgreSQL (../cluster.ts): node leases, execution owners, routed work, and
 * LISTEN/NOTIFY on one channel per schema (`stepwise_<schema>`) so nodes wake each other without
 * polling delays. Notifications are an optimisation only: every one of them has a poll behind
 * it (the runner's), so a notification lost with a dropped connection delays work, never loses it.
 *
 * Payloads: `r:<node id>` work was routed to that node; `a:<activity ARN>` an activity task was
 * scheduled; `x` executions were released (a node left, or handed one off); `j` a node joined.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Trigger } from '../../engine/model.js';
import type { ClaimResult, ClusterStore, ClusterWake, Routed, RoutedWork } from '../cluster.js';
import type { PostgresDatabase } from './db.js';
import { row, rows, run } from './sql.js';

/** The SQL expression for "this node's lease is alive" (node id in `$n`). */
const LIVE_OWNER = (owner: string) => `EXISTS (SELECT 1 FROM nodes n WHERE n.id = ${owner} AND n.expires_at > now_ms())`;

export class PostgresCluster implements ClusterStore {
  nodeId: string | undefined;
  /** Set when a renewal found the lease gone: nothing is claimed until the node joins again. */
  leaseLost = false;
  private leaseMs = 10_000;
  private listener: ((wake: ClusterWake) => void) | undefined;
  private listening: pg.Client | undefined;
  private closed = false;
  readonly channel: string;

  constructor(private readonly db: PostgresDatabase) {
    this.channel = `stepwise_${db.schema}`;
  }

  async join(options: { readonly leaseMs: number; readonly name: string; readonly replacesNamesake?: boolean }): Promise<string> {
    this.leaseMs = options.leaseMs;
    // Random: a node that restarts (or lost its lease) is a new node; its old id stays dead.
    const id = `${options.name}/${randomBytes(6).toString('hex')}`;
    await run(this.db.pool, 'INSERT INTO nodes (id, name, joined_at, expires_at) VALUES ($1, $2, now_ms(), now_ms() + $3)', [id, options.name, this.leaseMs]);
    if (options.replacesNamesake) await run(this.db.pool, 'UPDATE nodes SET expires_at = 0 WHERE name = $1 AND id <> $2 AND expires_at > 0', [options.name, id]);
    // Nodes that have been dead for a day are forgotten (their executions were taken long ago).
    await run(this.db.pool, 'DELETE FROM nodes n WHERE n.expires_at < now_ms() - 86400000 AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.owner = n.id AND e.status = \'RUNNING\')');
    this.nodeId = id;
    this.leaseLost = false;
    await this.listen();
    await run(this.db.pool, 'SELECT pg_notify($1, $2)', [this.channel, 'j']);
    return id;
  }

  async renew(): Promise<boolean> {
    const id = this.nodeId;
    if (id === undefined) return false;
    // Only a lease still alive is renewed: once it ran out, others may own our executions.
    if (this.leaseLost) return false;
    const renewed = await run(this.db.pool, 'UPDATE nodes SET expires_at = now_ms() + $2 WHERE id = $1 AND expires_at > now_ms()', [id, this.leaseMs]);
    if (renewed === 1) return true;
    // The id stays: writes go on being fenced with it (refused where another node took over)
    // until the node joins again; claims under it are refused.
    this.leaseLost = true;
    return false;
  }

  async release(executionArn: string): Promise<boolean> {
    const me = this.requireNode();
    const released = await rows(
      this.db.pool,
      `WITH released AS (UPDATE executions SET owner = NULL WHERE arn = $1 AND owner = $2 AND status = 'RUNNING' RETURNING id)
       SELECT pg_notify($3, 'x') FROM released`,
      [executionArn, me, this.channel],
    );
    return released.length === 1;
  }

  async liveNodes(): Promise<number> {
    return (await row<{ n: number }>(this.db.pool, 'SELECT count(*)::int AS n FROM nodes WHERE expires_at > now_ms()'))?.n ?? 0;
  }

  async leave(): Promise<void> {
    this.closed = true;
    const id = this.nodeId;
    this.nodeId = undefined;
    const client = this.listening;
    this.listening = undefined;
    await client?.end().catch(() => undefined);
    if (id === undefined) return;
    await this.db.transaction(async (c) => {
      await run(c, "UPDATE executions SET owner = NULL WHERE owner = $1 AND status = 'RUNNING'", [id]);
      await run(c, 'DELETE FROM nodes WHERE id = $1', [id]);
      await run(c, 'SELECT pg_notify($1, $2)', [this.channel, 'x']);
    });
  }

  async claimOrphans(limit: number): Promise<readonly string[]> {
    const me = this.requireNode();
    // Executions released (owner NULL) or whose owner's lease ran out; SKIP LOCKED: nodes
    // claiming at the same time take different ones, and one a writer holds is left for later.
    const claimed = await rows<{ arn: string }>(
      this.db.pool,
      `UPDATE executions e SET owner = $1
       FROM (SELECT id FROM executions x
             WHERE x.status = 'RUNNING' AND (x.owner IS NULL OR (x.owner <> $1 AND NOT ${LIVE_OWNER('x.owner')}))
             LIMIT $2 FOR UPDATE SKIP LOCKED) o
       WHERE e.id = o.id RETURNING e.arn`,
      [me, limit],
    );
    return claimed.map((r) => r.arn);
  }

  async claim(executionArn: string, options: { readonly ended?: boolean } = {}): Promise<ClaimResult> {
    const me = this.requireNode();
    const status = options.ended ? '' : "status = 'RUNNING' AND";
    const claimed = await run(
      this.db.pool,
      `UPDATE executions SET owner = $2 WHERE arn = $1 AND ${status} (owner IS NULL OR owner = $2 OR NOT ${LIVE_OWNER('owner')})`,
      [executionArn, me],
    );
    if (claimed === 1) return 'owned';
    const found = await row<{ status: string }>(this.db.pool, 'SELECT status FROM executions WHERE arn = $1', [executionArn]);
    return found && (found.status === 'RUNNING' || options.ended) ? 'other' : 'not-running';
  }

  async acceptAnswer(token: string, trigger: Trigger, closes: boolean, now: number): Promise<Routed | undefined> {
    const work: RoutedWork = { type: 'answer', token, trigger };
    // One statement: the task must be open; a success or failure marks it ANSWERED (a second
    // answer, on any node, finds it so); the work is routed and the owner woken on commit.
    const accepted = await row<{ id: number; arn: string }>(
      this.db.pool,
      `WITH task AS (
         UPDATE tasks SET status = CASE WHEN $3 THEN 'ANSWERED' ELSE status END
         WHERE token = $1 AND status IN ('SCHEDULED', 'STARTED') RETURNING execution_id
       ), routed_row AS (
         INSERT INTO routed (execution_id, token, work, created_at) SELECT execution_id, $1, $2, $4 FROM task RETURNING id, execution_id
       )
       SELECT r.id, e.arn, CASE WHEN e.owner IS NOT NULL THEN pg_notify($5, 'r:' || e.owner) END AS notified
       FROM routed_row r JOIN executions e ON e.id = r.execution_id`,
      [token, JSON.stringify(work), closes, now, this.channel],
    );
    return accepted && { id: accepted.id, executionArn: accepted.arn, work };
  }

  async route(executionArn: string, work: RoutedWork, now: number): Promise<Routed | undefined> {
    const routed = await row<{ id: number }>(
      this.db.pool,
      `WITH routed_row AS (
         INSERT INTO routed (execution_id, work, created_at)
         SELECT id, $2, $3 FROM executions WHERE arn = $1 AND status = 'RUNNING' RETURNING id, execution_id
       )
       SELECT r.id, CASE WHEN e.owner IS NOT NULL THEN pg_notify($4, 'r:' || e.owner) END AS notified
       FROM routed_row r JOIN executions e ON e.id = r.execution_id`,
      [executionArn, JSON.stringify(work), now, this.channel],
    );
    return routed && { id: routed.id, executionArn, work };
  }

  async routed(limit: number): Promise<readonly Routed[]> {
    const me = this.nodeId;
    if (me === undefined) return [];
    const found = await rows<{ id: number; arn: string; work: string }>(
      this.db.pool,
      `SELECT r.id, e.arn, r.work FROM routed r JOIN executions e ON e.id = r.execution_id
       WHERE e.owner = $1 AND e.status = 'RUNNING' ORDER BY r.id LIMIT $2`,
      [me, limit],
    );
    // Work for executions that ended before it was applied has nothing left to do.
    await run(
      this.db.pool,
      `DELETE FROM routed r USING executions e WHERE e.id = r.execution_id AND e.status <> 'RUNNING' AND r.created_at < $1`,
      [Date.now() - 60_000],
    );
    return found.map((r) => ({ id: r.id, executionArn: r.arn, work: JSON.parse(r.work) as RoutedWork }));
  }

  async dropRouted(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await run(this.db.pool, 'DELETE FROM routed WHERE id = ANY($1::int8[])', [ids]);
  }

  async isRouted(id: number): Promise<boolean> {
    return (await row(this.db.pool, "SELECT 1 AS one FROM routed r JOIN executions e ON e.id = r.execution_id WHERE r.id = $1 AND e.status = 'RUNNING'", [id])) !== undefined;
  }

  onWake(listener: (wake: ClusterWake) => void): void {
    this.listener = listener;
  }

  /** Stops listening (the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.listening;
    this.listening = undefined;
    await client?.end().catch(() => undefined);
  }

  private requireNode(): string {
    if (this.nodeId === undefined || this.leaseLost) throw new Error('This store has not joined the cluster (or its lease ran out)');
    return this.nodeId;
  }

  /** A connection of its own that LISTENs; a lost one is replaced after a pause (the polls cover the gap). */
  private async listen(): Promise<void> {
    if (this.listening || this.closed) return;
    const client = new pg.Client({ ...(this.db.pool.options as pg.ClientConfig) });
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.listening !== client) return;
      this.listening = undefined;
      if (!this.closed) setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    });
    client.on('notification', (message) => this.notified(message.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.listening = client;
    } catch {
      await client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    }
  }

  private notified(payload: string): void {
    const listener = this.listener;
    if (!listener) return;
    if (payload === 'x') listener({ type: 'released' });
    else if (payload === 'j') listener({ type: 'joined' });
    else if (payload.startsWith('a:')) listener({ type: 'activity', activityArn: payload.slice(2) });
    else if (payload.startsWith('r:') && payload.slice(2) === this.nodeId) listener({ type: 'routed' });
  }
}
