/**
 * Dead letters on SQLite (migration 9). Newest first by rowid; the filter's columns are indexed
 * so a schedule's or a rule's letters list without a scan.
 */
import type Database from 'better-sqlite3';
import { deadLetterScope } from '../memory-dead-letters.js';
import { decodePageToken, encodePageToken, pageLimit } from '../page-token.js';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterStore, Page, PageRequest } from '../types.js';
import type { GroupCommit } from './group-commit.js';

/** A dead_letters row (the same columns on SQLite and PostgreSQL). */
export interface DeadLetterRow {
  seq: number;
  id: string;
  source: string;
  source_arn: string;
  target_arn: string;
  target_id: string | null;
  payload: string;
  error: string;
  cause: string;
  attempts: number;
  event_time: number;
  time: number;
}

export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly insert: Database.Statement;
  private readonly deleteOne: Database.Statement;
  private readonly purgeOld: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly commits: GroupCommit,
  ) {
    this.insert = db.prepare(
      `INSERT INTO dead_letters (id, source, source_arn, target_arn, target_id, payload, error, cause, attempts, event_time, time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.deleteOne = db.prepare('DELETE FROM dead_letters WHERE id = ?');
    this.purgeOld = db.prepare('DELETE FROM dead_letters WHERE seq IN (SELECT seq FROM dead_letters WHERE time < ? ORDER BY time LIMIT ?)');
  }

  purge(before: number, limit: number): Promise<number> {
    return this.commits.submit(() => this.purgeOld.run(before, limit).changes);
  }

  async add(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.commits.submit(() => {
      for (const r of records) {
        this.insert.run(r.id, r.source, r.sourceArn, r.targetArn, r.targetId ?? null, r.payload, r.error, r.cause, r.attempts, r.eventTime, r.time);
      }
    });
  }

  async list(filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterRecord>> {
    const scope = deadLetterScope(filter);
    const below = page.nextToken === undefined ? Number.MAX_SAFE_INTEGER : (decodePageToken(page.nextToken, scope, ['number'])[0] as number);
    const n = pageLimit(page.limit);
    const conditions = ['seq < ?'];
    const params: unknown[] = [below];
    if (filter.source !== undefined) (conditions.push('source = ?'), params.push(filter.source));
    if (filter.sourceArn !== undefined) (conditions.push('source_arn = ?'), params.push(filter.sourceArn));
    const rows = this.db
      .prepare(`SELECT * FROM dead_letters WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT ?`)
      .all(...params, n + 1) as DeadLetterRow[];
    const items = rows.slice(0, n).map(deadLetterOf);
    const last = rows[n - 1];
    return rows.length > n && last ? { items, nextToken: encodePageToken(scope, [last.seq]) } : { items };
  }

  remove(ids: readonly string[]): Promise<number> {
    return this.commits.submit(() => ids.reduce((removed, id) => removed + this.deleteOne.run(id).changes, 0));
  }
}

export function deadLetterOf(row: DeadLetterRow): DeadLetterRecord {
  return {
    id: row.id,
    source: row.source as DeadLetterRecord['source'],
    sourceArn: row.source_arn,
    targetArn: row.target_arn,
    ...(row.target_id !== null ? { targetId: row.target_id } : {}),
    payload: row.payload,
    error: row.error,
    cause: row.cause,
    attempts: row.attempts,
    eventTime: row.event_time,
    time: row.time,
  };
}
