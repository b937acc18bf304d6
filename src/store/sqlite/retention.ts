/**
 * Retention on SQLite: deletes closed executions with every row that belongs to them, a bounded
 * batch per call (the caller runs it inside a group-commit transaction).
 *
 * The rows that belong to an execution are found from the schema, not listed here: every table
 * with a foreign key to `executions (id)` (events, triggers, timers, tasks, map_runs, and any a
 * later migration adds). Foreign keys are enforced, so a table that escaped this (a key to one
 * of those tables, say) makes the batch fail instead of leaving orphans behind.
 *
 * Definitions are shared by the executions of a state machine (stored once per text) and stay:
 * finding the ones no execution uses any more would need an index the writes would pay for.
 */
import type Database from 'better-sqlite3';

/** An execution that ended for good; PENDING_REDRIVE and RUNNING ones are never deleted. */
const CLOSED = "('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')";

/**
 * Bounds the history rows one batch deletes (a batch stops before the execution that would go
 * beyond it, but always takes one), so a batch of executions with 25,000 events each does not
 * hold the write lock for seconds.
 */
export const MAX_PURGED_EVENTS_PER_BATCH = 50_000;

export class ExecutionPurger {
  private statements?: { readonly candidates: Database.Statement; readonly deletes: readonly Database.Statement[] };

  constructor(private readonly db: Database.Database) {}

  /** Deletes up to `limit` executions closed before `closedBefore`; returns how many. */
  purge(closedBefore: number, limit: number): number {
    const { candidates, deletes } = (this.statements ??= this.prepare());
    const rows = candidates.all(closedBefore, closedBefore, Math.max(0, Math.floor(limit))) as { id: number; last_event_id: number }[];
    let events = 0;
    let purged = 0;
    for (const row of rows) {
      if (purged > 0 && events + row.last_event_id > MAX_PURGED_EVENTS_PER_BATCH) break;
      events += row.last_event_id;
      for (const statement of deletes) statement.run(row.id);
      purged++;
    }
    return purged;
  }

  private prepare() {
    const dependents: string[] = [];
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const table of tables) {
      const keys = this.db.pragma(`foreign_key_list(${quote(table)})`) as { table: string; from: string; to: string | null }[];
      for (const key of keys) {
        if (key.table === 'executions' && (key.to === 'id' || key.to === null)) {
          dependents.push(`DELETE FROM ${quote(table)} WHERE ${quote(key.from)} = ?`);
        }
      }
    }
    return {
      // start_date <= stop_date, so the bound on start_date lets the (status, start_date) index
      // find the candidates without reading every closed execution.
      candidates: this.db.prepare(
        `SELECT id, last_event_id FROM executions
         WHERE status IN ${CLOSED} AND start_date < ? AND stop_date < ?
         LIMIT ?`,
      ),
      deletes: [...dependents, 'DELETE FROM executions WHERE id = ?'].map((sql) => this.db.prepare(sql)),
    };
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
